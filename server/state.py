"""The live-state rules: what is live and next, how late the day runs, the questions.

Pure code with an injected clock: :func:`apply` takes a state, a command and the time
and returns the new state with the names of what changed; :func:`timeline` derives
what every screen shows (current, next, expected times, remaining time). Nothing here
awaits, touches a socket or a database. A rule that refuses a command raises
:class:`~server.protocol.ProtocolError` before it changes anything.

Timing model (documented in docs/protocol.md):

* Each room follows the clock until a moderator takes control (go live, next,
  previous); ``follow_clock`` hands it back to the clock.
* ``delay_minutes`` (set or shifted) makes the items that have not started yet
  expected that many minutes later than planned.
* ``extend`` makes the live item longer; later items are pushed by it.
* Expected times cascade: an item never starts before the one before it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from server.changes import LIVE, Change, NoteChanged, QuestionChanged, VotesChanged
from server.contract import PUBLIC_STATUSES
from server.programme.model import Item, Programme
from server.protocol import (
    DEFAULT_LIMITS,
    Command,
    EditQuestionArgs,
    HallMessageArgs,
    HideQuestionArgs,
    ItemArgs,
    Limits,
    MinutesArgs,
    ProtocolError,
    QuestionArgs,
    RoomArgs,
    SaveNoteArgs,
    StageMessageArgs,
    SubmitQuestionArgs,
    clean_text,
)

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Message:
    """A hall or stage message, with an optional expiry."""

    text: str
    set_at: datetime
    expires_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "set_at": self.set_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "item_id": self.item_id,
            "since": self.since.isoformat() if self.since else None,
            "ended": self.ended,
            "delay_minutes": self.delay_minutes,
            "delay_from": self.delay_from,
            "extensions": dict(self.extensions),
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
        )


@dataclass(frozen=True)
class Live:
    """Everything live that is not a question, a vote or a note."""

    rooms: Mapping[str, RoomLive] = field(default_factory=lambda: _EMPTY)
    hall_message: Message | None = None
    stage_message: Message | None = None
    questions_open: Mapping[str, bool] = field(
        default_factory=lambda: _EMPTY
    )  # item id -> moderator's override
    on_screen: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # room id -> question id

    def room(self, room: str) -> RoomLive:
        return self.rooms.get(room) or RoomLive()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rooms": {k: v.to_dict() for k, v in self.rooms.items()},
            "hall_message": self.hall_message.to_dict() if self.hall_message else None,
            "stage_message": self.stage_message.to_dict() if self.stage_message else None,
            "questions_open": dict(self.questions_open),
            "on_screen": dict(self.on_screen),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Live:
        def msg(m: Mapping[str, Any] | None) -> Message | None:
            if not m:
                return None
            exp = m.get("expires_at")
            return Message(
                m["text"],
                datetime.fromisoformat(m["set_at"]),
                datetime.fromisoformat(exp) if exp else None,
            )

        return cls(
            rooms=MappingProxyType({k: RoomLive.from_dict(v) for k, v in d["rooms"].items()}),
            hall_message=msg(d.get("hall_message")),
            stage_message=msg(d.get("stage_message")),
            questions_open=MappingProxyType(dict(d["questions_open"])),
            on_screen=MappingProxyType(dict(d["on_screen"])),
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


@dataclass(frozen=True)
class Outcome:
    """What a command did: the new state, what changed, and the ack's result."""

    state: State
    changed: frozenset[Change]
    result: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


def _frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(d)


# --- the timeline ------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """An item with its expected times."""

    item: Item
    expected_start: datetime
    expected_end: datetime


@dataclass(frozen=True)
class Timeline:
    """What one room looks like at one moment."""

    room: str
    phase: str  # before | live | break | between | after
    mode: str
    slots: tuple[Slot, ...]
    current: Slot | None
    next: tuple[Slot, ...]
    delay_minutes: int
    elapsed_s: int
    remaining_s: int
    overrun_s: int


def _cascade(
    items: tuple[Item, ...], rl: RoomLive, start_at: int, t: datetime | None, delay_from: int
) -> list[Slot]:
    out: list[Slot] = []
    delay = timedelta(minutes=rl.delay_minutes)
    for n in range(start_at, len(items)):
        item = items[n]
        planned = item.start + (delay if n >= delay_from else timedelta())
        start = planned if t is None else max(planned, t)
        end = start + item.duration + timedelta(minutes=rl.extensions.get(item.id, 0))
        out.append(Slot(item, start, end))
        t = end
    return out


