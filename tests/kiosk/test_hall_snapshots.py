"""Screenshots (SVG) of every hall screen at 80x24 and 200x50, in every theme."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import themes
from kiosk.hall.app import make_app
from tests.kiosk.helpers import at, blank_run, screen_text, snapshot

MOD = "moderator"
EVIL_QUESTION = (
    "[@click=app.quit]klik[/] Hvordan når vi [bold]de unge[/], der ikke selv søger hjælp?"
)
SCREENS: dict[str, tuple[str, datetime, str, tuple[tuple[str, str, dict[str, Any]], ...]]] = {
    # name: (mode, clock, role of the snapshot, commands)
    "live": ("audience", at("11:40"), "hall", ()),
    "late": ("audience", at("11:50"), "hall", ((MOD, "set_delay", {"minutes": 15}),)),
    "break": ("audience", at("11:25"), "hall", ()),
    "before": ("audience", at("09:30"), "hall", ()),
    "after": ("audience", at("16:45"), "hall", ()),
    "question": (
        "audience",
        at("11:40"),
        "hall",
        (
            (
                "attendee",
                "submit_question",
                {
                    "text": EVIL_QUESTION,
                    "name": "Ida",
                    "organisation": "DGI",
                },
            ),
            (MOD, "show_question", {"question_id": "q1"}),
        ),
    ),
    "announcement": (
        "audience",
        at("11:40"),
        "hall",
        ((MOD, "set_hall_message", {"text": "Frokosten serveres i Vandrehallen"}),),
    ),
    "stage": (
        "stage",
        at("12:21"),
        "stage",
        (
            ("attendee", "submit_question", {"text": "Hvem har ansvaret?", "name": "Ole"}),
            (MOD, "show_question", {"question_id": "q1"}),
            (MOD, "set_stage_message", {"text": "2 minutter tilbage"}),
            (
                MOD,
                "save_note",
                {
                    "item_id": "unge",
                    "text": "Panelet: fire deltagere. Afslut med spørgsmål fra salen.",
                    "audience": "stage",
                },
            ),
        ),
    ),
    "stage-over": ("stage", at("12:20"), "stage", ((MOD, "go_live", {"item_id": "reformer"}),)),
    "over": ("audience", at("12:20"), "hall", ((MOD, "go_live", {"item_id": "reformer"}),)),
}


def _state(name: str) -> tuple[str, datetime, dict[str, Any]]:
    mode, now, role, commands = SCREENS[name]
    if name in ("stage-over", "over"):  # went live 45 minutes ago: 10 minutes over its 35
        return mode, now, snapshot(now, role, *commands, applied_at=now - timedelta(minutes=45))
    return mode, now, snapshot(now, role, *commands)


@pytest.mark.parametrize("theme", sorted(themes.available()))
@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_hall_screen(snap_compare, screen: str, size: tuple[int, int], theme: str):
    """Each hall screen at a small and a large size in each theme."""
    assert _snap(snap_compare, screen, size, theme)


def _snap(snap_compare: Any, screen: str, size: tuple[int, int], theme: str) -> bool:
    mode, now, state = _state(screen)
    app = make_app(mode=mode, theme=theme, connect=False, now=lambda: now)

    async def run_before(pilot: Any) -> None:
        pilot.app.feed(1, state)
        for _ in range(3):  # the block letters take spare rows after the first layout
            await pilot.pause()

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


@pytest.mark.parametrize("size", [(120, 34), (240, 67)], ids=["120x34", "240x67"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_hall_screen_at_hall_sizes(snap_compare, screen: str, size: tuple[int, int]):
    """Each hall screen at a laptop's 120x34 and a 1080p TV's 240x67 (the dark theme)."""
    assert _snap(snap_compare, screen, size, "podium-dark")


# A short text in letters as large as the width allows leaves rows above and below.
WIDTH_BOUND = {"after", "stage-over"}


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 34), (200, 50), (240, 67), (320, 90)], ids=lambda s: f"{s[0]}x{s[1]}"
)
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("qr", [False, True], ids=["", "qr"])
async def test_no_screen_leaves_a_large_part_empty(screen: str, size: tuple[int, int], qr: bool):
    """No hall screen leaves a quarter of its height empty in one stretch (a third for
    the short texts whose letters the width bounds). Before, the welcome left the bottom
    third empty at 240x67 and the closing screen 25 rows of 67."""
    mode, now, state = _state(screen)
    app = make_app(mode=mode, theme="podium-dark", connect=False, now=lambda: now)
    async with app.run_test(size=size) as pilot:
        if qr:
            app.on_welcome({"public_url": "http://192.168.1.10:8765/"})
        app.feed(1, state)
        for _ in range(3):
            await pilot.pause()
        bound = size[1] // 3 if screen in WIDTH_BOUND or size[1] < 30 else size[1] // 4
        assert blank_run(app) <= bound, screen_text(app)


async def test_a_low_hall_draws_the_time_left_in_letters_only_in_spare_rows():
    """At 80x24 the time left is in block letters when the description leaves the rows
    ("over": a short description) and not when it needs them ("live": its points)."""
    from kiosk.widgets.bigtext import BigText

    for screen, shown in (("over", True), ("live", False)):
        mode, now, state = _state(screen)
        app = make_app(mode=mode, theme="podium-dark", connect=False, now=lambda now=now: now)
        async with app.run_test(size=(80, 24)) as pilot:
            app.feed(1, state)
            for _ in range(3):
                await pilot.pause()
            left = app.screen.query_one(".now-left-big", BigText)
            assert left.display is shown, screen
            if shown:
                assert left.text == "+10 min." and left.fitted.face is not None
            else:  # every point of "Du får indblik i" is on screen
                assert "• En afsluttende paneldebat" in screen_text(app)


@pytest.mark.parametrize("size", [(120, 34), (240, 67)], ids=["120x34", "240x67"])
@pytest.mark.parametrize("screen", ["before", "break", "live"])
def test_hall_screen_with_the_qr_code(snap_compare, screen: str, size: tuple[int, int]):
    """The welcome, the break and an item open for questions, with the attendees' page as a
    QR code beside them (the server's welcome gave its address)."""
    mode, now, state = _state(screen)
    app = make_app(mode=mode, theme="podium-dark", connect=False, now=lambda: now)

    async def run_before(pilot: Any) -> None:
        pilot.app.on_welcome({"public_url": "http://192.168.1.10:8765/"})
        pilot.app.feed(1, state)
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
