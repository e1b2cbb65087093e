"""Screenshots (SVG) of the attendee client at 80x24 and 120x40."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.attendee.app import make_app
from tests.kiosk.helpers import at, snapshot

COMMANDS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "attendee",
        "submit_question",
        {"text": "Hvordan når vi de unge, der ikke selv søger hjælp?", "name": "Ida"},
    ),
    ("attendee", "submit_question", {"text": "[bold]Hvad[/] gør kommunerne konkret?"}),
    ("moderator", "approve_question", {"question_id": "q1"}),
    ("moderator", "approve_question", {"question_id": "q2"}),
    ("attendee", "vote", {"question_id": "q2"}),
)


@pytest.mark.parametrize(
    "tab", ["f1", "f2", "f3", "f4"], ids=["nu", "program", "spoerg", "praktisk"]
)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_attendee_screens(snap_compare, tmp_path: Path, size: tuple[int, int], tab: str):
    """Each tab of the attendee client, with approved questions and one of its own."""
    now = at("11:50")
    state = snapshot(now, "attendee", *COMMANDS)
    mine = {
        "questions": [
            {
                "id": "q9",
                "item_id": "unge",
                "text": "Mit eget spørgsmål",
                "status": "pending",
                "votes": 0,
            }
        ],
        "voted": ["q2"],
    }
    app = make_app(connect=False, now=lambda: now, config_dir=tmp_path)

    async def run_before(pilot: Any) -> None:
        pilot.app.feed(1, state)
        pilot.app.on_mine(mine)
        await pilot.press(tab)
        await pilot.pause()
        pilot.app.screen.query_one("#ask-name").value = ""  # not this machine's profile

    assert snap_compare(app, terminal_size=size, run_before=run_before)
