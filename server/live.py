"""The live state of the day as plain, immutable data: rooms, messages, questions, votes, notes.

No rules here (they are in :mod:`server.rules`) and no I/O: the values every other part
of the server passes around, stores and turns into views.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from server.changes import Change
from server.programme.model import Item, Programme

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Message:
    """A hall or stage message, with an optional expiry."""

    text: str
    set_at: datetime
    expires_at: datetime | None = None
    until_item: str | None = None  # a stage message about this item goes when it ends

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at

    @classmethod
    def from_dict(cls, m: Mapping[str, Any] | None) -> Message | None:
        if not m:
            return None
        exp = m.get("expires_at")
        return cls(
            m["text"],
            datetime.fromisoformat(m["set_at"]),
            datetime.fromisoformat(exp) if exp else None,
            m.get("until_item"),
        )

    def to_dict(self) -> dict[str, Any]:
        d = {
            "text": self.text,
            "set_at": self.set_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }
        if self.until_item:
            d["until_item"] = self.until_item
        return d


@dataclass(frozen=True)
class RoomLive:
    """The live state of one room."""

    mode: str = "clock"  # "clock" | "manual"
    item_id: str | None = None  # manual: the live item (None: nothing live)
    since: datetime | None = None  # manual: when the live item went live
    ended: bool = False  # manual: moved past the last item
    delay_minutes: int = 0
    delay_from: int = 0  # index (in the room) of the first item the delay applies to
    extensions: Mapping[str, int] = field(
        default_factory=lambda: _EMPTY
    )  # item id -> minutes added
    # The delays set before the current one, (from index, minutes) in order: an item before
    # ``delay_from`` keeps the delay it had (a delay never moves what already happened).
    earlier_delays: tuple[tuple[int, int], ...] = ()
    # The item that was live before a step (id, when it went live), so that ``previous``
    # brings it back as it was.
    before: tuple[str, datetime] | None = None
    # The room's own announcement on its hall screens, and its stage monitor's message.
    hall_message: Message | None = None
    stage_message: Message | None = None

    def delay_for(self, index: int) -> int:
        """The delay (minutes) of the room's item at ``index``."""
        if index >= self.delay_from:
            return self.delay_minutes
        minutes = 0
        for start, m in self.earlier_delays:
            if start <= index:
                minutes = m
        return minutes

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "item_id": self.item_id,
            "since": self.since.isoformat() if self.since else None,
            "ended": self.ended,
            "delay_minutes": self.delay_minutes,
            "delay_from": self.delay_from,
            "extensions": dict(self.extensions),
            "earlier_delays": [list(step) for step in self.earlier_delays],
            "before": [self.before[0], self.before[1].isoformat()] if self.before else None,
            "hall_message": self.hall_message.to_dict() if self.hall_message else None,
            "stage_message": self.stage_message.to_dict() if self.stage_message else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RoomLive:
        return cls(
            mode=d["mode"],
            item_id=d["item_id"],
            since=datetime.fromisoformat(d["since"]) if d["since"] else None,
            ended=d["ended"],
            delay_minutes=d["delay_minutes"],
            delay_from=d["delay_from"],
            extensions=MappingProxyType(dict(d["extensions"])),
            earlier_delays=tuple((int(a), int(b)) for a, b in d.get("earlier_delays") or ()),
            before=(d["before"][0], datetime.fromisoformat(d["before"][1]))
            if d.get("before")
            else None,
            hall_message=Message.from_dict(d.get("hall_message")),
            stage_message=Message.from_dict(d.get("stage_message")),
        )


