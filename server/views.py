"""What each role may see: the snapshot ``state`` built from the live state and the clock.

Pure functions. Role filtering lives here and nowhere else: the hall never gets a
pending or rejected question, a note or the stage message.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.contract import FOYER, PUBLIC_STATUSES, Role, question_order
from server.live import Message
from server.state import Question, Slot, State, Timeline, timeline
from server.timeline import takes_questions, target_in


@dataclass
class _Derived:
    """What every view of one state at one instant shares: each room's timeline and the
    programme with its expected times. A publish builds a view for every group (role and
    room); at 12 rooms over 4 days, working these out once per group cost 90 ms a command.
    """

    state: State
    now: datetime
    timelines: dict[str, Timeline] = field(default_factory=dict)
    programme: list[dict[str, Any]] | None = None


#: The last state and instant views were built for (the server is one thread; a state is
#: immutable, so the same object at the same instant always gives the same views).
_last: _Derived | None = None
_last_programme: list[dict[str, Any]] = []


def _derived(state: State, now: datetime) -> _Derived:
    global _last
    d = _last
    if d is None or d.state is not state or d.now != now:
        d = _last = _Derived(state, now)
    return d


def _timeline(state: State, now: datetime, room: str | None) -> Timeline:
    """:func:`timeline`, worked out once per state, instant and room."""
    d = _derived(state, now)
    room_id = state.programme.room_id(room)
    tl = d.timelines.get(room_id)
    if tl is None:
        tl = d.timelines[room_id] = timeline(state, now, room_id)
    return tl


def _programme(state: State, now: datetime) -> list[dict[str, Any]]:
    """Every item with its expected times, once per state and instant: the same list is in
    every view of that instant (nothing may change it)."""
    d = _derived(state, now)
    if d.programme is None:
        slots: dict[str, tuple[Slot, Timeline]] = {}
        for r in state.programme.rooms:
            room_tl = _timeline(state, now, r.id)
            for s in room_tl.slots:
                slots[s.item.id] = (s, room_tl)
        fresh = [_slot(state, *slots[i.id]) for i in state.programme.items]
        # Unchanged since the last instant (the usual case): the same list again, so that
        # the hub's comparison of each group's view with its last one is a pointer check
        # per item rather than a walk through every field.
        global _last_programme
        if fresh != _last_programme:
            _last_programme = fresh
        d.programme = _last_programme
    return d.programme


def _slot(state: State, s: Slot, tl: Timeline) -> dict[str, Any]:
    d = s.item.to_dict()
    d["expected_start"] = s.expected_start.isoformat()
    d["expected_end"] = s.expected_end.isoformat()
    d["questions_open"] = takes_questions(state, tl, s.item)
    return d


def _current(state: State, tl: Timeline) -> dict[str, Any] | None:
    if tl.current is None:
        return None
    d = _slot(state, tl.current, tl)
    d["elapsed_s"] = tl.elapsed_s
    d["remaining_s"] = tl.remaining_s
    d["overrun_s"] = tl.overrun_s
    return d


def in_room(state: State, q: Question, room: str | None) -> bool:
    """Whether a question was put to an item of ``room`` (None: every room)."""
    return room is None or state.programme.room_of(q.item_id) == room


def _public_questions(
    state: State, live_item: str | None, room: str | None = None
) -> list[dict[str, Any]]:
    qs = [
        q.public_dict(state.vote_count(q.id))
        for q in state.questions.values()
        if q.status in PUBLIC_STATUSES and in_room(state, q, room)
    ]
    qs.sort(key=lambda d: question_order(Role.ATTENDEE, d, live_item))
    return qs


def _moderator_question(state: State, q: Question) -> dict[str, Any]:
    d = q.full_dict(state.vote_count(q.id))
    voters = state.votes.get(q.id, ())
    if voters:
        # Where the votes come from: many from one address may be one person voting as
        # many (or a whole NATed hall: the moderator knows the venue).
        top = Counter(state.sources.get(c, "") for c in voters).most_common(1)[0]
        d["votes_top_source"] = {"address": top[0], "votes": top[1]}
    return d


def moderator_questions(
    state: State, window: int, live_item: str | None = None, room: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The moderator's queue of ``room`` (None: every room), newest first: every public
    question and at most ``window`` of the others (pending, rejected); and how many of
    those were left out (a flood must not make a snapshot the console cannot load)."""
    mine = [q for q in state.questions.values() if in_room(state, q, room)]
    public = [q for q in mine if q.status in PUBLIC_STATUSES]
    rest = sorted(
        (q for q in mine if q.status not in PUBLIC_STATUSES),
        key=lambda q: (q.created_at, q.id),
        reverse=True,
    )
    shown = [_moderator_question(state, q) for q in (*public, *rest[:window])]
    shown.sort(key=lambda d: question_order(Role.MODERATOR, d, live_item))
    return shown, max(0, len(rest) - window)


