"""frab/pretalx ``schedule.xml`` and ``schedule.json`` export: strict.

What Podium writes validates against the official schemas (voc/schedule), checked by
the tests. With ``times`` (the live expected times) the export says when items are
now expected rather than planned.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring
from zoneinfo import ZoneInfo

from server.programme.model import Item, Programme
from server.programme.native import _slug
from server.programme.plaintext import INSIGHTS_MARKER
from server.programme.schedule import _NS, item_guid


def _acronym(programme: Programme) -> str:
    words = re.findall(r"[a-z0-9]+", _slug(programme.event.title).replace("-", " "))
    acro = "".join(w[0] for w in words)[:8] or "podium"
    return f"{acro}{programme.event.date:%Y}"


def _hhmm_of(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _description_with_insights(item: Item) -> str:
    if not item.insights:
        return item.description
    points = "\n".join(f"- {p}" for p in item.insights)
    return f"{item.description}\n\n{INSIGHTS_MARKER}\n{points}".strip()


Times = dict[str, tuple[datetime, datetime]]


def schedule_version(programme: Programme, times: Times | None) -> str:
    """Changes whenever the programme or an expected time does: apps that watch a schedule
    for changes (EventFahrplan and the like) then see a delay."""
    data = json.dumps(programme.to_dict(), sort_keys=True, ensure_ascii=False)
    moved = sorted((k, a.isoformat(), b.isoformat()) for k, (a, b) in (times or {}).items())
    digest = hashlib.sha256((data + json.dumps(moved)).encode()).hexdigest()[:12]
    return f"podium-{digest}"


def _times(item: Item, times: Times | None) -> tuple[datetime, datetime]:
    return times.get(item.id, (item.start, item.end)) if times else (item.start, item.end)


def _days(programme: Programme, times: Times | None) -> list[tuple[int, date, list[Item]]]:
    by_day: dict[date, list[Item]] = {}
    for it in programme.items:
        by_day.setdefault(_times(it, times)[0].date(), []).append(it)
    return [(n, d, by_day[d]) for n, d in enumerate(sorted(by_day), start=1)]


def _day_bounds(d: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(d, time(4, 0), tz)
    return start, datetime.combine(d + timedelta(days=1), time(3, 59), tz)


def _slug_of(programme: Programme, item: Item) -> str:
    """acronym-item: the schema wants at least four characters on either side."""
    part = re.sub(r"[^a-z0-9_-]", "", _slug(item.id)).strip("-") or "item"
    if len(part) < 4:
        part = f"item-{part}"
    return f"{_acronym(programme)}-{part}"


def export_json(programme: Programme, times: Times | None = None) -> str:
    """schedule.json (valid against the voc/schedule JSON schema)."""
    ev = programme.event
    tz = ev.tz
    rooms = {r.id: r for r in programme.rooms}
    days = []
    for index, d, items in _days(programme, times):
        start, end = _day_bounds(d, tz)
        per_room: dict[str, list[dict[str, Any]]] = {r.name: [] for r in programme.rooms}
        for n, it in enumerate(items, start=1):
            s, e = _times(it, times)
            room_name = rooms[it.room].name if it.room in rooms else it.room
            per_room.setdefault(room_name, []).append(
                {
                    "guid": item_guid(programme, it),
                    "id": programme.items.index(it) + 1,
                    "date": s.isoformat(),
                    "start": f"{s:%H:%M}",
                    "duration": _hhmm_of(e - s),
                    "room": room_name,
                    "slug": _slug_of(programme, it),
                    "url": ev.url or "https://example.invalid/",
                    "title": it.title,
                    "subtitle": "",
                    "track": None,
                    "type": it.kind,
                    "language": "da",
                    "abstract": it.description,
                    "description": _description_with_insights(it),
                    "persons": [
                        {
                            "name": sp.name,
                            "biography": ", ".join(p for p in (sp.role, sp.organisation) if p)
                            or None,
                        }
                        for sp in it.speakers
                    ],
                    "links": [],
                }
            )
            del n
        days.append(
            {
                "index": index,
                "date": d.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": per_room,
            }
        )
    conference: dict[str, Any] = {}
    doc = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "schedule": {
            "version": schedule_version(programme, times),
            "conference": conference,
        },
    }
    conference.update(
        {
            "acronym": _acronym(programme),
            "title": ev.title,
            "start": days[0]["date"] if days else ev.date.isoformat(),
            "end": days[-1]["date"] if days else ev.date.isoformat(),
            "daysCount": len(days),
            "timeslot_duration": "00:05",
            "time_zone_name": ev.timezone,
            "rooms": [
                {"name": r.name, "guid": str(uuid.uuid5(_NS, f"room\x1f{ev.title}\x1f{r.id}"))}
                for r in programme.rooms
            ],
            "days": days,
        }
    )
    if ev.url.startswith(("http://", "https://")):
        conference["url"] = ev.url
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def export_xml(programme: Programme, times: Times | None = None) -> str:
    """schedule.xml (valid against the voc/schedule XSD)."""
    ev = programme.event
    tz = ev.tz
    rooms = {r.id: r for r in programme.rooms}
    root = Element("schedule")
    SubElement(root, "generator", name="podium", version="0.1.0")
    SubElement(root, "version").text = schedule_version(programme, times)
    conf = SubElement(root, "conference")
    days = _days(programme, times)
    SubElement(conf, "title").text = ev.title
    SubElement(conf, "acronym").text = _acronym(programme)
    SubElement(conf, "start").text = (days[0][1] if days else ev.date).isoformat()
    SubElement(conf, "end").text = (days[-1][1] if days else ev.date).isoformat()
    SubElement(conf, "days").text = str(len(days))
    SubElement(conf, "timeslot_duration").text = "00:05"
    if ev.url.startswith(("http://", "https://")):
        SubElement(conf, "base_url").text = ev.url
    SubElement(conf, "time_zone_name").text = ev.timezone
    for index, d, items in days:
        start, end = _day_bounds(d, tz)
        day_el = SubElement(
            root,
            "day",
            index=str(index),
            date=d.isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
        )
        for room in programme.rooms:
            room_el = SubElement(
                day_el,
                "room",
                name=room.name,
                guid=str(uuid.uuid5(_NS, f"room\x1f{ev.title}\x1f{room.id}")),
            )
            for it in (i for i in items if i.room == room.id):
                s, e = _times(it, times)
                e_el = SubElement(
                    room_el,
                    "event",
                    id=str(programme.items.index(it) + 1),
                    guid=item_guid(programme, it),
                )
                SubElement(e_el, "date").text = s.isoformat()
                SubElement(e_el, "start").text = f"{s:%H:%M}"
                SubElement(e_el, "duration").text = _hhmm_of(e - s)
                SubElement(e_el, "room").text = rooms[it.room].name if it.room in rooms else it.room
                SubElement(e_el, "slug").text = _slug_of(programme, it)
                SubElement(e_el, "title").text = it.title
                SubElement(e_el, "subtitle").text = ""
                SubElement(e_el, "track").text = ""
                SubElement(e_el, "type").text = it.kind
                SubElement(e_el, "language").text = "da"
                SubElement(e_el, "abstract").text = it.description
                SubElement(e_el, "description").text = _description_with_insights(it)
                persons = SubElement(e_el, "persons")
                for n, sp in enumerate(it.speakers, start=1):
                    SubElement(persons, "person", id=str(n)).text = sp.name
                SubElement(e_el, "links")
    body = tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
