"""User text on every screen: shown literally, inside its box, with no action run and no crash.

The server already refuses control characters; these tests feed the screens directly, as a
malicious or broken server could, so the screens defend themselves too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.attendee.app import make_app as make_attendee
from kiosk.hall.app import make_app as make_hall
from kiosk.moderator.app import make_app as make_moderator
from kiosk.widgets.bigtext import BigText
from kiosk.widgets.hall import MessageBanner, QuestionPanel
from tests.kiosk.helpers import at, screen_text, snapshot

NASTY = [
    "[@click=app.quit]klik her[/]",
    "[ @click=app.quit]klik[/]",
    "[/]",
    "[bold red]rød[/bold red] [link=https://evil.example]link[/link]",
    "ryd skærmen \x1b[2J\x1b[H",
    "kopier \x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;https://evil.example\x1b\\hyperlink\x1b]8;;\x1b\\",
    "bip \x07\x07",
    "A" * 5000,
    "\n" * 3000 + "bund",
]


def _poisoned_state(role: str, text: str) -> dict[str, Any]:
    now = at("11:40")
    state = snapshot(now, role)
    question = {
        "id": "q1",
        "item_id": "unge",
        "text": text,
        "status": "on_screen",
        "votes": 3,
        "name": text[:80],
        "organisation": text[:80],
    }
    state["on_screen_question"] = question
    state["hall_message"] = {"text": text, "set_at": now.isoformat(), "expires_at": None}
    if role in ("moderator", "attendee"):
        state["questions"] = [
            question,
            {**question, "id": "q2", "status": "pending" if role == "moderator" else "approved"},
        ]
    if role in ("moderator", "stage"):
        state["stage_message"] = {"text": text, "set_at": now.isoformat(), "expires_at": None}
        state["notes"] = {"unge": {"text": text, "audience": "stage"}}
    state["current"]["title"] = text
    state["current"]["description"] = text
    return state


def _table_text(app: Any) -> str:
    from textual.widgets import DataTable

    cells = []
    for table in app.screen.query(DataTable):
        for n in range(table.row_count):
            cells += [str(c) for c in table.get_row_at(n)]
    return "\n".join(cells)


def _assert_harmless(app: Any, size: tuple[int, int]) -> None:
    shown = screen_text(app) + _table_text(app)
    for ch in ("\x1b", "\x07", "\x9b"):
        assert ch not in shown
    assert app.is_running
    for panel in app.screen.query(QuestionPanel):
        if panel.display:
            assert panel.region.height <= 12 and panel.region.right <= size[0]
    for banner in app.screen.query(MessageBanner):
        if banner.display:
            assert banner.region.height <= 8
    # Nothing pushes the clock or the countdown off the screen.
    screen = app.screen.region
    for clock in app.screen.query("#header-clock-small, #header-clock, #stage-clock"):
        if clock.display and clock.region.area:
            assert screen.contains_region(clock.region), clock
    for big in app.screen.query(BigText):
        if big.display and big.region.area:
            assert screen.contains_region(big.region), big


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
@pytest.mark.parametrize("mode", ["audience", "stage"])
async def test_hall_and_stage(text: str, mode: str):
    """The hall and the stage monitor show hostile text literally, in its box; clicks do nothing."""
    size = (100, 30)
    app = make_hall(mode=mode, connect=False, now=lambda: at("11:40"))
    async with app.run_test(size=size) as pilot:
        app.feed(1, _poisoned_state("stage" if mode == "stage" else "hall", text))
        await pilot.pause()
        _assert_harmless(app, size)
        if "klik" in text and mode == "audience":
            assert text.replace("\x1b", "") in screen_text(app) or text in screen_text(app)
        await pilot.click(offset=(10, 10))
        await pilot.click(offset=(50, 25))
        await pilot.pause()
        assert app.is_running


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
async def test_moderator_console(text: str):
    """The moderator console: questions, notes and messages with hostile text."""
    size = (120, 40)
    app = make_moderator(connect=False, now=lambda: at("11:40"))
    async with app.run_test(size=size) as pilot:
        app.feed(1, _poisoned_state("moderator", text))
        await pilot.pause()
        _assert_harmless(app, size)
        await pilot.click("#questions")
        await pilot.click(offset=(60, 20))
        await pilot.pause()
        assert app.is_running


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
async def test_attendee_client(text: str, tmp_path: Path):
    """The attendee client: the vote list and its own questions with hostile text."""
    size = (100, 30)
    app = make_attendee(connect=False, now=lambda: at("11:40"), config_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        app.feed(1, _poisoned_state("attendee", text))
        app.on_mine(
            {
                "questions": [
                    {"id": "q9", "item_id": "unge", "text": text, "status": "pending", "votes": 0}
                ],
                "voted": [],
            }
        )
        for key in ("f1", "f2", "f3", "f4"):
            await pilot.press(key)
            await pilot.pause()
            _assert_harmless(app, size)
        await pilot.click("#public")
        await pilot.pause()
        assert app.is_running


async def test_markup_is_literal_on_the_hall():
    """The exact characters of a markup question are on the screen (not styled away)."""
    app = make_hall(connect=False, now=lambda: at("11:40"))
    async with app.run_test(size=(120, 30)) as pilot:
        app.feed(1, _poisoned_state("hall", "[bold red]rød[/bold red] [@click=app.quit]x[/]"))
        await pilot.pause()
        assert "[bold red]rød[/bold red] [@click=app.quit]x[/]" in screen_text(app)