def public_view(state: State, now: datetime, room: str | None = None) -> dict[str, Any]:
    """The state every role may see (the hall's whole view)."""
    prog = state.programme
    tl = _timeline(state, now, room)
    target = target_in(state, tl)  # the room's timeline is already worked out
    on_screen_id = state.live.on_screen.get(tl.room)
    on_screen: Question | None = state.questions.get(on_screen_id) if on_screen_id else None
    hall = state.live.hall_message_in(tl.room, now)
    event = prog.event.to_dict()
    event["rooms"] = [r.to_dict() for r in prog.rooms]
    return {
        "event": event,
        "room": tl.room,
        "clock": now.isoformat(),
        "phase": tl.phase,
        "mode": tl.mode,
        "current": _current(state, tl),
        "next": [_slot(state, s, tl) for s in tl.next[:5]],
        "delay_minutes": tl.delay_minutes,
        # The room's own announcement, or the one for all rooms (``all_rooms``: true).
        "hall_message": _message(*hall) if hall else None,
        "on_screen_question": on_screen.public_dict(state.vote_count(on_screen.id))
        if on_screen
        else None,
        "programme": _programme(state, now),
        # Where an attendee's question goes now (None: questions are closed).
        "question_target": target.id if target else None,
    }


def foyer_view(state: State, now: datetime) -> dict[str, Any]:
    """What a foyer screen shows: every room's now and next (expected times), and only the
    announcement meant for all rooms."""
    view = public_view(state, now, None)
    hall = state.live.hall_message
    view["room"] = FOYER
    view["hall_message"] = _message(hall, True) if hall and hall.active(now) else None
    view["on_screen_question"] = None
    view["question_target"] = None
    rooms = []
    for r in state.programme.rooms:
        tl = _timeline(state, now, r.id)
        rooms.append(
            {
                "id": r.id,
                "name": r.name,
                "phase": tl.phase,
                "current": _current(state, tl),
                "next": [_slot(state, s, tl) for s in tl.next[:2]],
                "delay_minutes": tl.delay_minutes,
            }
        )
    view["rooms"] = rooms
    return view


def role_view(
    state: State,
    now: datetime,
    role: str,
    room: str | None = None,
    queue_window: int = 300,
) -> dict[str, Any]:
    """The snapshot ``state`` for one role (``queue_window``: see :func:`moderator_questions`)."""
    if room == FOYER:
        return foyer_view(state, now)
    view = public_view(state, now, room)
    live_item = view["current"]["id"] if view["current"] else None
    here = view["room"]
    if role == "attendee":
        view["questions"] = _public_questions(state, live_item, here)
    elif role == "stage":
        stage = state.live.stage_message_in(here)
        view["stage_message"] = stage.to_dict() if stage else None
        view["notes"] = {
            k: {"text": n.text, "audience": n.audience}
            for k, n in state.notes.items()
            if n.audience == "stage"
        }
    elif role == "moderator":
        stage = state.live.stage_message_in(here)
        view["stage_message"] = stage.to_dict() if stage else None
        view["notes"] = {
            k: {"text": n.text, "audience": n.audience, "updated_at": n.updated_at.isoformat()}
            for k, n in state.notes.items()
        }
        view["questions"], view["questions_hidden"] = moderator_questions(
            state, queue_window, live_item, here
        )
        if len(state.programme.rooms) > 1:
            view["rooms_live"] = rooms_overview(state, now)
    return view


def _message(message: Message, all_rooms: bool) -> dict[str, Any]:
    d = message.to_dict()
    if all_rooms:
        d["all_rooms"] = True
    return d


def rooms_overview(state: State, now: datetime) -> list[dict[str, Any]]:
    """Every room in a line (the moderator's overview): what is live, how late, whether
    an announcement is on, and how many questions wait."""
    waiting = Counter(
        state.programme.room_of(q.item_id)
        for q in state.questions.values()
        if q.status == "pending"
    )
    out = []
    for r in state.programme.rooms:
        tl = _timeline(state, now, r.id)
        hall = state.live.hall_message_in(r.id, now)
        out.append(
            {
                "id": r.id,
                "name": r.name,
                "phase": tl.phase,
                "mode": tl.mode,
                "current": tl.current.item.title if tl.current else None,
                "next": tl.next[0].item.title if tl.next else None,
                "next_start": tl.next[0].expected_start.isoformat() if tl.next else None,
                "delay_minutes": tl.delay_minutes,
                "hall_message": bool(hall),
                "pending": waiting.get(r.id, 0),
            }
        )
    return out


def own_questions(state: State, client_id: str) -> dict[str, Any]:
    """An attendee's own questions (any status) and the questions it voted for."""
    mine = sorted(
        (q for q in state.questions.values() if q.client_id == client_id),
        key=lambda q: q.created_at,
    )
    voted = sorted(qid for qid, voters in state.votes.items() if client_id in voters)
    return {
        "questions": [
            {**q.public_dict(state.vote_count(q.id)), "edited": q.text != q.original_text}
            for q in mine
        ],
        "voted": voted,
    }


def signature(state: State, now: datetime) -> tuple[Any, ...]:
    """What changes on screens with the clock alone (current, phase, expected minutes).

    The server republishes when this changes, so that clients never run the rules.
    """
    sig: list[Any] = []
    for r in state.programme.rooms:
        tl = _timeline(state, now, r.id)
        sig.append((r.id, tl.phase, tl.current.item.id if tl.current else None))
        sig.append(tuple(int(s.expected_start.timestamp() // 60) for s in tl.next[:5]))
    for r in state.programme.rooms:
        hall = state.live.hall_message_in(r.id, now)
        sig.append(hall[0].set_at if hall else None)
    return tuple(sig)
