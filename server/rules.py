"""The live-state rules: what each command does to the state.

Pure code with an injected clock: :func:`apply` takes a state, a command and the time
and returns the new state with the names of what changed; :mod:`server.timeline` derives
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

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from server.changes import LIVE, Change, NoteChanged, QuestionChanged, VotesChanged
from server.contract import PUBLIC_STATUSES, room_detail
from server.live import (
    Actor,
    Message,
    Note,
    Outcome,
    Question,
    RoomLive,
    State,
    frozen,
)
from server.programme.model import Item
from server.protocol import (
    DEFAULT_LIMITS,
    ClearHallMessageArgs,
    Command,
    EditQuestionArgs,
    HallMessageArgs,
    HideQuestionArgs,
    ItemArgs,
    JumpArgs,
    Limits,
    MinutesArgs,
    ProtocolError,
    QuestionArgs,
    RejectPendingArgs,
    RoomArgs,
    SaveNoteArgs,
    StageMessageArgs,
    SubmitQuestionArgs,
    clean_text,
)
from server.timeline import is_over, takes_questions, target_in, timeline


@dataclass(frozen=True)
class Context:
    """What a rule may know besides the state: the time, who asks, how to make ids."""

    now: datetime
    actor: Actor
    new_id: Callable[[], str]
    limits: Limits = DEFAULT_LIMITS
    rehearsal: bool = False  # the server runs on a set clock (serve --clock): it may jump


def _room_of(state: State, room: str | None, ctx: Context) -> str:
    """The room a command names; without one, the room of the sender's session."""
    prog = state.programme
    if room is None:
        return session_room(state, ctx.actor)
    found = prog.find_room(room)
    if found is None:
        raise ProtocolError("unknown_room", room_detail(room, prog.room_list()))
    return found


def session_room(state: State, actor: Actor) -> str:
    """The sender's room, if the programme has it; else the first room."""
    return state.programme.room_id(actor.room)


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
    return replace(state, live=replace(state.live, rooms=frozen(rooms)))


