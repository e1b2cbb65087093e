"""frab/pretalx ``schedule.xml`` and ``schedule.json``: lenient import, strict export.

Import reads what real files hold (they rarely match the schema), guesses where it
must and reports every guess or skip as a :class:`Warning` naming the event. Times:
the conference's ``time_zone_name`` and each event's local ``start`` are trusted; an
event's ``date`` may be in UTC and the ``day/@date`` may be a UTC date one day behind,
so neither is allowed to move an event by an hour or a day.

XML is parsed with defusedxml: no DTD, no entities, no network. Files are limited in
size. Export writes what the official schemas (voc/schedule) accept.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from server.programme.model import KINDS, Event, Item, Programme, Room, Speaker
from server.programme.native import Problem, ProgrammeError, _slug

#: Largest schedule file read (the biggest real ones are a few MiB).
MAX_IMPORT_BYTES = 10 * 1024 * 1024
INSIGHTS_MARKER = "Du får indblik i:"
_NS = uuid.UUID("6f3b1c52-2d0e-4b6f-9a55-5f0d6a3e7c11")  # Podium's namespace for guids


@dataclass(frozen=True)
class Warning:
    """A guess or a skip made while importing, with the event it concerns."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class Imported:
    programme: Programme
    warnings: tuple[Warning, ...]


def item_guid(programme: Programme, item: Item) -> str:
    """A stable UUID for an item (the same for the same event title and item id)."""
    return str(uuid.uuid5(_NS, f"{programme.event.title}\x1f{item.id}"))


# --- text ---------------------------------------------------------------------------


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
    value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value.replace("\r\n", "\n"))
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


# --- import -------------------------------------------------------------------------


_KIND_WORDS = {
    "break": "break",
    "pause": "break",
    "coffee": "break",
    "kaffe": "break",
    "lunch": "lunch",
    "frokost": "lunch",
    "dinner": "lunch",
    "breakfast": "lunch",
    "middag": "lunch",
    "panel": "panel",
    "paneldebat": "panel",
    "discussion": "panel",
    "podium": "panel",
    "welcome": "welcome",
    "velkommen": "welcome",
    "opening": "welcome",
    "closing": "closing",
    "farvel": "closing",
}


def _kind(type_: str, title: str) -> str:
    t = type_.strip().lower()
    if t in KINDS:
        return t
    for word in (t, title.strip().lower()):
        for key, kind in _KIND_WORDS.items():
            if re.search(rf"\b{key}\b", word):
                return kind
    return (
        "talk"
        if t in ("lecture", "talk", "keynote", "long talk", "short talk") or t.endswith("talk")
        else "other"
        if t
        else "talk"
    )


def _duration(value: Any) -> timedelta | None:
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$", value)
    if not m:
        return None
    d = timedelta(hours=int(m.group(1)), minutes=int(m.group(2)), seconds=int(m.group(3) or 0))
    return d if d > timedelta(0) else None


def _hhmm(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*(\d{1,2}):(\d{2})", value)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return time(int(m.group(1)), int(m.group(2)))
    return None


_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "af", "bin", "al"}
)


def _looks_like_a_name(text: str) -> bool:
    """'Ida Holm' yes; 'r8Dio og andre samarbejdspartnere' no (so it is not split)."""
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() or w in _PARTICLES for w in words)


def _persons(value: Any, where: str, warn: list[Warning]) -> tuple[Speaker, ...]:
    names: list[str] = []
    raw = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    for p in raw:
        if isinstance(p, dict):
            name = p.get("public_name") or p.get("name") or p.get("full_public_name") or ""
        else:
            name = p
        if not isinstance(name, str) or not name.strip():
            continue
        parts = [n.strip() for n in name.split(",") if n.strip()]
        if len(parts) > 1 and all(_looks_like_a_name(n) for n in parts):
            warn.append(Warning(where, f"persons {name!r} split into {len(parts)} names"))
            names += parts
        else:
            names.append(name.strip())
    return tuple(Speaker(name=plain_text(n)) for n in names if plain_text(n))


@dataclass
class _RawEvent:
    where: str
    id: str
    guid: str
    title: str
    type: str
    date: str | None
    start: str | None
    duration: str | None
    room: str
    abstract: str
    description: str
    persons: Any
    day_date: str | None
    day_start: str | None


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _detect(data: bytes) -> str:
    head = data.lstrip()[:200]
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    raise ProgrammeError([Problem("", None, "", "", "neither schedule.xml nor schedule.json")])


def _refuse(name: str, message: str) -> ProgrammeError:
    return ProgrammeError([Problem(name, None, "", "", message)])


