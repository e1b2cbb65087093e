"""frab/pretalx ``schedule.xml`` and ``schedule.json``: lenient import (export is in
:mod:`server.programme.schedule_export`).

Import reads what real files hold (they rarely match the schema), guesses where it
must and reports every guess or skip as an :class:`ImportNotice` naming the event. Times:
the conference's ``time_zone_name`` and each event's local ``start`` are trusted; an
event's ``date`` may be in UTC and the ``day/@date`` may be a UTC date one day behind,
so neither is allowed to move an event by an hour or a day.

XML is parsed with defusedxml: no DTD, no entities, no network. Files are limited in
size.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from server.programme.model import KINDS, Event, Item, Programme, Room, Speaker
from server.programme.native import Problem, ProgrammeError, _slug
from server.programme.plaintext import plain_text, split_insights
from server.strings import IMPORT, say

#: Largest schedule file read (the biggest real ones are a few MiB).
MAX_IMPORT_BYTES = 10 * 1024 * 1024
_NS = uuid.UUID("6f3b1c52-2d0e-4b6f-9a55-5f0d6a3e7c11")  # Podium's namespace for guids


@dataclass(frozen=True)
class ImportNotice:
    """A guess or a skip made while importing, with the event it concerns.

    ``where`` names the event (its id and title, "" for the whole schedule); the message
    is a key of :data:`server.strings.IMPORT`, written out in either language.
    """

    where: str
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "da") -> str:
        """The message alone, in Danish (default) or English."""
        return say(IMPORT, lang, self.key, **dict(self.params))

    @property
    def message(self) -> str:
        return self.text("en")

    def line(self, lang: str = "da") -> str:
        """The event and the message, as the organiser reads it."""
        if not self.where:
            return self.text(lang)
        return f"{say(IMPORT, lang, 'event')} {self.where}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.line("en")


def _notice(where: str, key: str, **params: object) -> ImportNotice:
    return ImportNotice(where, key, tuple(params.items()))


@dataclass(frozen=True)
class Imported:
    programme: Programme
    warnings: tuple[ImportNotice, ...]


def item_guid(programme: Programme, item: Item) -> str:
    """A stable UUID for an item (the same for the same event title and item id)."""
    return str(uuid.uuid5(_NS, f"{programme.event.title}\x1f{item.id}"))


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


def _persons(value: Any, where: str, warn: list[ImportNotice]) -> tuple[Speaker, ...]:
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
            warn.append(_notice(where, "persons_split", name=name, n=len(parts)))
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
    raise ProgrammeError([Problem("", None, "", "", say(IMPORT, "en", "not_a_schedule"))])


def _refuse(name: str, lang: str, key: str, **params: object) -> ProgrammeError:
    return ProgrammeError([Problem(name, None, "", "", say(IMPORT, lang, key, **params), key)])


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
                        where=f"{ev.get('id') or ev.get('guid') or '?'} ({title!r})",
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
                        where=f"{ev.get('id') or ev.get('guid') or '?'} ({title!r})",
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


def _local_start(ev: _RawEvent, tz: ZoneInfo, warn: list[ImportNotice]) -> datetime | None:
    """The event's start in the conference's zone: trust the local start time."""
    start = _hhmm(ev.start)
    stamp = None
    if ev.date:
        try:
            stamp = datetime.fromisoformat(ev.date.replace("Z", "+00:00"))
        except ValueError:
            warn.append(_notice(ev.where, "bad_date", date=ev.date))
    if stamp is not None and stamp.tzinfo is not None:
        local = stamp.astimezone(tz)
        if start is not None and (local.hour, local.minute) != (start.hour, start.minute):
            warn.append(
                _notice(
                    ev.where,
                    "start_kept",
                    date=ev.date,
                    local=f"{local:%H.%M}",
                    start=f"{start:%H.%M}",
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
                _notice(
                    ev.where, "after_midnight", start=f"{start:%H.%M}", day=f"{candidate:%Y-%m-%d}"
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
    lang: str = "da",
) -> Imported:
    """Read a schedule.xml or schedule.json into a programme.

    Four steps: detect and extract the raw events, resolve the time zone, build the
    items (each local ``start`` trusted over any UTC date), then keep the chosen room
    and day and note overlaps.

    Args:
        room: keep only this room (its name or id).
        day: keep only this day (its index from 1, or a date 2025-09-25).
        lang: the language of a refusal (notices carry both).

    Raises:
        ProgrammeError: the file cannot be read at all (too large, unsafe XML, not a schedule).
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(name, lang, "too_large", size=MAX_IMPORT_BYTES)
    warn: list[ImportNotice] = []
    meta, events = _extract(data, name, lang)
    tz, tzname = _time_zone(meta, warn)
    slot = _duration(meta.get("timeslot_duration")) or timedelta(minutes=15)
    rooms, items = _build(events, tz, slot, warn)
    if not items:
        raise _refuse(name, lang, "no_events")
    if room is not None:
        rooms, items = _only_room(rooms, items, room, name, lang)
    if day is not None:
        items = _only_day(items, day, name, lang)
    items.sort(key=lambda i: (i.start, i.room))
    _note_overlaps(items, warn)
    event = Event(
        title=plain_text(meta.get("title")) or "Program",
        date=items[0].start.date(),
        timezone=tzname,
        url=str(meta.get("url") or meta.get("base_url") or ""),
    )
    used_rooms = [r for r in rooms.values() if any(i.room == r.id for i in items)]
    return Imported(
        Programme(event=event, rooms=tuple(used_rooms), items=tuple(items)), tuple(warn)
    )


