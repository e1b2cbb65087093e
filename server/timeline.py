"""What every screen shows, derived from the state and the clock: current, next, expected times.

Pure: :func:`timeline` gives one room at one moment; :func:`question_target` says where an
attendee's question goes now. The server runs these and sends the results; clients never
run them (see docs/protocol.md for the timing model).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from server.live import RoomLive, State
from server.programme.model import Item


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

    @cached_property
    def to_come(self) -> frozenset[str]:
        """The ids of the live item and those still to come (the rest are over)."""
        live = {self.current.item.id} if self.current else set()
        return frozenset(live | {s.item.id for s in self.next})


def _cascade(
    items: tuple[Item, ...],
    rl: RoomLive,
    start_at: int,
    t: datetime | None,
    current_from: int | None = None,
) -> list[Slot]:
    """Expected times from ``start_at`` on, each item no earlier than the one before ends
    (``t``). An item has the delay it had when it was still to come (``RoomLive.delay_for``);
    from ``current_from`` on, every item has the current delay."""
    out: list[Slot] = []
    for n in range(start_at, len(items)):
        item = items[n]
        if current_from is not None and n >= current_from:
            minutes = rl.delay_minutes
        else:
            minutes = rl.delay_for(n)
        planned = item.start + timedelta(minutes=minutes)
        start = planned if t is None else max(planned, t)
        end = start + item.duration + timedelta(minutes=rl.extensions.get(item.id, 0))
        out.append(Slot(item, start, end))
        t = end
    return out


def timeline(state: State, now: datetime, room: str | None = None) -> Timeline:
    """Derive current, next and the expected times of one room at ``now``."""
    prog = state.programme
    room_id = prog.room_id(room)
    items = prog.in_room(room_id)
    rl = state.live.room(room_id)
    current: Slot | None = None
    if rl.mode == "manual":
        idx = next((n for n, i in enumerate(items) if i.id == rl.item_id), None)
        if idx is not None and rl.since is not None:
            before = _cascade(items[:idx], rl, 0, None)
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
            slots = tuple(_cascade(items, rl, 0, None))
            upcoming = () if rl.ended else tuple(s for s in slots if s.expected_start > now)
            phase = "after" if rl.ended or not upcoming else "between"
            if upcoming and upcoming[0] is slots[0]:
                phase = "before"
    else:
        slots = tuple(_cascade(items, rl, 0, None))
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


def is_over(tl: Timeline, item: Item) -> bool:
    """Whether ``item`` (of the timeline's room) is over: neither live nor still to come."""
    return item.id not in tl.to_come


def takes_questions(state: State, tl: Timeline, item: Item) -> bool:
    """Whether an item takes questions now: by the programme or the moderator, and not
    over (an item's questions close when it ends, unless the moderator opened them again
    after that)."""
    if not state.questions_open_for(item):
        return False
    return item.id in state.live.late_questions or not is_over(tl, item)


def question_target(state: State, now: datetime, room: str | None = None) -> Item | None:
    """The item an attendee's question goes to when none is named.

    The live item if it takes questions; in a break or before an item, the next item
    that is not a break, if it takes questions; otherwise none.
    """
    return target_in(state, timeline(state, now, room))


def target_in(state: State, tl: Timeline) -> Item | None:
    """:func:`question_target` for a timeline already worked out."""
    if tl.current is not None and not tl.current.item.is_pause:
        target: Item | None = tl.current.item
    else:
        target = next((s.item for s in tl.next if not s.item.is_pause), None)
    return target if target is not None and state.questions_open_for(target) else None
