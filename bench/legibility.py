"""bench/legibility: how large the hall draws what the room must read, at each screen size.

For each size the real hall app is laid out (headless, fed the seed day's state) and the
height in rows of the block letters is read off: the live item's title and time left, a
200-character question on screen, the break's countdown; and the longest line of the
question in characters. No timing: the figures are the same on every machine.

Goal (issue 14): from 120x34 up, a question of up to 200 characters is drawn in block
letters at least 3 rows high.

    python -m bench.legibility [--out bench/results/legibility.md]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.hall.app import make_app
from kiosk.widgets.bigtext import BigText
from server.programme import default_programme
from server.protocol import parse_command
from server.state import Actor, Context, State, apply
from server.views import role_view

SIZES = [(80, 24), (120, 34), (200, 50), (240, 67), (320, 90)]
QUESTION = (
    "Hvordan når vi de unge, der ikke selv søger hjælp, og hvem har ansvaret i kommunen, "
    "når skolen ikke ser dem, forældrene ikke ved, hvad de skal gøre, og lægen kun ser "
    "dem en gang om året? Hvad gør I konkret?"
)[:200]
TZ = ZoneInfo("Europe/Copenhagen")


def _at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2025, 9, 25, int(h), int(m), tzinfo=TZ)


def hall_state(now: datetime, *commands: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """The hall's snapshot of the seed day at ``now`` after the commands, as sent."""
    state = State(programme=default_programme())
    ids = itertools.count(1)
    for role, name, args in commands:
        cmd = parse_command({"type": "command", "id": "b", "name": name, "args": args}, role)
        ctx = Context(now, Actor(role, f"{role}-1"), lambda: f"q{next(ids)}")
        state = apply(state, cmd, ctx).state
    return json.loads(json.dumps(role_view(state, now, "hall")))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Legibility:
    size: tuple[int, int]
    title_rows: int
    time_left_rows: int
    question_rows: int
    question_line_chars: int
    break_countdown_rows: int


async def _drawn(
    size: tuple[int, int], now: datetime, state: dict[str, Any], css: str
) -> tuple[int, tuple[str, ...]]:
    """(rows high of the letters ``css`` draws: 1 normal text, 0 not on screen; its lines)."""
    app = make_app(connect=False, now=lambda: now)
    async with app.run_test(size=size) as pilot:
        app.feed(1, state)
        for _ in range(3):  # the letters take spare rows after the first layout
            await pilot.pause()
        big = app.screen.query_one(css, BigText)
        fitted = big.fitted
        shown = big.display and big.region.height > 0 and bool(fitted.lines)
        return (fitted.rows if shown else 0), fitted.lines


async def measure(size: tuple[int, int]) -> Legibility:
    live = hall_state(_at("11:40"))
    asked = hall_state(
        _at("11:40"),
        ("attendee", "submit_question", {"text": QUESTION, "name": "Ida", "organisation": "DGI"}),
        ("moderator", "show_question", {"question_id": "q1"}),
    )
    pause = hall_state(_at("11:25"))
    title, _ = await _drawn(size, _at("11:40"), live, ".now-title-big")
    left, _ = await _drawn(size, _at("11:40"), live, ".now-left-big")
    question, lines = await _drawn(size, _at("11:40"), asked, ".question-stage-text")
    countdown, _ = await _drawn(size, _at("11:25"), pause, ".pause-countdown")
    longest = max((len(line) for line in lines), default=0)
    return Legibility(size, title, left, question, longest, countdown)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=Path("bench/results/legibility.md"))
    args = p.parse_args(argv)
    results = [asyncio.run(measure(size)) for size in SIZES]
    lines = [
        "## bench/legibility — how large the hall draws what the room reads",
        "",
        "Rows high of the block letters (1: normal text; 0: not shown at that size), the real",
        f"hall app laid out at each size. The question is {len(QUESTION)} characters. Goal: from",
        "120x34 up, the question in block letters at least 3 rows high.",
        "",
        "| size | title | time left | question | question: longest line (chars) "
        "| break countdown | goal met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        cols, rows = r.size
        goal = "—" if (cols, rows) < (120, 34) else ("yes" if r.question_rows >= 3 else "**no**")
        lines.append(
            f"| {cols}x{rows} | {r.title_rows} | {r.time_left_rows} | {r.question_rows} "
            f"| {r.question_line_chars} | {r.break_countdown_rows} | {goal} |"
        )
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
