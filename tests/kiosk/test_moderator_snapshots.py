"""Screenshots (SVG) of the moderator console at 120x40 and 80x24."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.moderator.app import make_app
from tests.kiosk.helpers import at, snapshot

MOD = "moderator"
COMMANDS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "attendee",
        "submit_question",
        {
            "text": "[bold]Hvordan[/] når vi de unge, der ikke selv søger hjælp?",
            "name": "Ida",
            "organisation": "DGI",
        },
    ),
    ("attendee", "submit_question", {"text": "Hvad gør kommunerne konkret?"}),
    ("attendee", "submit_question", {"text": "Hvordan måler I effekten?", "name": "Ole"}),
    (MOD, "approve_question", {"question_id": "q2"}),
    (MOD, "show_question", {"question_id": "q3"}),
    (MOD, "set_delay", {"minutes": 10}),
    (
        MOD,
        "save_note",
        {
            "item_id": "unge",
            "text": "Panelet: Ida (Mary Fonden), Ole (Holstebro Kommune). Udtales: DEFACTUM.",
            "audience": "stage",
        },
    ),
    (MOD, "set_hall_message", {"text": "Frokosten serveres i Vandrehallen"}),
)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_moderator_main_screen(snap_compare, size: tuple[int, int]):
    """The main screen with questions, a note, a delay, a message and a question on screen."""
    now = at("11:50")
    state = snapshot(now, "moderator", *COMMANDS, applied_at=at("11:45"))
    app = make_app(connect=False, now=lambda: now)

    async def run_before(pilot: Any) -> None:
        pilot.app.feed(1, state)
        pilot.app.on_presence({"hall": 3, "stage": 1, "moderator": 2, "attendee": 214})
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_moderator_confirm_dialog(snap_compare):
    """The confirmation before moving on to the next item."""
    now = at("11:50")
    state = snapshot(now, "moderator")
    app = make_app(connect=False, now=lambda: now)

    async def run_before(pilot: Any) -> None:
        pilot.app.feed(1, state)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
