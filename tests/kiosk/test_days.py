"""Several days (issue 16, item 5): the screens say which day a time is on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.hall.app import make_app
from server.app import Running
from server.programme import load_file
from server.state import State
from server.views import role_view
from tests.conftest import TZ, running_server
from tests.kiosk.helpers import screen_text

TWO_DAYS = Path(__file__).resolve().parents[1] / "data" / "two-days.toml"


@pytest.fixture
async def two_days(db_url: str, clock) -> AsyncIterator[Running]:
    """A server on the two-day programme at noon (12.30) on the first day."""
    clock.t = datetime(2025, 10, 2, 12, 30, tzinfo=TZ)
    async for running in running_server(db_url, clock, programme=str(TWO_DAYS)):
        yield running


def _state(now: datetime) -> dict:
    state = State(programme=load_file(str(TWO_DAYS)))
    return json.loads(json.dumps(role_view(state, now, "hall")))


async def _hall_text(now: datetime) -> str:
    app = make_app(connect=False, now=lambda: now)
    async with app.run_test(size=(120, 34)) as pilot:
        app.feed(1, _state(now))
        for _ in range(3):
            await pilot.pause()
        return screen_text(app)


async def test_the_evening_of_the_first_day_says_tomorrow():
    text = await _hall_text(datetime(2025, 10, 2, 17, 0, tzinfo=TZ))
    assert "Næste punkt begynder kl. 23.30" in text  # the night café is today
    text = await _hall_text(datetime(2025, 10, 3, 1, 0, tzinfo=TZ))
    # After midnight the café (which began on day 1) is over; day 2 begins today.
    assert "Dagen begynder kl. 10.00" in text


async def test_an_item_past_midnight_belongs_to_the_day_it_starts_on():
    state = State(programme=load_file(str(TWO_DAYS)))
    cafe = state.programme.item("d1-nat")
    assert cafe is not None and cafe.start.date().isoformat() == "2025-10-02"
    assert cafe.end.date().isoformat() == "2025-10-03"
    view = role_view(state, datetime(2025, 10, 3, 0, 15, tzinfo=TZ), "hall")
    assert view["current"]["id"] == "d1-nat"


async def test_the_next_list_names_the_day():
    text = await _hall_text(datetime(2025, 10, 2, 12, 30, tzinfo=TZ))
    assert "Næste punkt begynder kl. 23.30" in text
    assert "i morgen kl. 10.00  Velkommen til dag 2" in text


async def test_the_attendee_programme_shows_one_day_at_a_time(two_days: Running, tmp_path):
    from textual.widgets import DataTable, Tabs

    from kiosk.attendee.app import make_app as make_attendee
    from tests.kiosk.helpers import wait_for

    running = two_days
    app = make_attendee(server=f"ws://127.0.0.1:{running.port}/ws", config_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await pilot.press("f2")
        await pilot.pause()
        table = app.screen.query_one("#att-programme", DataTable)
        tabs = app.screen.query_one("#att-days", Tabs)

        def titles() -> list[str]:
            return [str(table.get_row_at(n)[2]) for n in range(table.row_count)]

        assert tabs.display and tabs.active == "day-2025-10-02"
        assert "Velkommen til dag 1" in titles() and "Velkommen til dag 2" not in titles()
        tabs.active = "day-2025-10-03"
        await pilot.pause()
        assert titles() == ["Velkommen til dag 2", "Panel om fællesskab"]
        assert "fredag den 3. oktober" in str(tabs.query_one("#day-2025-10-03").label)


async def test_the_console_programme_shows_its_room_one_day_at_a_time(two_days: Running):
    from textual.widgets import Tabs

    from kiosk.moderator.app import make_app as make_console
    from kiosk.moderator.widgets import ProgrammeTable
    from tests.conftest import MOD_TOKEN
    from tests.kiosk.helpers import wait_for

    running = two_days
    app = make_console(server=f"ws://127.0.0.1:{running.port}/ws", token=MOD_TOKEN)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        app.main.open_programme()
        await pilot.pause()
        table = app.screen.query_one(ProgrammeTable)
        tabs = app.screen.query_one("#mod-days", Tabs)
        assert tabs.display and tabs.active == "day-2025-10-02"
        assert [i.id for i in table.items] == ["d1-velkommen", "d1-panel", "d1-nat"]
        tabs.active = "day-2025-10-03"
        await pilot.pause()
        assert [i.id for i in table.items] == ["d2-velkommen", "d2-panel"]
        assert app.main.programme_selected() is not None
        assert app.main.programme_selected().id.startswith("d2-")  # type: ignore[union-attr]


async def test_between_two_days_the_hall_shows_the_next_days_welcome():
    """After the last item of the first day (the night café ends 00.30) the hall shows the
    second day's welcome: when it begins and that day's programme only."""
    text = await _hall_text(datetime(2025, 10, 3, 1, 0, tzinfo=TZ))
    assert "Velkommen" in text and "Dagen begynder kl. 10.00" in text
    assert "Velkommen til dag 2" in text and "Panel om fællesskab" in text
    assert "Panel om frivillighed" not in text  # the first day's programme is over
    # The evening before, the same welcome says "i morgen".
    late = datetime(2025, 10, 2, 12, 30, tzinfo=TZ)  # day 1 still has the night café
    assert "Dagen begynder" not in await _hall_text(late)


async def test_the_evening_before_the_welcome_says_tomorrow():
    from server.programme.native import loads

    text = TWO_DAYS.read_text(encoding="utf-8")
    start = text.index('[[items]]\nid = "d1-nat"')
    end = text.index("[[items]]", start + 1)
    programme = loads(text[:start] + text[end:], "uden-natcafe.toml")  # day 1 ends at 12.00
    now = datetime(2025, 10, 2, 19, 0, tzinfo=TZ)
    state = json.loads(json.dumps(role_view(State(programme=programme), now, "hall")))
    app = make_app(connect=False, now=lambda: now)
    async with app.run_test(size=(120, 34)) as pilot:
        app.feed(1, state)
        for _ in range(3):
            await pilot.pause()
        assert "Dagen begynder i morgen kl. 10.00" in screen_text(app)


THREE_DAYS = TWO_DAYS.with_name("three-days.toml")


def _three(now: datetime, room: str) -> dict:
    state = State(programme=load_file(str(THREE_DAYS)))
    return json.loads(json.dumps(role_view(state, now, "hall", room)))


async def test_three_days_in_two_rooms_each_hall_names_its_next_day():
    """Bohr has nothing on day 2: on day 1's afternoon its hall says "lørdag kl. 10.00"
    (two days on) while Meitner's says "i morgen kl. 10.00"; the foyer lists both rooms."""
    now = datetime(2025, 10, 2, 15, 0, tzinfo=TZ)
    texts = {}
    for room in ("meitner", "bohr"):
        app = make_app(connect=False, now=lambda: now)
        async with app.run_test(size=(120, 34)) as pilot:
            app.feed(1, _three(now, room))
            for _ in range(3):
                await pilot.pause()
            texts[room] = screen_text(app)
    assert "i morgen kl. 10.00" in texts["meitner"]
    assert "Oplæg: foreningslivet" in texts["meitner"]
    assert "lørdag kl. 10.00" in texts["bohr"] and "Værksted: lokale netværk" in texts["bohr"]
    assert "Oplæg: foreningslivet" not in texts["bohr"]  # Meitner's item
    foyer = role_view(State(programme=load_file(str(THREE_DAYS))), now, "hall", "*")
    nexts = {r["id"]: [s["id"] for s in r["next"]] for r in foyer["rooms"]}
    assert nexts == {"meitner": ["m2-oplaeg", "m3-afslutning"], "bohr": ["b3-vaerksted"]}


