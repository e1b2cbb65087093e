"""The programme as iCalendar (RFC 5545) for attendees' calendars.

Stable UIDs (the same item gives the same UID in every export, so a re-import
updates instead of duplicating), local times with their TZID and the VTIMEZONE
that defines it, and the description with the speakers and the points.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from server.programme.model import Programme
from server.programme.plaintext import INSIGHTS_MARKER
from server.programme.schedule import item_guid
from server.programme.schedule_export import Times


def export_ics(
    programme: Programme, times: Times | None = None, now: datetime | None = None
) -> str:
    """An iCalendar file with one VEVENT per item."""
    ev = programme.event
    rooms = {r.id: r.name for r in programme.rooms}
    cal = Calendar()
    cal.add("prodid", "-//Podium//Podium programme//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", ev.title)
    cal.add("x-wr-timezone", ev.timezone)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    for item in programme.items:
        start, end = times.get(item.id, (item.start, item.end)) if times else (item.start, item.end)
        vevent = VEvent()
        vevent.add("uid", f"{item_guid(programme, item)}@podium")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", start.astimezone(ev.tz))
        vevent.add("dtend", end.astimezone(ev.tz))
        vevent.add("summary", item.title)
        where = ", ".join(p for p in (rooms.get(item.room, ""), ev.venue.rstrip(".")) if p)
        if where:
            vevent.add("location", where)
        parts = []
        if item.speakers:
            parts.append(
                "\n".join(
                    ", ".join(p for p in (s.name, s.role, s.organisation) if p)
                    for s in item.speakers
                )
            )
        if item.description:
            parts.append(item.description)
        if item.insights:
            parts.append(INSIGHTS_MARKER + "\n" + "\n".join(f"- {p}" for p in item.insights))
        if parts:
            vevent.add("description", "\n\n".join(parts))
        vevent.add("categories", [item.kind])
        if ev.url.startswith(("http://", "https://")):
            vevent.add("url", ev.url)
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return str(cal.to_ical().decode("utf-8"))
