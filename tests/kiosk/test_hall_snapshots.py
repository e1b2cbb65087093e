"""Screenshots (SVG) of every hall screen at 80x24 and 200x50, in every theme."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import themes
from kiosk.hall.app import make_app
from tests.kiosk.helpers import at, snapshot

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