async def test_the_attendee_sees_three_days_and_every_room(db_url: str, clock, tmp_path):
    """Three day tabs; on the third day both rooms' items, each with its room's name."""
    from textual.widgets import DataTable, Tabs

    from kiosk.attendee.app import make_app as make_attendee
    from tests.kiosk.helpers import wait_for

    clock.t = datetime(2025, 10, 2, 9, 0, tzinfo=TZ)
    async for running in running_server(db_url, clock, programme=str(THREE_DAYS)):
        app = make_attendee(server=f"ws://127.0.0.1:{running.port}/ws", config_dir=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda a=app: a.view is not None)
            await pilot.press("f2")
            await pilot.pause()
            tabs = app.screen.query_one("#att-days", Tabs)
            table = app.screen.query_one("#att-programme", DataTable)
            assert tabs.tab_count == 3 and tabs.active == "day-2025-10-02"
            tabs.active = "day-2025-10-04"
            await pilot.pause()
            rows = [" ".join(str(c) for c in table.get_row_at(n)) for n in range(table.row_count)]
            assert len(rows) == 2
            assert "Bohr Auditoriet" in rows[0] and "Værksted: lokale netværk" in rows[0]
            assert "Meitner" in rows[1] and "Tak for denne gang" in rows[1]
            assert "lørdag den 4. oktober" in str(tabs.query_one("#day-2025-10-04").label)
