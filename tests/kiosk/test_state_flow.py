"""State flows one way and tables keep the user's place (fed by hand, no server)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from kiosk.attendee.app import make_app as make_attendee
from kiosk.moderator.app import make_app as make_moderator
from server.protocol import parse_command
from server.state import Actor, Context, State, apply
from server.views import role_view
from tests.kiosk.helpers import PROGRAMME, at

NOW = at("11:40")


def snapshot(now, role: str, *commands: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """Like helpers.snapshot, but every command comes from its own client (no rate limit)."""
    state = State(programme=PROGRAMME)
    ids = itertools.count(1)
    for n, (who, name, args) in enumerate(commands):
        cmd = parse_command({"type": "command", "id": "x", "name": name, "args": args}, who)
        ctx = Context(now, Actor(who, f"{who}-{n}"), lambda: f"q{next(ids)}")
        state = apply(state, cmd, ctx).state
    return json.loads(json.dumps(role_view(state, now, role)))


def _asked(n: int) -> list[tuple[str, str, dict]]:
    """n questions from attendees, every one approved."""
    asked = [("attendee", "submit_question", {"text": f"Spørgsmål nummer {i}"}) for i in range(n)]
    approved = [("moderator", "approve_question", {"question_id": f"q{i + 1}"}) for i in range(n)]
    return asked + approved


def _keys(table: DataTable) -> list[str]:
    return [str(r.key.value) for r in table.ordered_rows]


async def test_an_attendees_vote_list_shows_the_snapshot_it_came_with(tmp_path: Path):
    """The approved question is in the vote list with the very snapshot that approved it."""
    app = make_attendee(connect=False, now=lambda: NOW, config_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(1, snapshot(NOW, "attendee"))
        await pilot.pause()
        app.feed(2, snapshot(NOW, "attendee", *_asked(1)))
        await pilot.pause()
        table = app.screen.query_one("#public", DataTable)
        assert _keys(table) == ["q1"]
        assert str(table.get_row_at(0)[2]) == "Spørgsmål nummer 0"


async def test_a_storm_of_votes_keeps_the_moderators_cursor_and_scroll():
    """Votes change counts in place: the cursor row and the scroll position stay put."""
    app = make_moderator(connect=False, now=lambda: NOW)
    asked = _asked(40)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(1, snapshot(NOW, "moderator", *asked))
        await pilot.pause()
        app.action_question_tab("all")
        await pilot.pause()
        table = app.screen.query_one("#questions", DataTable)
        table.move_cursor(row=30)
        await pilot.pause()
        key, scroll = _keys(table)[30], table.scroll_y
        assert scroll > 0
        votes = list(asked)
        for n in range(1, 11):
            votes.append(("attendee", "vote", {"question_id": f"q{n}"}))
            app.feed(1 + n, snapshot(NOW, "moderator", *votes))
            await pilot.pause()
            assert _keys(table)[table.cursor_row] == key and table.scroll_y == scroll
        assert str(table.get_row_at(table.get_row_index("q10"))[0]) == "1"


async def test_a_new_question_keeps_the_moderator_on_the_same_question():
    """A question arriving on top moves the rows; the cursor stays on its question."""
    app = make_moderator(connect=False, now=lambda: NOW)
    asked = [("attendee", "submit_question", {"text": f"Spørgsmål {i}"}) for i in range(5)]
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(1, snapshot(NOW, "moderator", *asked))
        await pilot.pause()
        table = app.screen.query_one("#questions", DataTable)
        table.move_cursor(row=2)
        key = _keys(table)[2]
        more = [*asked, ("attendee", "submit_question", {"text": "Et nyt"})]
        app.feed(2, snapshot(NOW, "moderator", *more))
        await pilot.pause()
        assert len(_keys(table)) == 6 and _keys(table)[table.cursor_row] == key


async def test_an_attendees_cursor_follows_its_question_when_votes_reorder_the_list(tmp_path: Path):
    """The vote list is sorted by votes: the highlighted question stays highlighted as it moves,
    so space never votes for a question the attendee did not pick."""
    app = make_attendee(connect=False, now=lambda: NOW, config_dir=tmp_path)
    asked = _asked(5)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(1, snapshot(NOW, "attendee", *asked))
        await pilot.pause()
        table = app.screen.query_one("#public", DataTable)
        table.move_cursor(row=3)
        key = _keys(table)[3]
        votes = [*asked, *(("attendee", "vote", {"question_id": key}) for _ in range(3))]
        app.feed(2, snapshot(NOW, "attendee", *votes))
        await pilot.pause()
        assert _keys(table)[0] == key  # most votes first
        assert _keys(table)[table.cursor_row] == key


async def test_the_vote_list_says_which_item_a_question_is_for(tmp_path: Path):
    """During the afternoon panel, a morning question in the vote list carries its item's
    (short) title; the live panel's own questions are plain and come first."""
    from tests.kiosk.helpers import snapshot as snapshot_at

    asked = [
        ("attendee", "submit_question", {"text": "Fra formiddagen", "item_id": "unge"}),
        ("moderator", "approve_question", {"question_id": "q1"}),
    ]
    later = at("15:45")
    state = snapshot_at(later, "attendee", *asked, applied_at=at("12:00"))
    app = make_attendee(connect=False, now=lambda: later, config_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(1, state)
        await pilot.pause()
        table = app.screen.query_one("#public", DataTable)
        assert str(table.get_row_at(0)[2]) == "[Unge, ensomhed og…] Fra formiddagen"


async def test_the_programmes_star_is_explained(tmp_path: Path):
    """With the day late, the attendee's programme marks expected times with * and says
    what it means above the table."""
    from tests.kiosk.helpers import snapshot as snapshot_at

    late = snapshot_at(at("11:50"), "attendee", ("moderator", "set_delay", {"minutes": 10}),
                       applied_at=at("11:00"))  # fmt: skip
    app = make_attendee(connect=False, now=lambda: at("11:50"), config_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(1, late)
        await pilot.press("f2")
        await pilot.pause()
        legend = app.screen.query_one("#late-legend")
        assert legend.display
        assert str(legend.render()) == "* forventet starttid: dagen er 10 min. forsinket"