@dataclass(frozen=True)
class Live:
    """Everything live that is not a question, a vote or a note."""

    rooms: Mapping[str, RoomLive] = field(default_factory=lambda: _EMPTY)
    # The announcement on every room's hall screens (a room's own is in its RoomLive).
    hall_message: Message | None = None
    # A stage message for every room: stored by versions before rooms had their own.
    stage_message: Message | None = None
    questions_open: Mapping[str, bool] = field(
        default_factory=lambda: _EMPTY
    )  # item id -> moderator's override
    on_screen: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # room id -> question id
    # room id -> the item that was live when the question went on screen: it goes off when
    # that item ends (a question shown before the day or between items stays until hidden).
    on_screen_until: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    # Items whose questions the moderator opened again after they ended (an item's questions
    # close when it ends).
    late_questions: frozenset[str] = frozenset()
    # A rehearsal's jumps of the clock (jump_clock), in seconds: kept, so a restart of the
    # rehearsal goes on where it was.
    clock_offset_s: int = 0

    def room(self, room: str) -> RoomLive:
        return self.rooms.get(room) or RoomLive()

    def hall_message_in(self, room: str, now: datetime) -> tuple[Message, bool] | None:
        """The announcement a room's hall shows now, and whether it is for all rooms: the
        newer of the room's own and the one for all rooms that are still on."""
        on = [
            (m, every)
            for m, every in ((self.room(room).hall_message, False), (self.hall_message, True))
            if m is not None and m.active(now)
        ]
        # The newer wins; at the same moment, the one for all rooms (it was sent after).
        return max(on, key=lambda pair: (pair[0].set_at, pair[1])) if on else None

    def stage_message_in(self, room: str) -> Message | None:
        """The message on a room's stage monitor."""
        return self.room(room).stage_message or self.stage_message

    def to_dict(self) -> dict[str, Any]:
        return {
            "rooms": {k: v.to_dict() for k, v in self.rooms.items()},
            "hall_message": self.hall_message.to_dict() if self.hall_message else None,
            "stage_message": self.stage_message.to_dict() if self.stage_message else None,
            "questions_open": dict(self.questions_open),
            "on_screen": dict(self.on_screen),
            "on_screen_until": dict(self.on_screen_until),
            "late_questions": sorted(self.late_questions),
            "clock_offset_s": self.clock_offset_s,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Live:
        return cls(
            rooms=MappingProxyType({k: RoomLive.from_dict(v) for k, v in d["rooms"].items()}),
            hall_message=Message.from_dict(d.get("hall_message")),
            stage_message=Message.from_dict(d.get("stage_message")),
            questions_open=MappingProxyType(dict(d["questions_open"])),
            on_screen=MappingProxyType(dict(d["on_screen"])),
            on_screen_until=MappingProxyType(dict(d.get("on_screen_until") or {})),
            late_questions=frozenset(d.get("late_questions") or ()),
            clock_offset_s=int(d.get("clock_offset_s") or 0),
        )


@dataclass(frozen=True)
class Question:
    """A question from an attendee. ``original_text`` keeps what was sent before edits."""

    id: str
    item_id: str
    text: str
    original_text: str
    status: str
    client_id: str
    created_at: datetime
    updated_at: datetime
    name: str = ""
    organisation: str = ""
    source: str = ""  # the address it came from (the moderator sees it; nobody else)

    def public_dict(self, votes: int) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "item_id": self.item_id,
            "text": self.text,
            "status": self.status,
            "votes": votes,
            "created_at": self.created_at.isoformat(),
        }
        if self.name:
            d["name"] = self.name
        if self.organisation:
            d["organisation"] = self.organisation
        return d

    def full_dict(self, votes: int) -> dict[str, Any]:
        d = self.public_dict(votes)
        d["original_text"] = self.original_text
        d["edited"] = self.text != self.original_text
        d["updated_at"] = self.updated_at.isoformat()
        d["client"] = self.client_id[-6:]  # enough to tell senders apart, not to act as one
        if self.source:
            d["source"] = self.source
        return d


@dataclass(frozen=True)
class Note:
    """The moderator's note on an item; ``audience`` is "moderator" or "stage"."""

    item_id: str
    text: str
    audience: str
    updated_at: datetime


@dataclass(frozen=True)
class State:
    """The whole state of the day."""

    programme: Programme
    live: Live = field(default_factory=Live)
    notes: Mapping[str, Note] = field(default_factory=lambda: _EMPTY)
    questions: Mapping[str, Question] = field(default_factory=lambda: _EMPTY)
    votes: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: _EMPTY
    )  # question id -> client ids
    # client id -> the address it last asked or voted from (the moderator sees where votes
    # come from); only clients that asked or voted.
    sources: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def vote_count(self, question_id: str) -> int:
        return len(self.votes.get(question_id, ()))

    def questions_open_for(self, item: Item) -> bool:
        return self.live.questions_open.get(item.id, item.questions)


@dataclass(frozen=True)
class Actor:
    """Who sends a command: role, the stable client id, and the room of the session."""

    role: str
    client_id: str
    room: str | None = None  # from the hello; commands without a room act on it
    address: str = ""  # where the connection comes from (per-address limits, sources)
    only_room: str | None = None  # a room moderator's token: this room and no other


@dataclass(frozen=True)
class Outcome:
    """What a command did: the new state, what changed, and the ack's result."""

    state: State
    changed: frozenset[Change]
    result: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


def frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(d)
