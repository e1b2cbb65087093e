"""frab/pretalx ``schedule.xml`` and ``schedule.json``, and iCalendar: lenient import
(export is in :mod:`server.programme.schedule_export`; the dialects each generator writes
are read in :mod:`server.programme.readers`).

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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from icalendar import Calendar

from server.programme.model import KINDS, Event, Item, Programme, Room, Speaker
from server.programme.native import Problem, ProgrammeError, _slug
from server.programme.plaintext import plain_text, split_insights
from server.programme.readers import RawEvent, Tally, ics_events, json_events, xml_events
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
    "tea": "break",
    "refreshments": "break",
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
    "bof": "panel",
    "podium": "panel",
    "welcome": "welcome",
    "velkommen": "welcome",
    "opening": "welcome",
    "closing": "closing",
    "farvel": "closing",
    "afslutning": "closing",
    "velkomst": "welcome",
    "morgenmad": "lunch",
}
#: Words Danish ends a compound with ("kaffepause"): matched at a word's end too.
_COMPOUND_ENDS = frozenset({"pause", "kaffe", "frokost", "morgenmad", "middag", "velkomst"})


#: Types that are talks: frab's "lecture", pentabarf's "maintrack" and "devroom", ….
_TALK_TYPES = frozenset(
    {"lecture", "talk", "keynote", "long talk", "short talk", "maintrack", "devroom",
     "presentation", "vortrag", "foredrag", "oplæg", "session"}
)  # fmt: skip


def _kind(type_: str, title: str, theme: str = "") -> str:
    """The item's kind from its type, else from words in its title or its track/category
    ("theme"): a type no word explains is "other", an item with none a talk."""
    # "Long talk (45 minutes)" (wafer) is a long talk.
    t = re.sub(r"\s*\([^)]*\)\s*$", "", type_.strip().lower())
    if t in KINDS:
        return t
    for word in (t, title.strip().lower(), theme.strip().lower()):
        for key, kind in _KIND_WORDS.items():
            # Danish joins words: "kaffepause", "formiddagskaffe" end with the word.
            lead = "" if key in _COMPOUND_ENDS else r"\b"
            if re.search(rf"{lead}{key}\b", word):
                return kind
    return "talk" if t in _TALK_TYPES or t.endswith("talk") else "other" if t else "talk"


def _duration(value: Any, tally: Tally | None = None) -> timedelta | None:
    """'01:30', '1:30:00', 'PT1H30M' (ISO 8601) or, guessed as minutes, a bare '90'."""
    if not isinstance(value, str):
        return None
    d = None
    if m := re.match(r"^\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$", value):
        d = timedelta(hours=int(m.group(1)), minutes=int(m.group(2)), seconds=int(m.group(3) or 0))
    elif m := re.match(r"^\s*PT(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,5})S)?\s*$", value, re.I):
        d = timedelta(
            hours=int(m.group(1) or 0), minutes=int(m.group(2) or 0), seconds=int(m.group(3) or 0)
        )
    elif m := re.match(r"^\s*(\d{1,4})\s*$", value):
        d = timedelta(minutes=int(m.group(1)))
        if tally is not None and d > timedelta(0):
            tally.add("duration_minutes", got=value.strip())
    return d if d is not None and d > timedelta(0) else None


def _hhmm(value: Any, tally: Tally | None = None) -> time | None:
    """'09:30', '9.30' or, from a hand-made export, '0930'."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*(\d{1,2})[:.](\d{2})", value)
    if m is None and (m := re.match(r"^\s*(\d{2})(\d{2})\s*$", value)) and tally is not None:
        tally.add("start_no_colon", got=value.strip())
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return time(int(m.group(1)), int(m.group(2)))
    return None


_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "af", "bin", "al"}
)


def _looks_like_a_name(text: str) -> bool:
    """'Ida Holm' or 'Prof. Dr. Vera Meister' yes; 'r8Dio og andre samarbejdspartnere' no
    (so it is not split)."""
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() or w in _PARTICLES for w in words)


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
    seen: set[str] = set()
    speakers = []
    for n in names:
        text = plain_text(n)
        if text and text not in seen:
            seen.add(text)
            speakers.append(Speaker(name=text))
    return tuple(speakers)