def _extract(data: bytes, name: str, lang: str) -> tuple[dict[str, Any], list[_RawEvent]]:
    """Detect XML or JSON and read the conference's fields and the raw events."""
    if _detect(data) == "xml":
        try:
            root = safe_fromstring(
                data, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except DefusedXmlException as exc:
            raise _refuse(name, lang, "xml_dtd", kind=type(exc).__name__) from None
        except Exception as exc:  # ParseError and friends
            raise _refuse(name, lang, "bad_xml", error=exc) from None
        if root.tag != "schedule":
            raise _refuse(name, lang, "not_schedule_xml", tag=root.tag)
        return _xml_events(root)
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _refuse(name, lang, "bad_json", error=exc) from None
    return _json_events(parsed)


def _time_zone(meta: dict[str, Any], warn: list[ImportNotice]) -> tuple[ZoneInfo, str]:
    """The conference's ``time_zone_name``; Europe/Copenhagen (with a warning) without one."""
    tzname = meta.get("time_zone_name") or ""
    try:
        if isinstance(tzname, str) and tzname:
            return ZoneInfo(tzname), tzname
    except (ZoneInfoNotFoundError, ValueError):
        pass
    warn.append(_notice("", "timezone_assumed", tz=tzname))
    return ZoneInfo("Europe/Copenhagen"), "Europe/Copenhagen"


def _build(
    events: list[_RawEvent], tz: ZoneInfo, slot: timedelta, warn: list[ImportNotice]
) -> tuple[dict[str, Room], list[Item]]:
    """Items (and their rooms) from the raw events; what cannot be read is skipped, noted."""
    rooms: dict[str, Room] = {}
    items: list[Item] = []
    used_ids: set[str] = set()
    for ev in events:
        if not ev.title.strip():
            warn.append(_notice(ev.where, "no_title"))
            continue
        start = _local_start(ev, tz, warn)
        if start is None:
            warn.append(_notice(ev.where, "no_start"))
            continue
        length = _duration(ev.duration)
        if length is None:
            assumed = int(slot.total_seconds() // 60)
            warn.append(_notice(ev.where, "duration_assumed", got=ev.duration, n=assumed))
            length = slot
        if not ev.guid:
            warn.append(_notice(ev.where, "no_guid"))
        if not ev.type:
            warn.append(_notice(ev.where, "no_type"))
        room_name = plain_text(ev.room) or "Sal"
        room_id = _slug(room_name)
        rooms.setdefault(room_id, Room(room_id, room_name))
        item_id = _unique_id(ev, start, used_ids)
        text, insights = split_insights(_text_of(ev))
        # Wall-clock arithmetic: an event across a DST change keeps its local end.
        end = (start.replace(tzinfo=None) + length).replace(tzinfo=tz)
        kind = _kind(ev.type, ev.title)
        items.append(
            Item(
                id=item_id,
                title=plain_text(ev.title),
                kind=kind,
                start=start,
                end=end,
                room=room_id,
                speakers=_persons(ev.persons, ev.where, warn),
                description=text,
                insights=insights,
                questions=kind == "panel",
            )
        )
    return rooms, items


def _unique_id(ev: _RawEvent, start: datetime, used: set[str]) -> str:
    item_id = (
        _slug(ev.id) if ev.id else (ev.guid[:8] if ev.guid else _slug(f"{start:%H%M}-{ev.title}"))
    )
    base, n = item_id, 2
    while item_id in used:
        item_id, n = f"{base}-{n}", n + 1
    used.add(item_id)
    return item_id


def _text_of(ev: _RawEvent) -> str:
    """Abstract and description as one text, without saying the same thing twice."""
    abstract, description = plain_text(ev.abstract), plain_text(ev.description)
    if not description or description == abstract:
        return abstract
    if not abstract or description.startswith(abstract):
        return description  # the description repeats the abstract (Podium's own export does)
    return f"{abstract}\n\n{description}"


def _only_room(
    rooms: dict[str, Room], items: list[Item], room: str, name: str, lang: str
) -> tuple[dict[str, Room], list[Item]]:
    keep = {rid for rid, r in rooms.items() if room in (rid, r.name)}
    if not keep:
        names = ", ".join(r.name for r in rooms.values())
        raise _refuse(name, lang, "no_room", room=room, rooms=names)
    return {k: v for k, v in rooms.items() if k in keep}, [i for i in items if i.room in keep]


def _only_day(items: list[Item], day: str, name: str, lang: str) -> list[Item]:
    days = sorted({i.start.date() for i in items})
    if day.isdigit():
        n = int(day)
        if not 1 <= n <= len(days):
            raise _refuse(name, lang, "no_day", n=n, days=len(days))
        chosen = days[n - 1]
    else:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            raise _refuse(name, lang, "bad_day", day=day) from None
    kept = [i for i in items if i.start.date() == chosen]
    if not kept:
        raise _refuse(name, lang, "no_events_on", day=chosen)
    return kept


def _note_overlaps(items: list[Item], warn: list[ImportNotice]) -> None:
    """A warning for each item that starts before the one before it in its room ends."""
    by_room: dict[str, Item] = {}
    for it in items:
        prev = by_room.get(it.room)
        if prev is not None and it.start < prev.end:
            where = f"{it.id} ({it.title!r})"
            warn.append(_notice(where, "overlaps", other=prev.title, room=it.room))
        by_room[it.room] = it if prev is None or it.end > prev.end else prev