def _live_at(
    state: State, room: str, item: Item, now: datetime, before: tuple[str, datetime] | None = None
) -> State:
    rl = replace(
        state.live.room(room), mode="manual", item_id=item.id, since=now, ended=False, before=before
    )
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
    item = items[idx]
    since = ctx.now
    # What was live is remembered, so that `previous` undoes a mistaken `next`: the item
    # comes back as it was (its start, its minutes gone), not started again from zero.
    before = (tl.current.item.id, tl.current.expected_start) if tl.current else None
    remembered = state.live.room(room).before
    if not forward and remembered is not None and remembered[0] == item.id:
        since = remembered[1]
    return Outcome(
        _live_at(state, room, item, since, before), frozenset({LIVE}), {"item_id": item.id}
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
    rl = state.live.room(room)
    # The delay applies to what has not started yet; what already happened keeps the delay
    # it had. The live item ends later (or earlier) by the change too: "the day runs five
    # minutes late" leaves no gap after the item that is on.
    if tl.current is not None:
        delay_from = [s.item for s in tl.slots].index(tl.current.item) + 1
    elif tl.next:
        delay_from = [s.item for s in tl.slots].index(tl.next[0].item)
    else:
        delay_from = len(tl.slots)
    earlier = tuple(step for step in rl.earlier_delays if step[0] < delay_from)
    if rl.delay_from < delay_from:
        earlier += ((rl.delay_from, rl.delay_minutes),)
    extensions = dict(rl.extensions)
    if tl.current is not None:
        item = tl.current.item
        shortest = -int(item.duration.total_seconds() // 60) + 1
        extended = extensions.get(item.id, 0) + minutes - rl.delay_minutes
        extensions[item.id] = max(extended, shortest)
    rl = replace(
        rl,
        delay_minutes=minutes,
        delay_from=delay_from,
        earlier_delays=earlier,
        extensions=frozen(extensions),
    )
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
    if total > ctx.limits.extend_total_max:
        raise ProtocolError("out_of_range", f"≤ {ctx.limits.extend_total_max}")
    ext = dict(rl.extensions)
    ext[item.id] = total
    new = _with_room(state, room, replace(rl, extensions=frozen(ext)))
    return Outcome(new, frozenset({LIVE}), {"item_id": item.id, "extended_minutes": total})


def _set_hall_message(state: State, args: HallMessageArgs, ctx: Context) -> Outcome:
    text = clean_text(args.text, ctx.limits.message_max_chars, multiline=True)
    expires = None
    if args.expires_in_s is not None:
        if not 0 < args.expires_in_s <= ctx.limits.message_max_seconds:
            raise ProtocolError("out_of_range", f"1..{ctx.limits.message_max_seconds} s")
        expires = ctx.now + timedelta(seconds=args.expires_in_s)
    message = Message(text, ctx.now, expires)
    if args.all_rooms:
        new = replace(state, live=replace(state.live, hall_message=message))
        return Outcome(new, frozenset({LIVE}), {"all_rooms": True})
    room = _room_of(state, args.room, ctx)
    new = _with_room(state, room, replace(state.live.room(room), hall_message=message))
    return Outcome(new, frozenset({LIVE}), {"room": room})


def _clear_hall_message(state: State, args: ClearHallMessageArgs, ctx: Context) -> Outcome:
    if args.all_rooms:
        return Outcome(
            replace(state, live=replace(state.live, hall_message=None)), frozenset({LIVE})
        )
    room = _room_of(state, args.room, ctx)
    new = _with_room(state, room, replace(state.live.room(room), hall_message=None))
    return Outcome(new, frozenset({LIVE}), {"room": room})


def _set_stage_message(state: State, args: StageMessageArgs, ctx: Context) -> Outcome:
    text = clean_text(args.text, ctx.limits.message_max_chars, multiline=True)
    room = _room_of(state, args.room, ctx)
    until = None
    if args.until == "item_end":
        tl = timeline(state, ctx.now, room)
        until = tl.current.item.id if tl.current else None  # nothing live: until cleared
    message = Message(text, ctx.now, until_item=until)
    new = _with_room(state, room, replace(state.live.room(room), stage_message=message))
    return Outcome(new, frozenset({LIVE}), {"until_item": until, "room": room})


def _clear_stage_message(state: State, args: RoomArgs, ctx: Context) -> Outcome:
    room = _room_of(state, args.room, ctx)
    new = _with_room(state, room, replace(state.live.room(room), stage_message=None))
    # A stage message stored before rooms had their own stood on every stage: it goes too.
    new = replace(new, live=replace(new.live, stage_message=None))
    return Outcome(new, frozenset({LIVE}), {"room": room})


def _save_note(state: State, args: SaveNoteArgs, ctx: Context) -> Outcome:
    _item(state, args.item_id)
    text = clean_text(args.text, ctx.limits.note_max_chars, multiline=True, required=False)
    notes = dict(state.notes)
    notes[args.item_id] = Note(args.item_id, text, args.audience, ctx.now)
    return Outcome(replace(state, notes=frozen(notes)), frozenset({NoteChanged(args.item_id)}))


def _set_open(state: State, item_id: str, is_open: bool, ctx: Context) -> Outcome:
    item = _item(state, item_id)
    qo = dict(state.live.questions_open)
    qo[item_id] = is_open
    late = state.live.late_questions - {item_id}
    if is_open and is_over(timeline(state, ctx.now, item.room), item):
        late |= {item_id}  # opened again after it ended: it takes questions until closed
    live = replace(state.live, questions_open=frozen(qo), late_questions=late)
    return Outcome(replace(state, live=live), frozenset({LIVE}))


def _open_questions(state: State, args: ItemArgs, ctx: Context) -> Outcome:
    return _set_open(state, args.item_id, True, ctx)


def _close_questions(state: State, args: ItemArgs, ctx: Context) -> Outcome:
    return _set_open(state, args.item_id, False, ctx)


def _submit_question(state: State, args: SubmitQuestionArgs, ctx: Context) -> Outcome:
    lim = ctx.limits
    text = clean_text(args.text, lim.question_max_chars, multiline=True)
    name = clean_text(args.name or "", lim.name_max_chars, required=False)
    org = clean_text(args.organisation or "", lim.name_max_chars, required=False)
    tl = timeline(state, ctx.now, session_room(state, ctx.actor))
    item = _item(state, args.item_id) if args.item_id is not None else target_in(state, tl)
    if item is not None and item.room != tl.room:  # named an item of another room
        tl = timeline(state, ctx.now, item.room)
    # An item's questions close when it ends: a question named for a panel that is over
    # (typed during it, sent later from an outbox) comes back to its author.
    if item is None or not takes_questions(state, tl, item):
        raise ProtocolError("questions_closed", item.title if item else "")
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
        source=ctx.actor.address,
    )
    qs = dict(state.questions)
    qs[qid] = q
    return Outcome(
        _with_source(replace(state, questions=frozen(qs)), ctx.actor),
        frozenset({QuestionChanged(qid)}),
        {"question_id": qid},
    )


def _with_source(state: State, actor: Actor) -> State:
    """Remember the address a client asked or voted from (when it is new)."""
    if not actor.address or state.sources.get(actor.client_id) == actor.address:
        return state
    sources = dict(state.sources)
    sources[actor.client_id] = actor.address
    return replace(state, sources=frozen(sources))


def _set_votes(state: State, qid: str, voters: frozenset[str]) -> State:
    votes = dict(state.votes)
    votes[qid] = voters
    return replace(state, votes=frozen(votes))


def _vote(state: State, args: QuestionArgs, ctx: Context) -> Outcome:
    q = _question(state, args.question_id)
    if q.status not in PUBLIC_STATUSES:
        raise ProtocolError("bad_status", q.status)
    voters = state.votes.get(q.id, frozenset())
    if ctx.actor.client_id in voters:  # one vote per client: voting again changes nothing
        return Outcome(state, frozenset(), {"votes": len(voters)})
    voters = voters | {ctx.actor.client_id}
    return Outcome(
        _with_source(_set_votes(state, q.id, voters), ctx.actor),
        frozenset({VotesChanged(q.id)}),
        {"votes": len(voters)},
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
    return replace(state, questions=frozen(qs)), new_q


def _screens(state: State, on: dict[str, str], until: dict[str, str]) -> State:
    """``state`` with the questions on screen per room (and the item each stays for)."""
    until = {r: i for r, i in until.items() if r in on}
    live = replace(state.live, on_screen=frozen(on), on_screen_until=frozen(until))
    return replace(state, live=live)


def _off_screen(state: State, qid: str) -> tuple[State, set[Change]]:
    """Take a question off every screen it is on; return the changes."""
    rooms = [r for r, shown in state.live.on_screen.items() if shown == qid]
    if not rooms:
        return state, set()
    on = {r: v for r, v in state.live.on_screen.items() if v != qid}
    return _screens(state, on, dict(state.live.on_screen_until)), {LIVE}


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


def _jump_clock(state: State, args: JumpArgs, ctx: Context) -> Outcome:
    """A rehearsal's clock jumps forward (never back: the day would rewind under what was
    stored). Only on a server started with ``--clock``."""
    if not ctx.rehearsal:
        raise ProtocolError("not_rehearsal")
    if not 0 < args.minutes <= 24 * 60:
        raise ProtocolError("out_of_range", "1..1440")
    offset = state.live.clock_offset_s + args.minutes * 60
    live = replace(state.live, clock_offset_s=offset)
    now = ctx.now + timedelta(minutes=args.minutes)
    return Outcome(replace(state, live=live), frozenset({LIVE}), {"now": now.isoformat()})


def _reject_pending(state: State, args: RejectPendingArgs, ctx: Context) -> Outcome:
    """Clear a flood in one command: reject every pending question from the same client,
    the same address, or sent at the same time as ``question_id`` or later."""
    ref = _question(state, args.question_id)

    def alike(q: Question) -> bool:
        match args.scope:
            case "client":
                return q.client_id == ref.client_id
            case "address":
                return bool(ref.source) and q.source == ref.source
            case _:
                return q.created_at >= ref.created_at

    only = ctx.actor.only_room  # a room moderator clears her room's flood, no other's
    hit = [
        q
        for q in state.questions.values()
        if q.status == "pending"
        and alike(q)
        and (only is None or state.programme.room_of(q.item_id) == only)
    ]
    qs = dict(state.questions)
    for q in hit:
        qs[q.id] = replace(q, status="rejected", updated_at=ctx.now)
    return Outcome(
        replace(state, questions=frozen(qs)) if hit else state,
        frozenset(QuestionChanged(q.id) for q in hit),
        {"rejected": len(hit)},
    )


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
    # It stays while the item live now is live (none live: until it is hidden).
    until = dict(state.live.on_screen_until)
    current = timeline(state, ctx.now, room).current
    if current is not None:
        until[room] = current.item.id
    else:
        until.pop(room, None)
    state = _screens(state, on, until)
    state, _ = _with_question(state, q, status="on_screen", updated_at=ctx.now)
    return Outcome(state, frozenset(changed), {"room": room})


def _hide(state: State, args: HideQuestionArgs, ctx: Context) -> Outcome:
    room = _room_of(state, args.room, ctx)
    qid = state.live.on_screen.get(room)
    if qid is None:
        return Outcome(state, frozenset())
    return Outcome(*_take_down(state, room, ctx.now))


def _take_down(state: State, room: str, now: datetime) -> tuple[State, frozenset[Change]]:
    """Take the question on ``room``'s screens down; it goes back to approved."""
    qid = state.live.on_screen[room]
    on = {r: v for r, v in state.live.on_screen.items() if r != room}
    state = _screens(state, on, dict(state.live.on_screen_until))
    changed: set[Change] = {LIVE}
    q = state.questions.get(qid)
    if q is not None and q.status == "on_screen":
        state, _ = _with_question(state, q, status="approved", updated_at=now)
        changed.add(QuestionChanged(qid))
    return state, frozenset(changed)


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
    "reject_pending": _reject_pending,
    "jump_clock": _jump_clock,
}


def apply(state: State, command: Command, ctx: Context) -> Outcome:
    """Apply one validated command.

    Raises:
        ProtocolError: the command makes no sense now; the state is unchanged.
    """
    if ctx.actor.only_room is not None:
        _own_room_only(state, command, ctx.actor.only_room)
    return _RULES[command.name](state, command.args, ctx)


#: What a room moderator may not do at all: it reaches past any one room.
_EVERY_ROOM = frozenset({"jump_clock"})


def _own_room_only(state: State, command: Command, room: str) -> None:
    """A room moderator's command must be about her room: the room it names, the item or
    the question's item; never every room (``all_rooms``, the rehearsal clock).

    Raises:
        ProtocolError: ``room_only``, naming her room.
    """
    prog = state.programme
    name = next((r.name for r in prog.rooms if r.id == room), room)
    args = command.args
    targets: list[str | None] = []
    if command.name in _EVERY_ROOM or getattr(args, "all_rooms", None):
        targets.append(None)
    named = getattr(args, "room", None)
    if named:
        targets.append(prog.find_room(named))
    item_id = getattr(args, "item_id", None)
    if item_id and prog.item(item_id) is not None:
        targets.append(state.programme.room_of(item_id))
    question = state.questions.get(getattr(args, "question_id", None) or "")
    if question is not None:
        targets.append(state.programme.room_of(question.item_id))
    if any(t != room for t in targets):
        raise ProtocolError("room_only", name)


def _still_live(state: State, message: Message, now: datetime) -> bool:
    """Whether the item a stage message was sent about is still live in its room."""
    item = state.programme.item(message.until_item or "")
    if item is None:
        return False
    current = timeline(state, now, item.room or None).current
    return current is not None and current.item.id == item.id


def expire_messages(state: State, now: datetime) -> Outcome | None:
    """Clear a hall message whose time is up, a stage message about an item that is no
    longer live, and take down a question put on screen during an item that has ended (the
    server calls this on its ticker)."""
    changed: set[Change] = set()
    for room, item_id in sorted(state.live.on_screen_until.items()):
        current = timeline(state, now, room).current
        if current is None or current.item.id != item_id:
            state, taken = _take_down(state, room, now)
            changed |= taken
    live = state.live
    if live.hall_message is not None and not live.hall_message.active(now):
        live = replace(live, hall_message=None)
    stage = live.stage_message
    if stage is not None and stage.until_item is not None and not _still_live(state, stage, now):
        live = replace(live, stage_message=None)
    rooms = dict(live.rooms)
    for room, rl in live.rooms.items():
        kept = rl
        if rl.hall_message is not None and not rl.hall_message.active(now):
            kept = replace(kept, hall_message=None)
        stage = rl.stage_message
        if (
            stage is not None
            and stage.until_item is not None
            and not _still_live(state, stage, now)
        ):
            kept = replace(kept, stage_message=None)
        if kept is not rl:
            rooms[room] = kept
    if rooms != dict(live.rooms):
        live = replace(live, rooms=frozen(rooms))
    if live is state.live and not changed:
        return None
    return Outcome(replace(state, live=live), frozenset({LIVE, *changed}))
