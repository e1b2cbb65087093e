"""Text from outside as plain text: HTML abstracts flattened, the "Du får indblik i:" list.

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


def plain_text(value: Any) -> str:
    """HTML (or Markdown-ish text) as plain text with paragraphs kept."""
    if not isinstance(value, str):
        return ""
    if "<" in value and ">" in value:
        parser = _Text()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    else:
        value = html.unescape(value)
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
