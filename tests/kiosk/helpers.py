"""Helpers for the screen tests: states built with the real rules, waiting on conditions."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from server.programme import default_programme
from server.protocol import parse_command
from server.state import Actor, Context, State, apply
from server.views import role_view
from tests.conftest import TZ, UNIT

PROGRAMME = default_programme()


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2025, 9, 25, int(h), int(m), tzinfo=TZ)


def build_state(now: datetime, *commands: tuple[str, str, dict[str, Any]]) -> State:
    """The seed day with (role, command, args) applied by the real rules."""
    state = State(programme=PROGRAMME)
    ids = itertools.count(1)  # the same commands give the same question ids
    for role, name, args in commands:
        cmd = parse_command({"type": "command", "id": "x", "name": name, "args": args}, role)
        state = apply(
            state, cmd, Context(now, Actor(role, f"{role}-1"), lambda: f"q{next(ids)}")
        ).state
    return state


def snapshot(
    now: datetime,
    role: str = "hall",
    *commands: tuple[str, str, dict[str, Any]],
    applied_at: datetime | None = None,
) -> dict[str, Any]:
    """A snapshot's state at ``now`` as it goes over the wire (through JSON).

    The commands are applied at ``applied_at`` (default: ``now``).
    """
    state = build_state(applied_at or now, *commands)
    return json.loads(json.dumps(role_view(state, now, role)))


async def wait_for(pilot: Any, cond: Callable[[], bool], timeout: float = 10 * UNIT) -> None:
    """Pause the app until cond() holds."""
    async with asyncio.timeout(timeout):
        while not cond():
            await pilot.pause(0.05)


def screen_text(app: Any) -> str:
    """Everything the app's screen shows, as plain text."""
    from textual.widgets import Static

    from kiosk.widgets.bigtext import BigText

    parts = []
    for w in app.screen.query("*"):
        if not isinstance(w, Static | BigText):
            continue
        if w.display and all(a.display for a in w.ancestors_with_self if hasattr(a, "display")):
            # Block letters are read as the text they draw.
            parts.append(w.text if isinstance(w, BigText) else str(w.render()))
    return "\n".join(parts)


def blank_run(app: Any) -> int:
    """The most rows in a row on which the screen shows nothing (no character, no
    block of colour other than the row's own background)."""
    from collections import Counter

    longest = run = 0
    for strip in app.screen._compositor.render_strips():
        widths: Counter[object] = Counter()
        for seg in strip:
            widths[seg.style.bgcolor if seg.style else None] += len(seg.text)
        ground = widths.most_common(1)[0][0] if widths else None
        inked = any(
            seg.text.strip() or (seg.style and seg.style.bgcolor != ground) for seg in strip
        )
        run = 0 if inked else run + 1
        longest = max(longest, run)
    return longest
