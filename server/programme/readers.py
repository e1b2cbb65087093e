"""The raw events of a schedule file, as its generator wrote them.

Three shapes are read, each in the many dialects real events publish:

- ``schedule.xml``: frab and pretalx (``day/room/event``), pentabarf (no time zone, no
  ``<date>``), wafer (``<date>`` in UTC, ``day/@date`` a day behind), a hand-made Django
  export (``day/entry``, ``<start>0930</start>``, ``<duration>30</duration>`` in minutes,
  ``<speakers><speaker><name>``, ``<category>``, one entry in "C01, B05/B06"), a static
  site (Jekyll: ``<person>`` straight under the event with "Dr. A, B" in one string,
  ``<track>`` for the kind, local times marked ``Z``);
- ``schedule.json``: frab and pretalx;
- iCalendar: Symposion ("Speaker: X" as the description's first line), hand-made files
  (``TZID`` without its ``VTIMEZONE``, ``CHARSET`` parameters, UTC times only, speakers
  as ``ATTENDEE;CN=``).

Nothing here decides a time or a room: :mod:`server.programme.schedule` does, with a
warning for every guess. What a reader had to guess about the file as a whole (a format
read one way rather than another) goes to a :class:`Tally`, one warning per kind of
guess rather than one per event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element


@dataclass
class RawEvent:
    """One event as read, every field a string (or None where the file has none)."""

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
    subtitle: str = ""
    #: Where the kind was read from: "type", or "track"/"category" when the file has no type.
    type_from: str = "type"
    #: Already in local time (iCalendar): the ``date`` is trusted as it stands.
    local: bool = False


@dataclass
class Tally:
    """Guesses about the file's format: counted, with the first example, said once."""

    seen: dict[str, tuple[int, dict[str, object]]] = field(default_factory=dict)

    def add(self, key: str, **example: object) -> None:
        n, first = self.seen.get(key, (0, example))
        self.seen[key] = (n + 1, first)


def _where(ev_id: str, title: str) -> str:
    return f"{ev_id or '?'} ({title!r})"


# --- XML ----------------------------------------------------------------------------------


def xml_events(root: Element, tally: Tally) -> tuple[dict[str, Any], list[RawEvent]]:
    """The conference's fields and every event of a ``<schedule>``, whichever nesting."""
    conf = root.find("conference")
    meta: dict[str, Any] = {}
    if conf is not None:
        for child in conf:
            if len(child) == 0:
                meta[child.tag] = (child.text or "").strip()
    events: list[RawEvent] = []
    for day in root.findall("day"):
        for child in day:
            if child.tag == "room":
                for ev in child:
                    if ev.tag in ("event", "entry"):
                        events.append(_xml_event(ev, day, child.get("name") or "", tally))
            elif child.tag in ("event", "entry"):
                events.append(_xml_event(child, day, "", tally))
    return meta, events


def _xml_persons(ev: Element, tally: Tally) -> list[str]:
    names: list[str] = []
    listed = ev.find("persons")
    if listed is not None:
        names += [p.text or "" for p in listed.findall("person")]
    loose = [p.text or "" for p in ev.findall("person")]
    if loose:
        tally.add("person_loose")
        names += loose
    speakers = ev.find("speakers")
    if speakers is not None:
        for s in speakers.findall("speaker"):
            name = s.findtext("name") or s.findtext("public_name") or (s.text or "")
            names.append(name)
    return names


def _xml_event(ev: Element, day: Element, room_name: str, tally: Tally) -> RawEvent:
    def text(tag: str) -> str | None:
        el = ev.find(tag)
        return None if el is None else (el.text or "")

    title = text("title") or ""
    ev_id = ev.get("id") or ev.get("guid") or ""
    type_, type_from = text("type") or "", "type"
    if not type_.strip():
        for other in ("category", "track"):
            if (text(other) or "").strip():
                type_, type_from = text(other) or "", other
                break
    room_el = ev.find("room")
    return RawEvent(
        where=_where(ev_id, title),
        id=ev.get("id") or "",
        guid=ev.get("guid") or "",
        title=title,
        type=type_,
        type_from=type_from,
        date=text("date"),
        start=text("start"),
        duration=text("duration"),
        room=(room_el.text or "").strip() if room_el is not None and room_el.text else room_name,
        abstract=text("abstract") or "",
        description=text("description") or "",
        subtitle=text("subtitle") or "",
        persons=_xml_persons(ev, tally),
        day_date=day.get("date"),
        day_start=day.get("start"),
    )