def _xml_events(root: Element) -> tuple[dict[str, Any], list[_RawEvent]]:
    conf = root.find("conference")
    meta: dict[str, Any] = {}
    if conf is not None:
        for child in conf:
            meta[child.tag] = (child.text or "").strip()
    events: list[_RawEvent] = []
    for day in root.findall("day"):
        for room in day.findall("room"):
            room_name = room.get("name") or ""
            for ev in room.findall("event"):

                def text(tag: str, ev: Element = ev) -> str | None:
                    el = ev.find(tag)
                    return None if el is None else (el.text or "")

                persons_el = ev.find("persons")
                persons = (
                    [p.text or "" for p in persons_el.findall("person")]
                    if persons_el is not None
                    else []
                )
                title = text("title") or ""
                events.append(
                    _RawEvent(
                        where=f"event {ev.get('id') or ev.get('guid') or '?'} ({title!r})",
                        id=ev.get("id") or "",
                        guid=ev.get("guid") or "",
                        title=title,
                        type=text("type") or "",
                        date=text("date"),
                        start=text("start"),
                        duration=text("duration"),
                        room=text("room") or room_name,
                        abstract=text("abstract") or "",
                        description=text("description") or "",
                        persons=persons,
                        day_date=day.get("date"),
                        day_start=day.get("start"),
                    )
                )
    return meta, events


def _json_events(data: Any) -> tuple[dict[str, Any], list[_RawEvent]]:
    sched = data.get("schedule", data) if isinstance(data, dict) else {}
    conf = sched.get("conference", {}) if isinstance(sched, dict) else {}
    if not isinstance(conf, dict):
        conf = {}
    events: list[_RawEvent] = []
    for day in conf.get("days", []) or []:
        if not isinstance(day, dict):
            continue
        rooms = day.get("rooms", {})
        if not isinstance(rooms, dict):
            continue
        for room_name, evs in rooms.items():
            for ev in evs if isinstance(evs, list) else []:
                if not isinstance(ev, dict):
                    continue
                title = ev.get("title") if isinstance(ev.get("title"), str) else ""
                events.append(
                    _RawEvent(
                        where=f"event {ev.get('id') or ev.get('guid') or '?'} ({title!r})",
                        id=str(ev.get("id") or ""),
                        guid=str(ev.get("guid") or ""),
                        title=title or "",
                        type=str(ev.get("type") or ""),
                        date=ev.get("date") if isinstance(ev.get("date"), str) else None,
                        start=ev.get("start") if isinstance(ev.get("start"), str) else None,
                        duration=ev.get("duration")
                        if isinstance(ev.get("duration"), str)
                        else None,
                        room=str(ev.get("room") or room_name),
                        abstract=_str(ev.get("abstract")),
                        description=_str(ev.get("description")),
                        persons=ev.get("persons", []),
                        day_date=day.get("date") if isinstance(day.get("date"), str) else None,
                        day_start=day.get("day_start")
                        if isinstance(day.get("day_start"), str)
                        else None,
                    )
                )
    meta = {k: v for k, v in conf.items() if k not in ("days", "rooms")}
    return meta, events


def _local_start(ev: _RawEvent, tz: ZoneInfo, warn: list[Warning]) -> datetime | None:
    """The event's start in the conference's zone: trust the local start time."""
    start = _hhmm(ev.start)
    stamp = None
    if ev.date:
        try:
            stamp = datetime.fromisoformat(ev.date.replace("Z", "+00:00"))
        except ValueError:
            warn.append(Warning(ev.where, f"bad date {ev.date!r} ignored"))
    if stamp is not None and stamp.tzinfo is not None:
        local = stamp.astimezone(tz)
        if start is not None and (local.hour, local.minute) != (start.hour, start.minute):
            warn.append(
                Warning(
                    ev.where,
                    f"date {ev.date} is {local:%H:%M} local, start says {start:%H:%M}: start kept",
                )
            )
            return datetime.combine(local.date(), start, tz)
        return local.replace(second=0, microsecond=0)
    if stamp is not None and start is None:
        return stamp.replace(tzinfo=tz, second=0, microsecond=0)
    if start is None:
        return None
    # No usable date: the day's local date, and after midnight the next calendar day.
    day_start = None
    if ev.day_start:
        try:
            day_start = datetime.fromisoformat(ev.day_start.replace("Z", "+00:00")).astimezone(tz)
        except ValueError:
            day_start = None
    if day_start is not None:
        candidate = datetime.combine(day_start.date(), start, tz)
        if candidate < day_start:
            candidate = datetime.combine(day_start.date() + timedelta(days=1), start, tz)
            warn.append(
                Warning(
                    ev.where,
                    f"starts at {start:%H:%M}, after midnight: put on {candidate:%Y-%m-%d}",
                )
            )
        return candidate
    if ev.day_date:
        try:
            return datetime.combine(date.fromisoformat(ev.day_date), start, tz)
        except ValueError:
            return None
    return None


