"""Text the block letters cannot draw well, on the hall and the stage at the smallest and a
TV's size: each shows (in block letters or as normal text, never with a hole), nothing
crashes, and nothing pushes the clock or the countdown off the screen."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.bigtype import clean
from kiosk.hall.app import make_app
from kiosk.widgets.bigtext import BigText
from tests.kiosk.helpers import at, screen_text, snapshot

BAD = {
    "280 characters, no space": "Hvorfor" * 40,
    "only emoji": "😀🎉🙈" * 20,
    "right to left": "שלום עליכם, מה שלומכם היום? " * 4,
    "combining marks": "Spo\u0308rgsma\u030al med a\u0301ccenter og q\u0308 x\u0336",
    "300-character title": ("Ensomhed og fællesskab i kommunerne " * 9)[:300],
}
SIZES = [(80, 24), (240, 67)]


def _state(role: str, case: str, text: str, now: Any) -> dict[str, Any]:
    state = snapshot(now, role)
    if case == "300-character title":
        state["current"]["title"] = text
        return state
    state["on_screen_question"] = {
        "id": "q1",
        "item_id": "unge",
        "text": text,
        "status": "on_screen",
        "votes": 3,
        "name": "Ida " + "Ørnebjerg-Ållingsen " * 4,
        "organisation": "",
    }  # fmt: skip  (a name of 80 characters and more)
    if role == "stage":
        state["stage_message"] = {"text": text, "set_at": now.isoformat(), "expires_at": None}
    return state


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "240x67"])
@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("mode", ["audience", "stage"])
async def test_bad_text_shows_and_keeps_the_clock_and_countdown(mode, case, size):
    now = at("11:40")
    text = BAD[case]
    app = make_app(mode=mode, connect=False, now=lambda: now)
    async with app.run_test(size=size) as pilot:
        app.feed(1, _state("stage" if mode == "stage" else "hall", case, text, now))
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        screen = app.screen.region
        clocks = [
            w for w in app.screen.query("#header-clock-small, #header-clock, #stage-clock")
            if w.display and w.region.area
        ]  # fmt: skip
        assert clocks and all(screen.contains_region(c.region) for c in clocks)
        if mode == "stage":
            countdown = app.screen.query_one("#stage-countdown", BigText)
            assert countdown.region.height >= 3 and screen.contains_region(countdown.region)
            assert countdown.fitted.face is not None  # the digits stay in block letters
        shown = [b for b in app.screen.query(BigText) if b.display and b.region.area]
        for big in shown:
            assert screen.contains_region(big.region)
            fitted = big.fitted
            if fitted.face is not None:  # block letters only where every letter is there
                assert all(fitted.face.has(line) for line in fitted.lines)
        # The text is drawn on screen from its first word on (in block letters or as normal
        # text; a word longer than a line is cut with "…", never broken onto the next line).
        first = clean(text).split()[0]
        if mode == "stage" and case == "300-character title":
            assert f"NU: {first}" in screen_text(app)  # the stage's top line, cut with …
            return
        mine = [b for b in shown if b.text == clean(text)]
        assert mine, case
        drawn = mine[0].fitted.lines
        word = drawn[0].split()[0]
        assert word == first or (word.endswith("…") and first.startswith(word[:-1])), word
        if mode == "stage" and case != "300-character title":
            assert "På salskærmen:" in screen_text(app)  # the question, small, below