# --- JSON ---------------------------------------------------------------------------------


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _opt(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def json_events(data: Any) -> tuple[dict[str, Any], list[RawEvent]]:
    """The conference's fields and every event of a frab/pretalx ``schedule.json``."""
    sched = data.get("schedule", data) if isinstance(data, dict) else {}
    conf = sched.get("conference", {}) if isinstance(sched, dict) else {}
    if not isinstance(conf, dict):
        conf = {}
    events: list[RawEvent] = []
    for day in conf.get("days", []) or []:
        if not isinstance(day, dict):
            continue
        rooms = day.get("rooms", {})
        if not isinstance(rooms, dict):
            continue
        for room_name, evs in rooms.items():
            for ev in evs if isinstance(evs, list) else []:
                if isinstance(ev, dict):
                    events.append(_json_event(ev, day, str(room_name)))
    meta = {k: v for k, v in conf.items() if k not in ("days", "rooms")}
    return meta, events


def _json_event(ev: dict[str, Any], day: dict[str, Any], room_name: str) -> RawEvent:
    title = _str(ev.get("title"))
    type_, type_from = _str(ev.get("type")), "type"
    if not type_.strip() and _str(ev.get("track")).strip():
        type_, type_from = _str(ev.get("track")), "track"
    return RawEvent(
        where=_where(str(ev.get("id") or ev.get("guid") or ""), title),
        id=str(ev.get("id") or ""),
        guid=str(ev.get("guid") or ""),
        title=title,
        type=type_,
        type_from=type_from,
        date=_opt(ev.get("date")),
        start=_opt(ev.get("start")),
        duration=_opt(ev.get("duration")),
        room=str(ev.get("room") or room_name),
        abstract=_str(ev.get("abstract")),
        description=_str(ev.get("description")),
        subtitle=_str(ev.get("subtitle")),
        persons=ev.get("persons", []),
        day_date=_opt(day.get("date")),
        day_start=_opt(day.get("day_start")),
    )


# --- iCalendar ----------------------------------------------------------------------------

#: The first line of a description that names the speakers: "Speaker: Keith Packard"
#: (Symposion), "von: Jakob Sommer" (a hand-made calendar), "Oplægsholder: …".
_SPEAKER_LINE = re.compile(
    r"^\s*(?:speakers?|presenters?|presented by|sprecher(?:in|innen)?|referent(?:in|en)?|"
    r"vortragende[r]?|von|by|af|talere?|oplægsholdere?|intervenants?|orateurs?)\s*:\s*"
    r"(?P<names>[^\n]{1,200}?)\s*(?:\n|$)",
    re.IGNORECASE,
)


def ics_events(cal: Any, tally: Tally) -> tuple[dict[str, Any], list[RawEvent]]:
    """The calendar's name and zone and every timed VEVENT, times already local.

    ``cal`` is an ``icalendar.Calendar``. The zone is the calendar's ``X-WR-TIMEZONE``, or
    else the ``TZID`` most events use; UTC times are turned into it by
    :func:`server.programme.schedule.import_schedule`, which knows the zone.
    """
    meta: dict[str, Any] = {}
    name = cal.get("x-wr-calname") or cal.get("x-wr-caldesc")
    if name:
        meta["title"] = str(name)
    zones: dict[str, int] = {}
    vevents = list(cal.walk("VEVENT"))
    for ve in vevents:
        try:
            key = getattr(ve.get("dtstart").dt, "tzinfo", None)
        except (AttributeError, ValueError, TypeError):
            continue
        zone = getattr(key, "key", None)
        if isinstance(zone, str) and zone != "UTC":
            zones[zone] = zones.get(zone, 0) + 1
    declared = cal.get("x-wr-timezone")
    if declared:
        meta["time_zone_name"] = str(declared).strip()
    elif zones:
        meta["time_zone_name"] = max(zones, key=lambda z: zones[z])
    events = []
    for ve in vevents:
        try:
            ev = _ics_event(ve, tally)
        except (ValueError, TypeError) as exc:  # a property the library cannot read
            tally.add("broken_event", title=str(ve.get("summary") or ""), error=str(exc)[:80])
            continue
        if ev is not None:
            events.append(ev)
    return meta, events


def _ics_names(description: str, attendees: Iterable[Any], tally: Tally) -> tuple[list[str], str]:
    """Speakers from the first line of the description, else from ATTENDEE;CN=."""
    m = _SPEAKER_LINE.match(description)
    if m:
        tally.add("speakers_from_text", line=m.group(0).strip())
        names = re.split(r"\s*(?:,|;|&| and | og | und | et )\s*", m.group("names"))
        return [n for n in names if n.strip()], description[m.end() :]
    names = []
    for a in attendees:
        cn = getattr(a, "params", {}).get("CN")
        if isinstance(cn, str) and cn.strip():
            names.append(cn.strip())
    if names:
        tally.add("speakers_from_attendee")
    return names, description


def _hm(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _ics_event(ve: Any, tally: Tally) -> RawEvent | None:
    title = str(ve.get("summary") or "").strip()
    uid = str(ve.get("uid") or "").strip()
    where = _where(uid, title)
    start_prop = ve.get("dtstart")
    start = getattr(start_prop, "dt", None)
    if isinstance(start, date) and not isinstance(start, datetime):
        tally.add("all_day", title=title)
        return None
    if not isinstance(start, datetime):
        start = None
    end = getattr(ve.get("dtend"), "dt", None)
    length = getattr(ve.get("duration"), "dt", None)
    duration = None
    if isinstance(start, datetime) and isinstance(end, datetime):
        try:
            duration = _hm(end - start)
        except TypeError:  # one naive, one aware
            duration = None
    elif isinstance(length, timedelta):
        duration = _hm(length)
    if isinstance(start, datetime) and start.tzinfo is None:
        tally.add("floating", title=title)
    attendees = ve.get("attendee") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    description = str(ve.get("description") or "")
    names, description = _ics_names(description, attendees, tally)
    categories = ve.get("categories")
    cats = getattr(categories, "cats", None) if categories is not None else None
    if isinstance(categories, list):
        cats = [c for cat in categories for c in getattr(cat, "cats", [])]
    return RawEvent(
        where=where,
        id=uid.split("@", 1)[0],
        guid="",
        title=title,
        type=str(cats[0]) if cats else "",
        date=start.isoformat() if start is not None else None,
        start=None,
        duration=duration,
        room=str(ve.get("location") or "").strip(),
        abstract="",
        description=description,
        persons=names,
        day_date=None,
        day_start=None,
        local=True,
    )