def timeline(state: State, now: datetime, room: str | None = None) -> Timeline:
    """Derive current, next and the expected times of one room at ``now``."""
    prog = state.programme
    room_id = room if room and any(r.id == room for r in prog.rooms) else prog.default_room
    items = prog.in_room(room_id)
    rl = state.live.room(room_id)
    current: Slot | None = None
    if rl.mode == "manual":
        idx = next((n for n, i in enumerate(items) if i.id == rl.item_id), None)
        if idx is not None and rl.since is not None:
            before = _cascade(items[:idx], rl, 0, None, rl.delay_from)
            item = items[idx]
            cur = Slot(
                item,
                rl.since,
                rl.since + item.duration + timedelta(minutes=rl.extensions.get(item.id, 0)),
            )
            after = _cascade(items, rl, idx + 1, max(cur.expected_end, now), idx + 1)
            slots = (*before, cur, *after)
            current = cur
            upcoming = tuple(after)
            phase = "break" if item.is_pause else "live"
        else:
            slots = tuple(_cascade(items, rl, 0, None, rl.delay_from))
            upcoming = () if rl.ended else tuple(s for s in slots if s.expected_start > now)
            phase = "after" if rl.ended or not upcoming else "between"
            if upcoming and upcoming[0] is slots[0]:
                phase = "before"
    else:
        slots = tuple(_cascade(items, rl, 0, None, rl.delay_from))
        current = next((s for s in slots if s.expected_start <= now < s.expected_end), None)
        upcoming = tuple(s for s in slots if s.expected_start > now)
        if current is not None:
            phase = "break" if current.item.is_pause else "live"
        elif not slots or now >= slots[-1].expected_end:
            phase = "after"
        elif now < slots[0].expected_start:
            phase = "before"
        else:
            phase = "between"
    elapsed = remaining = overrun = 0
    if current is not None:
        elapsed = int((now - current.expected_start).total_seconds())
        left = int((current.expected_end - now).total_seconds())
        remaining, overrun = max(left, 0), max(-left, 0)
    return Timeline(
        room=room_id,
        phase=phase,
        mode=rl.mode,
        slots=slots,
        current=current,
        next=upcoming,
        delay_minutes=rl.delay_minutes,
        elapsed_s=max(elapsed, 0),
        remaining_s=remaining,
        overrun_s=overrun,
    )


# --- commands ----------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a rule may know besides the state: the time, who asks, how to make ids."""

    now: datetime
    actor: Actor
    new_id: Callable[[], str]
    limits: Limits = DEFAULT_LIMITS


def _room_of(state: State, room: str | None, ctx: Context) -> str:
    """The room a command names; without one, the room of the sender's session."""
    prog = state.programme
    if room is None:
        return session_room(state, ctx.actor)
    if not any(r.id == room for r in prog.rooms):
        raise ProtocolError("unknown_room", room)
    return room


def session_room(state: State, actor: Actor) -> str:
    """The sender's room, if the programme has it; else the first room."""
    prog = state.programme
    room = actor.room
    return room if room and any(r.id == room for r in prog.rooms) else prog.default_room


def _item(state: State, item_id: str) -> Item:
    item = state.programme.item(item_id)
    if item is None:
        raise ProtocolError("unknown_item", item_id)
    return item


def _question(state: State, question_id: str) -> Question:
    q = state.questions.get(question_id)
    if q is None:
        raise ProtocolError("unknown_question", question_id)
    return q


def _with_room(state: State, room: str, rl: RoomLive) -> State:
    rooms = dict(state.live.rooms)
    rooms[room] = rl
    return replace(state, live=replace(state.live, rooms=_frozen(rooms)))


def _live_at(state: State, room: str, item: Item, now: datetime) -> State:
    rl = replace(state.live.room(room), mode="manual", item_id=item.id, since=now, ended=False)
    return _with_room(state, room, rl)


def _go_live(state: State, args: ItemArgs, ctx: Context) -> Outcome:
    item = _item(state, args.item_id)
    return Outcome(_live_at(state, item.room, item, ctx.now), frozenset({LIVE}))