def _detect(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    if head[:15].upper() == b"BEGIN:VCALENDAR":
        return "ics"
    raise ProgrammeError([Problem("", None, "", "", say(IMPORT, "en", "not_a_schedule"))])


def _refuse(name: str, lang: str, key: str, **params: object) -> ProgrammeError:
    return ProgrammeError([Problem(name, None, "", "", say(IMPORT, lang, key, **params), key)])


def _local_start(
    ev: RawEvent, tz: ZoneInfo, warn: list[ImportNotice], tally: Tally
) -> datetime | None:
    """The event's start in the conference's zone: trust the local start time."""
    start = _hhmm(ev.start, tally)
    stamp = None
    if ev.date:
        try:
            stamp = datetime.fromisoformat(ev.date.replace("Z", "+00:00"))
        except ValueError:
            warn.append(_notice(ev.where, "bad_date", date=ev.date))
    if ev.local and stamp is not None:
        # iCalendar: a time with its zone is converted, a floating one is the event's own.
        local = stamp.astimezone(tz) if stamp.tzinfo is not None else stamp.replace(tzinfo=tz)
        return local.replace(second=0, microsecond=0)
    if stamp is not None and stamp.tzinfo is not None:
        local = stamp.astimezone(tz)
        if (
            start is not None
            and stamp.utcoffset() == timedelta(0)
            and (stamp.hour, stamp.minute) == (start.hour, start.minute)
            and local.utcoffset() != timedelta(0)
        ):
            # A static-site generator marks local times as UTC: 09:00Z beside <start>09:00.
            tally.add("utc_local", date=ev.date)
            return datetime.combine(stamp.date(), start, tz)
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
    if stamp is not None:  # a date without a zone beside the local start: the date holds
        return datetime.combine(stamp.date(), start, tz)
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
    timezone: str | None = None,
    lang: str = "da",
) -> Imported:
    """Read a schedule.xml, schedule.json or iCalendar file into a programme.

    Four steps: detect and extract the raw events, resolve the time zone, build the
    items (each local ``start`` trusted over any UTC date), then keep the chosen room
    and day and note overlaps.

    Args:
        room: keep only this room (its name or id).
        day: keep only this day (its index from 1, or a date 2025-09-25).
        timezone: the event's zone, for a file that names none (or names a wrong one).
        lang: the language of a refusal (notices carry both).

    Raises:
        ProgrammeError: the file cannot be read at all (too large, unsafe XML, not a
            schedule, an unknown ``timezone``).
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(name, lang, "too_large", size=MAX_IMPORT_BYTES)
    warn: list[ImportNotice] = []
    tally = Tally()
    meta, events = _extract(data, name, lang, tally)
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise _refuse(name, lang, "bad_timezone", tz=timezone) from None
        meta["time_zone_name"] = timezone
    tz, tzname = _time_zone(meta, warn)
    slot = _duration(meta.get("timeslot_duration")) or timedelta(minutes=15)
    rooms, items = _build(events, tz, slot, warn, tally)
    warn[:0] = [_notice("", key, n=n, **ex) for key, (n, ex) in tally.seen.items()]
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


def _extract(
    data: bytes, name: str, lang: str, tally: Tally
) -> tuple[dict[str, Any], list[RawEvent]]:
    """Detect XML, JSON or iCalendar and read the conference's fields and the raw events."""
    kind = _detect(data)
    if kind == "xml":
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
        return xml_events(root, tally)
    if kind == "ics":
        try:
            cal = Calendar.from_ical(data)
        except Exception as exc:  # the library raises ValueError and friends
            raise _refuse(name, lang, "bad_ics", error=exc) from None
        return ics_events(cal, tally)
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _refuse(name, lang, "bad_json", error=exc) from None
    return json_events(parsed)


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


#: A room that means every room ("ALL" in a hand-made export).
_EVERY_ROOM = frozenset({"all", "all rooms", "alle", "alle sale", "everywhere", "*"})


def _room_names(events: list[RawEvent]) -> list[str]:
    """The rooms events are in one by one, in the order the file first names them."""
    names: dict[str, None] = {}
    for ev in events:
        name = plain_text(ev.room)
        if name and "," not in name and name.lower() not in _EVERY_ROOM:
            names.setdefault(name, None)
    return list(names)


