"""The client's view of a snapshot: typed, checked, and safe to show.

A screen never reads the raw JSON: :func:`parse_state` turns it into these small
objects, dropping what is malformed instead of raising, so a bad or unexpected
message can never crash a screen. No Textual and no websockets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.contract import PAUSE_KINDS, PHASES


def _s(v: Any, default: str = "") -> str:
    return v if isinstance(v, str) else default


def _dt(v: Any) -> datetime | None:
    if not isinstance(v, str):
        return None
    try:
        t = datetime.fromisoformat(v)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def _int(v: Any, default: int = 0) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else default


@dataclass(frozen=True)
class SpeakerView:
    name: str
    role: str = ""
    organisation: str = ""

    def line(self) -> str:
        extra = ", ".join(p for p in (self.role, self.organisation) if p)
        return f"{self.name}, {extra}" if extra else self.name


@dataclass(frozen=True)
class ItemView:
    id: str
    title: str
    kind: str
    start: datetime
    end: datetime
    expected_start: datetime
    expected_end: datetime
    speakers: tuple[SpeakerView, ...] = ()
    description: str = ""
    insights: tuple[str, ...] = ()
    questions_open: bool = False
    room: str = ""

    @property
    def is_pause(self) -> bool:
        return self.kind in PAUSE_KINDS

    @property
    def late_minutes(self) -> int:
        return round((self.expected_start - self.start).total_seconds() / 60)

    def speakers_line(self) -> str:
        return "; ".join(s.line() for s in self.speakers)


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    status: str
    votes: int = 0
    item_id: str = ""
    name: str = ""
    organisation: str = ""
    original_text: str = ""
    created_at: datetime | None = None
    source: str = ""  # moderator only: the sender's address, and a short mark of its client
    client: str = ""
    top_source: tuple[str, int] = ("", 0)  # moderator only: the address most votes came from

    def asker(self) -> str:
        return ", ".join(p for p in (self.name, self.organisation) if p)


@dataclass(frozen=True)
class MessageView:
    text: str
    expires_at: datetime | None = None
    until_item: str = ""  # a stage message that goes when this item ends
    all_rooms: bool = False  # an announcement on every room's hall screens

    def active(self, now: datetime) -> bool:
        """Whether it is still on at ``now`` (an announcement may have a time)."""
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class EventView:
    title: str = ""
    subtitle: str = ""
    date: str = ""
    timezone: str = "Europe/Copenhagen"
    venue: str = ""
    entrance: str = ""
    practical: tuple[str, ...] = ()
    accessibility: str = ""
    contact: str = ""
    moderator: str = ""
    caveat: str = ""
    price: str = ""
    registration: str = ""
    organiser: str = ""
    organiser_about: str = ""
    introduction: str = ""
    rooms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RoomLiveView:
    """Another room in a line (the moderator's overview)."""

    id: str
    name: str
    phase: str
    current: str  # the live item's title ("" when nothing is live)
    next: str
    next_start: datetime | None
    delay_minutes: int
    hall_message: bool
    pending: int


@dataclass(frozen=True)
class FoyerRoomView:
    """One room on the foyer screen: what is on and what comes next."""

    id: str
    name: str
    phase: str
    current: ItemView | None
    next: tuple[ItemView, ...]
    delay_minutes: int


@dataclass(frozen=True)
class StateView:
    """Everything a screen may show, parsed from one snapshot."""

    revision: int
    clock: datetime | None
    event: EventView
    room: str
    phase: str
    mode: str
    current: ItemView | None
    next: tuple[ItemView, ...]
    programme: tuple[ItemView, ...]
    delay_minutes: int
    hall_message: MessageView | None
    on_screen_question: QuestionView | None
    stage_message: MessageView | None = None
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # item id -> (text, audience)
    questions: tuple[QuestionView, ...] = ()
    question_target: str | None = None  # the item a question goes to now (the server's rule)
    questions_hidden: int = 0  # moderator only: pending/rejected left out of a flooded queue
    rooms_live: tuple[RoomLiveView, ...] = ()  # moderator only, several rooms: every room
    foyer_rooms: tuple[FoyerRoomView, ...] = ()  # a foyer screen: every room's now and next

    @property
    def room_name(self) -> str:
        return self.event.rooms.get(self.room, self.room)

    def item(self, item_id: str | None) -> ItemView | None:
        """A programme item by id."""
        return next((i for i in self.programme if i.id == item_id), None) if item_id else None

    @property
    def ask_item(self) -> ItemView | None:
        """Where an attendee's question goes now, as the server says; None when closed."""
        return self.item(self.question_target)


def parse_item(d: Any) -> ItemView | None:
    if not isinstance(d, dict):
        return None
    start, end = _dt(d.get("start")), _dt(d.get("end"))
    if start is None or end is None or not isinstance(d.get("id"), str):
        return None
    speakers = (
        tuple(
            SpeakerView(_s(s.get("name")), _s(s.get("role")), _s(s.get("organisation")))
            for s in d.get("speakers", [])
            if isinstance(s, dict) and isinstance(s.get("name"), str)
        )
        if isinstance(d.get("speakers"), list)
        else ()
    )
    insights = (
        tuple(i for i in d.get("insights", []) if isinstance(i, str))
        if isinstance(d.get("insights"), list)
        else ()
    )
    return ItemView(
        id=d["id"],
        title=_s(d.get("title")),
        kind=_s(d.get("kind"), "talk"),
        start=start,
        end=end,
        expected_start=_dt(d.get("expected_start")) or start,
        expected_end=_dt(d.get("expected_end")) or end,
        speakers=speakers,
        description=_s(d.get("description")),
        insights=insights,
        questions_open=d.get("questions_open") is True,
        room=_s(d.get("room")),
    )


def parse_question(d: Any) -> QuestionView | None:
    if (
        not isinstance(d, dict)
        or not isinstance(d.get("id"), str)
        or not isinstance(d.get("text"), str)
    ):
        return None
    return QuestionView(
        id=d["id"],
        text=d["text"],
        status=_s(d.get("status")),
        votes=_int(d.get("votes")),
        item_id=_s(d.get("item_id")),
        name=_s(d.get("name")),
        organisation=_s(d.get("organisation")),
        original_text=_s(d.get("original_text"), d["text"]),
        created_at=_dt(d.get("created_at")),
        source=_s(d.get("source")),
        client=_s(d.get("client")),
        top_source=_top_source(d.get("votes_top_source")),
    )


def _top_source(v: Any) -> tuple[str, int]:
    if not isinstance(v, dict):
        return ("", 0)
    return (_s(v.get("address")), _int(v.get("votes")))


def _message(d: Any) -> MessageView | None:
    if not isinstance(d, dict) or not isinstance(d.get("text"), str):
        return None
    return MessageView(
        d["text"], _dt(d.get("expires_at")), _s(d.get("until_item")), d.get("all_rooms") is True
    )


def _event(d: Any) -> EventView:
    if not isinstance(d, dict):
        return EventView()
    rooms = {}
    if isinstance(d.get("rooms"), list):
        rooms = {_s(r.get("id")): _s(r.get("name")) for r in d["rooms"] if isinstance(r, dict)}
    practical = (
        tuple(p for p in d.get("practical", []) if isinstance(p, str))
        if isinstance(d.get("practical"), list)
        else ()
    )
    return EventView(
        title=_s(d.get("title")),
        subtitle=_s(d.get("subtitle")),
        date=_s(d.get("date")),
        timezone=_s(d.get("timezone"), "Europe/Copenhagen"),
        venue=_s(d.get("venue")),
        entrance=_s(d.get("entrance")),
        practical=practical,
        accessibility=_s(d.get("accessibility")),
        contact=_s(d.get("contact")),
        moderator=_s(d.get("moderator")),
        caveat=_s(d.get("caveat")),
        price=_s(d.get("price")),
        registration=_s(d.get("registration")),
        organiser=_s(d.get("organiser")),
        organiser_about=_s(d.get("organiser_about")),
        introduction=_s(d.get("introduction")),
        rooms=rooms,
    )


def _rooms_live(v: Any) -> tuple[RoomLiveView, ...]:
    if not isinstance(v, list):
        return ()
    out = []
    for d in v:
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            continue
        delay, pending = d.get("delay_minutes"), d.get("pending")
        out.append(
            RoomLiveView(
                id=d["id"],
                name=_s(d.get("name"), d["id"]),
                phase=_s(d.get("phase")),
                current=_s(d.get("current")),
                next=_s(d.get("next")),
                next_start=_dt(d.get("next_start")),
                delay_minutes=delay if isinstance(delay, int) else 0,
                hall_message=d.get("hall_message") is True,
                pending=pending if isinstance(pending, int) else 0,
            )
        )
    return tuple(out)


def _foyer_rooms(v: Any) -> tuple[FoyerRoomView, ...]:
    if not isinstance(v, list):
        return ()
    out = []
    for d in v:
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            continue
        out.append(
            FoyerRoomView(
                id=d["id"],
                name=_s(d.get("name"), d["id"]),
                phase=d["phase"] if d.get("phase") in PHASES else "before",
                current=parse_item(d.get("current")),
                next=_items(d.get("next")),
                delay_minutes=_int(d.get("delay_minutes")),
            )
        )
    return tuple(out)


def _items(v: Any) -> tuple[ItemView, ...]:
    if not isinstance(v, list):
        return ()
    return tuple(i for i in (parse_item(x) for x in v) if i is not None)


def parse_state(revision: int, s: dict[str, Any]) -> StateView:
    """Parse a snapshot's ``state``; whatever is malformed is left out."""
    notes: dict[str, tuple[str, str]] = {}
    if isinstance(s.get("notes"), dict):
        for k, v in s["notes"].items():
            if isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("text"), str):
                notes[k] = (v["text"], _s(v.get("audience"), "moderator"))
    questions: tuple[QuestionView, ...] = ()
    if isinstance(s.get("questions"), list):
        questions = tuple(q for q in (parse_question(x) for x in s["questions"]) if q is not None)
    return StateView(
        revision=revision,
        clock=_dt(s.get("clock")),
        event=_event(s.get("event")),
        room=_s(s.get("room")),
        phase=s["phase"] if s.get("phase") in PHASES else "before",
        mode=_s(s.get("mode"), "clock"),
        current=parse_item(s.get("current")),
        next=_items(s.get("next")),
        programme=_items(s.get("programme")),
        delay_minutes=_int(s.get("delay_minutes")),
        hall_message=_message(s.get("hall_message")),
        on_screen_question=parse_question(s.get("on_screen_question")),
        stage_message=_message(s.get("stage_message")),
        notes=notes,
        questions=questions,
        question_target=s["question_target"] if isinstance(s.get("question_target"), str) else None,
        questions_hidden=_int(s.get("questions_hidden")),
        rooms_live=_rooms_live(s.get("rooms_live")),
        foyer_rooms=_foyer_rooms(s.get("rooms")),
    )