def _step(state: State, room_arg: str | None, ctx: Context, forward: bool) -> Outcome:
    room = _room_of(state, room_arg, ctx)
    tl = timeline(state, ctx.now, room)
    items = [s.item for s in tl.slots]
    if tl.current is not None:
        idx = items.index(tl.current.item) + (1 if forward else -1)
    elif forward:
        idx = items.index(tl.next[0].item) if tl.next else len(items)
    else:
        past = [n for n, s in enumerate(tl.slots) if s.expected_end <= ctx.now]
        idx = past[-1] if past and tl.phase != "before" else -1
        if state.live.room(room).ended:
            idx = len(items) - 1
    if forward and idx >= len(items):
        if tl.current is None:
            raise ProtocolError("no_next")
        rl = replace(state.live.room(room), mode="manual", item_id=None, since=None, ended=True)
        return Outcome(_with_room(state, room, rl), frozenset({LIVE}), {"ended": True})
    if idx < 0:
        raise ProtocolError("no_previous")
    return Outcome(
        _live_at(state, room, items[idx], ctx.now), frozenset({LIVE}), {"item_id": items[idx].id}
    )


def _next(state: State, args: RoomArgs, ctx: Context) -> Outcome:
    return _step(state, args.room, ctx, forward=True)


def _previous(state: State, args: RoomArgs, ctx: Context) -> Outcome:
    return _step(state, args.room, ctx, forward=False)


def _follow_clock(state: State, args: RoomArgs, ctx: Context) -> Outcome:
    room = _room_of(state, args.room, ctx)
    rl = replace(state.live.room(room), mode="clock", item_id=None, since=None, ended=False)
    return Outcome(_with_room(state, room, rl), frozenset({LIVE}))


def _set_delay_to(state: State, room: str, minutes: int, ctx: Context) -> Outcome:
    lim = ctx.limits
    if not lim.delay_min <= minutes <= lim.delay_max:
        raise ProtocolError("out_of_range", f"{lim.delay_min}..{lim.delay_max}")
    tl = timeline(state, ctx.now, room)
    # The delay applies to what has not started yet.
    if tl.current is not None:
        delay_from = [s.item for s in tl.slots].index(tl.current.item) + 1
    elif tl.next:
        delay_from = [s.item for s in tl.slots].index(tl.next[0].item)
    else:
        delay_from = len(tl.slots)
    rl = replace(state.live.room(room), delay_minutes=minutes, delay_from=delay_from)
    return Outcome(_with_room(state, room, rl), frozenset({LIVE}), {"delay_minutes": minutes})


def _set_delay(state: State, args: MinutesArgs, ctx: Context) -> Outcome:
    return _set_delay_to(state, _room_of(state, args.room, ctx), args.minutes, ctx)


def _shift_delay(state: State, args: MinutesArgs, ctx: Context) -> Outcome:
    room = _room_of(state, args.room, ctx)
    return _set_delay_to(state, room, state.live.room(room).delay_minutes + args.minutes, ctx)


