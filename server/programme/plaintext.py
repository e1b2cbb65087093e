"""Text from outside as plain text: HTML and Markdown abstracts flattened, the "Du får
indblik i:" list.

Used by the schedule import (abstracts in HTML or Markdown-ish text) and by the exports
(which write the insights list back into the description).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from server.contract import CONTROL_CHARS

_UNSAFE = re.compile(f"[{CONTROL_CHARS}]")

#: The heading of the list of what an attendee will learn, as the seed programme writes it.
INSIGHTS_MARKER = "Du får indblik i:"


class _Text(HTMLParser):
    BREAKS = {"br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div", "ul", "ol"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


#: Markdown's marks, as pretalx and wafer abstracts carry them; the words stay.
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^()\s]*)(?:\s+\"[^\"\n]*\")?\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])([^*_\n]*?[^\s*_])\1(?![\w*])")
_MD_CODE = re.compile(r"`([^`\n]+)`")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M)
_MD_WIKI_HEADING = re.compile(r"^[ \t]*={2,}[ \t]*(.*?)[ \t]*={2,}[ \t]*$", re.M)
_MD_RULE = re.compile(r"^[ \t]*(?:-{3,}|={3,}|(?:\*[ \t]*){3,})[ \t]*$", re.M)
_MD_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.M)


def _unmark(text: str) -> str:
    """Markdown as the words a reader sees: **fed** -> fed, [tekst](url) -> tekst."""
    for _ in range(3):  # a link inside a link's text: [a]([b](url))
        text, n = _MD_LINK.subn(lambda m: m.group(1) or m.group(2), text)
        if not n:
            break
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM.sub(r"\2", text)
    text = _MD_WIKI_HEADING.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_RULE.sub("", text)
    return _MD_BULLET.sub(r"\1- ", text)


def plain_text(value: Any, *, markdown: bool = False) -> str:
    """HTML (or, with ``markdown``, Markdown) as plain text with paragraphs kept."""
    if not isinstance(value, str):
        return ""
    if "<" in value and ">" in value:
        parser = _Text()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    else:
        value = html.unescape(value)
    if markdown:
        value = _unmark(value)
    # Control and direction characters are dropped (an import is lenient); a lone surrogate
    # is left for the importer's check to refuse.
    value = _UNSAFE.sub("", value.replace("\r\n", "\n"))
    lines = [ln.strip() for ln in value.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def split_insights(text: str) -> tuple[str, tuple[str, ...]]:
    """Take a trailing "Du får indblik i:" list out of a description."""
    idx = text.find(INSIGHTS_MARKER)
    if idx < 0:
        return text, ()
    head, tail = text[:idx].strip(), text[idx + len(INSIGHTS_MARKER) :]
    points = tuple(
        ln.strip()[2:].strip()
        for ln in tail.strip().split("\n")
        if ln.strip().startswith(("- ", "• "))
    )
    return (head, points) if points else (text, ())
