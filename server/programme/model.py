"""The programme of an event as plain, immutable data.

Nothing here does I/O: the formats (native TOML, later frab/pretalx and iCalendar)
build these objects, and the live-state rules read them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.contract import KINDS, PAUSE_KINDS

__all__ = ["KINDS", "PAUSE_KINDS", "Event", "Item", "Programme", "Room", "Speaker"]


@dataclass(frozen=True)
class Speaker:
    """A person or organisation on stage for an item."""

    name: str
    role: str = ""
    organisation: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "organisation": self.organisation}


@dataclass(frozen=True)
class Room:
    """A room (hall) of the venue."""

    id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Item:
    """One item of the programme, with its planned times in the event's time zone."""

    id: str
    title: str
    kind: str
    start: datetime
    end: datetime
    room: str
    speakers: tuple[Speaker, ...] = ()
    description: str = ""
    insights: tuple[str, ...] = ()
    questions: bool = False

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def is_pause(self) -> bool:
        return self.kind in PAUSE_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "room": self.room,
            "speakers": [s.to_dict() for s in self.speakers],
            "description": self.description,
            "insights": list(self.insights),
            "questions": self.questions,
        }


@dataclass(frozen=True)
class Event:
    """The event as a whole: what the welcome screen and the attendee client show."""

    title: str
    date: date
    timezone: str
    subtitle: str = ""
    introduction: str = ""
    venue: str = ""
    entrance: str = ""
    practical: tuple[str, ...] = ()
    accessibility: str = ""
    price: str = ""
    registration: str = ""
    organiser: str = ""
    organiser_about: str = ""
    contact: str = ""
    moderator: str = ""
    caveat: str = ""
    url: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date.isoformat(),
            "timezone": self.timezone,
            "introduction": self.introduction,
            "venue": self.venue,
            "entrance": self.entrance,
            "practical": list(self.practical),
            "accessibility": self.accessibility,
            "price": self.price,
            "registration": self.registration,
            "organiser": self.organiser,
            "organiser_about": self.organiser_about,
            "contact": self.contact,
            "moderator": self.moderator,
            "caveat": self.caveat,
            "url": self.url,
        }


@dataclass(frozen=True)
class Programme:
    """An event, its rooms and its items (sorted by start, then room)."""

    event: Event
    rooms: tuple[Room, ...]
    items: tuple[Item, ...]
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({item.id: n for n, item in enumerate(self.items)})

    def item(self, item_id: str) -> Item | None:
        """The item with this id, or None."""
        n = self._index.get(item_id)
        return None if n is None else self.items[n]

    def room_of(self, item_id: str) -> str:
        """The room an item belongs to (an item without one, or none at all: the first)."""
        item = self.item(item_id)
        return item.room if item is not None and item.room else self.default_room

    def in_room(self, room: str | None) -> tuple[Item, ...]:
        """The items of one room (all items when room is None)."""
        if room is None:
            return self.items
        return tuple(i for i in self.items if i.room == room)

    @property
    def default_room(self) -> str:
        return self.rooms[0].id if self.rooms else ""

    def has_room(self, room: str) -> bool:
        return any(r.id == room for r in self.rooms)

    def room_id(self, room: str | None) -> str:
        """The room named, by id; the first room when none or no such room is named."""
        return room if room and self.has_room(room) else self.default_room

    def find_room(self, room: str | None) -> str | None:
        """The room a client names, by its id or its name in any case ("Meitner", "b" for
        "B"); the first room when it names none; None when no room is called that."""
        if not room:
            return self.default_room
        if self.has_room(room):
            return room
        key = unicodedata.normalize("NFC", room).strip().casefold()
        for r in self.rooms:
            if key in (r.id.casefold(), unicodedata.normalize("NFC", r.name).strip().casefold()):
                return r.id
        return None

    def room_list(self) -> str:
        """Every room, as a client may name it: "faellessalen (Fællessalen), b (Sal B)"."""
        return ", ".join(
            f"{r.id} ({r.name})" if r.name and r.name != r.id else r.id for r in self.rooms
        )

    def to_dict(self) -> dict[str, Any]:
        """The programme as JSON-ready data (also the stored form)."""
        return {
            "event": self.event.to_dict(),
            "rooms": [r.to_dict() for r in self.rooms],
            "items": [i.to_dict() for i in self.items],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Programme:
        """Rebuild a programme from :meth:`to_dict` output (trusted, stored data)."""
        ev = dict(data["event"])
        ev["date"] = date.fromisoformat(ev["date"])
        ev["practical"] = tuple(ev.get("practical", ()))
        event = Event(**ev)
        rooms = tuple(Room(**r) for r in data["rooms"])
        items = tuple(
            Item(
                id=i["id"],
                title=i["title"],
                kind=i["kind"],
                start=datetime.fromisoformat(i["start"]),
                end=datetime.fromisoformat(i["end"]),
                room=i["room"],
                speakers=tuple(Speaker(**s) for s in i["speakers"]),
                description=i["description"],
                insights=tuple(i["insights"]),
                questions=i["questions"],
            )
            for i in data["items"]
        )
        return cls(event=event, rooms=rooms, items=items)