def import_schedule(
    data: bytes,
    name: str = "<schedule>",
    *,
    room: str | None = None,
    day: str | None = None,
) -> Imported:
    """Read a schedule.xml or schedule.json into a programme.

    Args:
        room: keep only this room (its name or id).
        day: keep only this day (its index from 1, or a date 2025-09-25).

    Raises:
        ProgrammeError: the file cannot be read at all (too large, unsafe XML, not a schedule).
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(name, f"the file is larger than {MAX_IMPORT_BYTES} bytes")
    warn: list[Warning] = []
    kind = _detect(data)
    if kind == "xml":
        try:
            root = safe_fromstring(
                data, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except DefusedXmlException as exc:
            raise _refuse(
                name, f"refused: the XML declares a DTD or entities ({type(exc).__name__})"
            ) from None
        except Exception as exc:  # ParseError and friends
            raise _refuse(name, f"not valid XML: {exc}") from None
        if root.tag != "schedule":
            raise _refuse(name, f"not a schedule.xml (root element <{root.tag}>)")
        meta, events = _xml_events(root)
    else:
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise _refuse(name, f"not valid JSON: {exc}") from None
        meta, events = _json_events(parsed)
    title = plain_text(meta.get("title")) or "Program"
    tzname = meta.get("time_zone_name") or ""
    try:
        tz = ZoneInfo(tzname) if isinstance(tzname, str) and tzname else None
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    if tz is None:
        warn.append(
            Warning("", f"time zone {tzname!r} unknown or missing: Europe/Copenhagen assumed")
        )
        tz, tzname = ZoneInfo("Europe/Copenhagen"), "Europe/Copenhagen"
    slot = _duration(meta.get("timeslot_duration")) or timedelta(minutes=15)

    rooms: dict[str, Room] = {}
    items: list[Item] = []
    used_ids: set[str] = set()
    day_dates: list[date] = []
    for ev in events:
        if not ev.title.strip():
            warn.append(Warning(ev.where, "no title: skipped"))
            continue
        start = _local_start(ev, tz, warn)
        if start is None:
            warn.append(Warning(ev.where, "no usable date or start: skipped"))
            continue
        length = _duration(ev.duration)
        if length is None:
            assumed = int(slot.total_seconds() // 60)
            msg = f"duration {ev.duration!r} empty or bad: {assumed} min assumed"
            warn.append(Warning(ev.where, msg))
            length = slot
        if not ev.guid:
            warn.append(Warning(ev.where, "no guid: one was made"))
        if not ev.type:
            warn.append(Warning(ev.where, "no type: talk assumed"))
        room_name = plain_text(ev.room) or "Sal"
        room_id = _slug(room_name)
        rooms.setdefault(room_id, Room(room_id, room_name))
        item_id = (
            _slug(ev.id)
            if ev.id
            else (ev.guid[:8] if ev.guid else _slug(f"{start:%H%M}-{ev.title}"))
        )
        base, n = item_id, 2
        while item_id in used_ids:
            item_id, n = f"{base}-{n}", n + 1
        used_ids.add(item_id)
        abstract, description = plain_text(ev.abstract), plain_text(ev.description)
        if not description or description == abstract:
            text = abstract
        elif not abstract or description.startswith(abstract):
            text = description  # the description repeats the abstract (Podium's own export does)
        else:
            text = f"{abstract}\n\n{description}"
        text, insights = split_insights(text)
        end = (start.replace(tzinfo=None) + length).replace(tzinfo=tz)
        items.append(
            Item(
                id=item_id,
                title=plain_text(ev.title),
                kind=_kind(ev.type, ev.title),
                start=start,
                end=end,
                room=room_id,
                speakers=_persons(ev.persons, ev.where, warn),
                description=text,
                insights=insights,
                questions=_kind(ev.type, ev.title) == "panel",
            )
        )
        day_dates.append(start.date())
    if not items:
        raise _refuse(name, "no events could be read")
    if room is not None:
        keep = {rid for rid, r in rooms.items() if room in (rid, r.name)}
        if not keep:
            raise _refuse(
                name, f"no room {room!r} (rooms: {', '.join(r.name for r in rooms.values())})"
            )
        items = [i for i in items if i.room in keep]
        rooms = {k: v for k, v in rooms.items() if k in keep}
    if day is not None:
        days = sorted(set(i.start.date() for i in items))
        if day.isdigit():
            n = int(day)
            if not 1 <= n <= len(days):
                raise _refuse(name, f"no day {n} (the schedule has {len(days)} days)")
            chosen = days[n - 1]
        else:
            try:
                chosen = date.fromisoformat(day)
            except ValueError:
                raise _refuse(name, f"bad --day {day!r} (a number or 2025-09-25)") from None
        items = [i for i in items if i.start.date() == chosen]
        if not items:
            raise _refuse(name, f"no events on {chosen}")
    items.sort(key=lambda i: (i.start, i.room))
    by_room: dict[str, Item] = {}
    for it in items:
        prev = by_room.get(it.room)
        if prev is not None and it.start < prev.end:
            warn.append(
                Warning(f"event {it.id} ({it.title!r})", f"overlaps {prev.title!r} in {it.room}")
            )
        by_room[it.room] = it if prev is None or it.end > prev.end else prev
    first = items[0].start
    event = Event(
        title=title,
        date=first.date(),
        timezone=str(tzname),
        url=str(meta.get("url") or meta.get("base_url") or ""),
    )
    used_rooms = [r for r in rooms.values() if any(i.room == r.id for i in items)]
    return Imported(
        Programme(event=event, rooms=tuple(used_rooms), items=tuple(items)), tuple(warn)
    )


# --- export -------------------------------------------------------------------------


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
            "version": "podium",
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
    SubElement(root, "version").text = "podium"
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