def _extend(state: State, args: MinutesArgs, ctx: Context) -> Outcome:
    room = _room_of(state, args.room, ctx)
    if (
        not 0 < args.minutes <= ctx.limits.extend_max
        and not -ctx.limits.extend_max <= args.minutes < 0
    ):
        raise ProtocolError("out_of_range", f"1..{ctx.limits.extend_max}")
    tl = timeline(state, ctx.now, room)
    if tl.current is None:
        raise ProtocolError("nothing_live")
    item = tl.current.item
    rl = state.live.room(room)
    total = rl.extensions.get(item.id, 0) + args.minutes
    if total < -int(item.duration.total_seconds() // 60) + 1:
        raise ProtocolError("out_of_range")
    ext = dict(rl.extensions)
    ext[item.id] = total
    new = _with_room(state, room, replace(rl, extensions=_frozen(ext)))
    return Outcome(new, frozenset({LIVE}), {"item_id": item.id, "extended_minutes": total})


def _set_hall_message(state: State, args: HallMessageArgs, ctx: Context) -> Outcome:
    text = clean_text(args.text, ctx.limits.message_max_chars, multiline=True)
    expires = None
    if args.expires_in_s is not None:
        if not 0 < args.expires_in_s <= ctx.limits.message_max_seconds:
            raise ProtocolError("out_of_range", f"1..{ctx.limits.message_max_seconds} s")
        expires = ctx.now + timedelta(seconds=args.expires_in_s)
    live = replace(state.live, hall_message=Message(text, ctx.now, expires))
    return Outcome(replace(state, live=live), frozenset({LIVE}))


def _clear_hall_message(state: State, args: Any, ctx: Context) -> Outcome:
    return Outcome(replace(state, live=replace(state.live, hall_message=None)), frozenset({LIVE}))


def _set_stage_message(state: State, args: StageMessageArgs, ctx: Context) -> Outcome:
    text = clean_text(args.text, ctx.limits.message_max_chars, multiline=True)
    live = replace(state.live, stage_message=Message(text, ctx.now))
    return Outcome(replace(state, live=live), frozenset({LIVE}))


def _clear_stage_message(state: State, args: Any, ctx: Context) -> Outcome:
    return Outcome(replace(state, live=replace(state.live, stage_message=None)), frozenset({LIVE}))


def _save_note(state: State, args: SaveNoteArgs, ctx: Context) -> Outcome:
    _item(state, args.item_id)
    text = clean_text(args.text, ctx.limits.note_max_chars, multiline=True, required=False)
    notes = dict(state.notes)
    notes[args.item_id] = Note(args.item_id, text, args.audience, ctx.now)
    return Outcome(replace(state, notes=_frozen(notes)), frozenset({NoteChanged(args.item_id)}))


def _set_open(state: State, item_id: str, is_open: bool) -> Outcome:
    _item(state, item_id)
    qo = dict(state.live.questions_open)
    qo[item_id] = is_open
    live = replace(state.live, questions_open=_frozen(qo))
    return Outcome(replace(state, live=live), frozenset({LIVE}))


def _open_questions(state: State, args: ItemArgs, ctx: Context) -> Outcome:
    return _set_open(state, args.item_id, True)


def _close_questions(state: State, args: ItemArgs, ctx: Context) -> Outcome:
    return _set_open(state, args.item_id, False)


def question_target(state: State, now: datetime, room: str | None = None) -> Item | None:
    """The item an attendee's question goes to when none is named.

    The live item if it takes questions; in a break or before an item, the next item
    that is not a break, if it takes questions; otherwise none.
    """
    tl = timeline(state, now, room)
    if tl.current is not None and not tl.current.item.is_pause:
        target: Item | None = tl.current.item
    else:
        target = next((s.item for s in tl.next if not s.item.is_pause), None)
    return target if target is not None and state.questions_open_for(target) else None


def _submit_question(state: State, args: SubmitQuestionArgs, ctx: Context) -> Outcome:
    lim = ctx.limits
    text = clean_text(args.text, lim.question_max_chars, multiline=True)
    name = clean_text(args.name or "", lim.name_max_chars, required=False)
    org = clean_text(args.organisation or "", lim.name_max_chars, required=False)
    if args.item_id is not None:
        item: Item | None = _item(state, args.item_id)
    else:
        item = question_target(state, ctx.now, session_room(state, ctx.actor))
    if item is None or not state.questions_open_for(item):
        raise ProtocolError("questions_closed")
    window = ctx.now - timedelta(minutes=1)
    recent = sum(
        1
        for q in state.questions.values()
        if q.client_id == ctx.actor.client_id and q.created_at > window
    )
    if recent >= lim.questions_per_minute:
        raise ProtocolError("too_many_questions")
    qid = ctx.new_id()
    q = Question(
        id=qid,
        item_id=item.id,
        text=text,
        original_text=text,
        status="pending",
        client_id=ctx.actor.client_id,
        created_at=ctx.now,
        updated_at=ctx.now,
        name=name,
        organisation=org,
    )
    qs = dict(state.questions)
    qs[qid] = q
    return Outcome(
        replace(state, questions=_frozen(qs)),
        frozenset({QuestionChanged(qid)}),
        {"question_id": qid},
    )


def _set_votes(state: State, qid: str, voters: frozenset[str]) -> State:
    votes = dict(state.votes)
    votes[qid] = voters
    return replace(state, votes=_frozen(votes))


def _vote(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    q = _question(state, args.question_id)
    if q.status not in PUBLIC_STATUSES:
        raise ProtocolError("bad_status", q.status)
    voters = state.votes.get(q.id, frozenset())
    if ctx.actor.client_id in voters:  # one vote per client: voting again changes nothing
        return Outcome(state, frozenset(), {"votes": len(voters)})
    voters = voters | {ctx.actor.client_id}
    return Outcome(
        _set_votes(state, q.id, voters), frozenset({VotesChanged(q.id)}), {"votes": len(voters)}
    )


def _unvote(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    q = _question(state, args.question_id)
    voters = state.votes.get(q.id, frozenset())
    if ctx.actor.client_id not in voters:
        return Outcome(state, frozenset(), {"votes": len(voters)})
    voters = voters - {ctx.actor.client_id}
    return Outcome(
        _set_votes(state, q.id, voters), frozenset({VotesChanged(q.id)}), {"votes": len(voters)}
    )


def _with_question(state: State, q: Question, **changes: Any) -> tuple[State, Question]:
    new_q = replace(q, **changes)
    qs = dict(state.questions)
    qs[q.id] = new_q
    return replace(state, questions=_frozen(qs)), new_q


def _off_screen(state: State, qid: str) -> tuple[State, set[Change]]:
    """Take a question off every screen it is on; return the changes."""
    rooms = [r for r, shown in state.live.on_screen.items() if shown == qid]
    if not rooms:
        return state, set()
    on = {r: v for r, v in state.live.on_screen.items() if v != qid}
    return replace(state, live=replace(state.live, on_screen=_frozen(on))), {LIVE}


def _transition(state: State, qid: str, allowed: set[str], status: str, ctx: Context) -> Outcome:
    q = _question(state, qid)
    if q.status not in allowed:
        raise ProtocolError("bad_status", q.status)
    state, changed = _off_screen(state, qid)
    state, _ = _with_question(state, q, status=status, updated_at=ctx.now)
    return Outcome(state, frozenset({*changed, QuestionChanged(qid)}), {"status": status})


def _approve(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    return _transition(
        state, args.question_id, {"pending", "rejected", "answered"}, "approved", ctx
    )


def _reject(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    return _transition(
        state, args.question_id, {"pending", "approved", "on_screen"}, "rejected", ctx
    )


def _answer(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    return _transition(state, args.question_id, {"approved", "on_screen"}, "answered", ctx)


def _edit(state: State, args: EditQuestionArgs, ctx: Context) -> Outcome:
    q = _question(state, args.question_id)
    text = clean_text(args.text, ctx.limits.question_max_chars, multiline=True)
    state, _ = _with_question(state, q, text=text, updated_at=ctx.now)
    return Outcome(state, frozenset({QuestionChanged(q.id)}))


def _show(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    q = _question(state, args.question_id)
    if q.status not in {"pending", "approved", "answered", "on_screen"}:
        raise ProtocolError("bad_status", q.status)
    room = _item(state, q.item_id).room
    changed: set[Change] = {LIVE, QuestionChanged(q.id)}
    previous = state.live.on_screen.get(room)
    if previous and previous != q.id and previous in state.questions:
        state, _ = _with_question(
            state, state.questions[previous], status="approved", updated_at=ctx.now
        )
        changed.add(QuestionChanged(previous))
    on = dict(state.live.on_screen)
    on[room] = q.id
    state = replace(state, live=replace(state.live, on_screen=_frozen(on)))
    state, _ = _with_question(state, q, status="on_screen", updated_at=ctx.now)
    return Outcome(state, frozenset(changed), {"room": room})


def _hide(state: State, args: HideQuestionArgs, ctx: Context) -> Outcome:
    room = _room_of(state, args.room, ctx)
    qid = state.live.on_screen.get(room)
    if qid is None:
        return Outcome(state, frozenset())
    on = {r: v for r, v in state.live.on_screen.items() if r != room}
    state = replace(state, live=replace(state.live, on_screen=_frozen(on)))
    changed: set[Change] = {LIVE}
    q = state.questions.get(qid)
    if q is not None and q.status == "on_screen":
        state, _ = _with_question(state, q, status="approved", updated_at=ctx.now)
        changed.add(QuestionChanged(qid))
    return Outcome(state, frozenset(changed))


_RULES: dict[str, Callable[[State, Any, Context], Outcome]] = {
    "go_live": _go_live,
    "next": _next,
    "previous": _previous,
    "follow_clock": _follow_clock,
    "set_delay": _set_delay,
    "shift_delay": _shift_delay,
    "extend": _extend,
    "set_hall_message": _set_hall_message,
    "clear_hall_message": _clear_hall_message,
    "set_stage_message": _set_stage_message,
    "clear_stage_message": _clear_stage_message,
    "save_note": _save_note,
    "open_questions": _open_questions,
    "close_questions": _close_questions,
    "submit_question": _submit_question,
    "vote": _vote,
    "unvote": _unvote,
    "approve_question": _approve,
    "reject_question": _reject,
    "answer_question": _answer,
    "edit_question": _edit,
    "show_question": _show,
    "hide_question": _hide,
}


def apply(state: State, command: Command, ctx: Context) -> Outcome:
    """Apply one validated command.

    Raises:
        ProtocolError: the command makes no sense now; the state is unchanged.
    """
    return _RULES[command.name](state, command.args, ctx)


def expire_messages(state: State, now: datetime) -> Outcome | None:
    """Clear a hall message whose time is up (the server calls this on its ticker)."""
    msg = state.live.hall_message
    if msg is None or msg.active(now):
        return None
    return Outcome(replace(state, live=replace(state.live, hall_message=None)), frozenset({LIVE}))
