"""Podium's own programme format written out: TOML that :func:`server.programme.native.loads`
reads back to an equal programme (tested by round trips)."""

from __future__ import annotations

import json

from server.programme.model import Programme
from server.programme.native import EVENT_TEXT_FIELDS


def _toml_str(text: str) -> str:
    """A TOML string: a basic string, or a multi-line one for text with line breaks."""
    if "\n" not in text:
        return json.dumps(text, ensure_ascii=False)
    body = text.replace("\\", "\\\\").replace('"""', '""\\"')
    body = "".join(c if c in "\n\t" or ord(c) >= 0x20 else f"\\u{ord(c):04x}" for c in body)
    return '"""\n' + body + '"""'


def _toml_list(values: tuple[str, ...]) -> str:
    if not values:
        return "[]"
    return "[\n" + "".join(f"  {_toml_str(v)},\n" for v in values) + "]"


def dumps(programme: Programme) -> str:
    """The programme as a native TOML file that :func:`loads` reads back equal."""
    ev = programme.event
    out = ["# Podium programme (docs/programme-format.md)", "", "[event]"]
    for key in EVENT_TEXT_FIELDS:
        value = getattr(ev, key)
        if value or key == "title":
            out.append(f"{key} = {_toml_str(value)}")
    out.append(f"date = {ev.date.isoformat()}")
    out.append(f"timezone = {_toml_str(ev.timezone)}")
    if ev.practical:
        out.append(f"practical = {_toml_list(ev.practical)}")
    for room in programme.rooms:
        out += ["", "[[rooms]]", f"id = {_toml_str(room.id)}", f"name = {_toml_str(room.name)}"]
    for item in programme.items:
        out += ["", "[[items]]", f"id = {_toml_str(item.id)}"]
        if item.start.date() != ev.date:
            out.append(f"date = {item.start.date().isoformat()}")
        out.append(f'start = "{item.start:%H:%M}"')
        if item.end.date() == item.start.date() and item.end > item.start:
            out.append(f'end = "{item.end:%H:%M}"')
        else:
            minutes = int(
                (item.end.replace(tzinfo=None) - item.start.replace(tzinfo=None)).total_seconds()
                // 60
            )
            out.append(f'duration = "{minutes // 60:02d}:{minutes % 60:02d}"')
        out.append(f"kind = {_toml_str(item.kind)}")
        out.append(f"title = {_toml_str(item.title)}")
        if len(programme.rooms) > 1:
            out.append(f"room = {_toml_str(item.room)}")
        if item.questions:
            out.append("questions = true")
        if item.description:
            out.append(f"description = {_toml_str(item.description)}")
        if item.insights:
            out.append(f"insights = {_toml_list(item.insights)}")
        for sp in item.speakers:
            out += ["  [[items.speakers]]", f"  name = {_toml_str(sp.name)}"]
            if sp.role:
                out.append(f"  role = {_toml_str(sp.role)}")
            if sp.organisation:
                out.append(f"  organisation = {_toml_str(sp.organisation)}")
    return "\n".join(out) + "\n"
