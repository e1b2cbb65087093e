"""The questions asked, for the organisers' report: CSV, JSON or Markdown.

Every question with its item, time, status, votes, name and organisation if given,
and its original text when the moderator edited it. The Markdown form reads as an
appendix: one section per item in programme order, questions by votes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from server.state import State
from server.strings import REPORT, say


def rows(state: State) -> list[dict[str, Any]]:
    """One dict per question, in programme order, then by time asked."""
    order = {item.id: n for n, item in enumerate(state.programme.items)}
    titles = {item.id: item.title for item in state.programme.items}
    qs = sorted(
        state.questions.values(), key=lambda q: (order.get(q.item_id, len(order)), q.created_at)
    )
    return [
        {
            "id": q.id,
            "item_id": q.item_id,
            "item": titles.get(q.item_id, q.item_id),
            "asked_at": q.created_at.isoformat(),
            "status": q.status,
            "votes": state.vote_count(q.id),
            "text": q.text,
            "original_text": q.original_text if q.original_text != q.text else "",
            "name": q.name,
            "organisation": q.organisation,
        }
        for q in qs
    ]


def export(state: State, fmt: str, lang: str = "da") -> str:
    """The questions as ``csv``, ``json`` or ``md`` (Markdown, in ``lang``)."""
    data = rows(state)
    if fmt == "json":
        return (
            json.dumps(
                {"event": state.programme.event.title, "questions": data},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    if fmt == "csv":
        out = io.StringIO()
        fields = (
            list(data[0])
            if data
            else [
                "id",
                "item_id",
                "item",
                "asked_at",
                "status",
                "votes",
                "text",
                "original_text",
                "name",
                "organisation",
            ]
        )
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in data:
            # A cell starting with = + - @ would be a formula in a spreadsheet: make it text.
            writer.writerow(
                {
                    k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@" else v)
                    for k, v in row.items()
                }
            )
        return out.getvalue()
    if fmt == "md":
        return _markdown(state, data, lang)
    raise ValueError(f"unknown format {fmt!r}")


def _md_escape(text: str) -> str:
    """Text shown as written: no emphasis, link, heading, table, fence or list of its own."""
    out = text.replace("\\", "\\\\")
    for ch in "*_`[]<>#|~":
        out = out.replace(ch, "\\" + ch)
    lines = []
    for line in out.split("\n"):
        # A line that starts "1." or "- " or "+ " or "=" would become a list or a heading.
        line = re.sub(r"^(\s*)(\d+)([.)])", r"\1\2\\\3", line)
        line = re.sub(r"^(\s*)([-+=])", r"\1\\\2", line)
        lines.append(line)
    return "  \n".join(lines)


def _markdown(state: State, data: list[dict[str, Any]], lang: str) -> str:
    ev = state.programme.event
    lines = [say(REPORT, lang, "title", event=_md_escape(ev.title)), ""]
    lines.append(say(REPORT, lang, "total", date=f"{ev.date:%d.%m.%Y}", n=len(data)))
    lines.append("")
    by_item: dict[str, list[dict[str, Any]]] = {}
    for row in data:
        by_item.setdefault(row["item_id"], []).append(row)
    for item in state.programme.items:
        qs = by_item.pop(item.id, [])
        if qs:
            when = say(REPORT, lang, "at", time=f"{item.start:%H.%M}")
            lines += _section(f"{when} {item.title}", qs, lang)
    for item_id, qs in by_item.items():  # items no longer in the programme
        lines += _section(item_id, qs, lang)
    if not data:
        lines.append(say(REPORT, lang, "none"))
    return "\n".join(lines).rstrip() + "\n"


def _section(heading: str, qs: list[dict[str, Any]], lang: str) -> list[str]:
    lines = [f"## {_md_escape(heading)}", ""]
    for n, q in enumerate(sorted(qs, key=lambda r: (-r["votes"], r["asked_at"])), start=1):
        asker = ", ".join(p for p in (q["name"], q["organisation"]) if p)
        status = say(REPORT, lang, q["status"]) if q["status"] in REPORT else q["status"]
        votes = say(REPORT, lang, "vote" if q["votes"] == 1 else "votes", n=q["votes"])
        meta = [status, votes]
        if asker:
            meta.insert(0, _md_escape(asker))
        lines.append(f"{n}. {_md_escape(q['text'])}  ")
        lines.append(f"   *{' · '.join(meta)}*")
        if q["original_text"]:
            lines.append(f"   (oprindeligt: {_md_escape(q['original_text'])})")
    lines.append("")
    return lines