def _rooms_of(ev: RawEvent, known: list[str], warn: list[ImportNotice]) -> list[str]:
    """The room or rooms an event is in: "C01, B05/B06" (two known rooms) is both, "ALL"
    or no room at all (in a file with rooms) is every room, each with a warning."""
    name = plain_text(ev.room)
    if name.lower() in _EVERY_ROOM or (not name and known):
        if known:
            key = "every_room" if name else "no_room_every"
            warn.append(_notice(ev.where, key, room=name, n=len(known)))
            return known
        return [name or "Sal"]
    if "," in name:
        parts = [p.strip() for p in name.split(",") if p.strip()]
        if sum(p in known for p in parts) >= 2:
            warn.append(_notice(ev.where, "several_rooms", rooms=", ".join(parts)))
            return parts
    return [name or "Sal"]


def _build(
    events: list[RawEvent],
    tz: ZoneInfo,
    slot: timedelta,
    warn: list[ImportNotice],
    tally: Tally,
) -> tuple[dict[str, Room], list[Item]]:
    """Items (and their rooms) from the raw events; what cannot be read is skipped, noted."""
    rooms: dict[str, Room] = {}
    items: list[Item] = []
    used_ids: set[str] = set()
    known = _room_names(events)
    for ev in events:
        if not ev.title.strip():
            warn.append(_notice(ev.where, "no_title"))
            continue
        start = _local_start(ev, tz, warn, tally)
        if start is None:
            warn.append(_notice(ev.where, "no_start"))
            continue
        length = _duration(ev.duration, tally)
        if length is None:
            assumed = int(slot.total_seconds() // 60)
            warn.append(_notice(ev.where, "duration_assumed", got=ev.duration, n=assumed))
            length = slot
        if not ev.guid and not ev.local:
            tally.add("no_guid", title=ev.title)
        if not ev.type:
            tally.add("no_type", title=ev.title)
        elif ev.type_from != "type":
            tally.add("type_from", field=ev.type_from, got=ev.type)
        text, insights = split_insights(_text_of(ev))
        # Wall-clock arithmetic: an event across a DST change keeps its local end.
        end = (start.replace(tzinfo=None) + length).replace(tzinfo=tz)
        kind = _kind(ev.type if ev.type_from == "type" else "", ev.title, ev.type)
        speakers = _persons(ev.persons, ev.where, warn)
        in_rooms = _rooms_of(ev, known, warn)
        base_id = _unique_id(ev, start, used_ids)
        for room_name in in_rooms:
            room_id = _slug(room_name)
            rooms.setdefault(room_id, Room(room_id, room_name))
            item_id = base_id
            if len(in_rooms) > 1:
                item_id = _fresh(f"{base_id}-{room_id}"[:60], used_ids)
            items.append(
                Item(
                    id=item_id,
                    title=plain_text(ev.title),
                    kind=kind,
                    start=start,
                    end=end,
                    room=room_id,
                    speakers=speakers,
                    description=text,
                    insights=insights,
                    questions=kind == "panel",
                )
            )
    return rooms, items


def _fresh(item_id: str, used: set[str]) -> str:
    base, n = item_id, 2
    while item_id in used:
        item_id, n = f"{base}-{n}", n + 1
    used.add(item_id)
    return item_id


def _unique_id(ev: RawEvent, start: datetime, used: set[str]) -> str:
    item_id = (
        _slug(ev.id) if ev.id else (ev.guid[:8] if ev.guid else _slug(f"{start:%H%M}-{ev.title}"))
    )
    return _fresh(item_id, used)


def _text_of(ev: RawEvent) -> str:
    """Subtitle, abstract and description as one text, without saying the same thing twice.

    The abstract and the description may be HTML (frab) or Markdown (pretalx, wafer)."""
    abstract = plain_text(ev.abstract, markdown=True)
    description = plain_text(ev.description, markdown=True)
    subtitle = plain_text(ev.subtitle)
    if not description or description == abstract:
        body = abstract
    elif not abstract or description.startswith(abstract):
        body = description  # the description repeats the abstract (Podium's own export does)
    else:
        body = f"{abstract}\n\n{description}"
    if subtitle and not body.startswith(subtitle):
        return f"{subtitle}\n\n{body}" if body else subtitle
    return body


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
