"""Several rooms (issue 16): each console drives its own room, named in its header; one
console can switch room (ctrl+r or the palette); halls show their own room only."""

from __future__ import annotations

from textual.widgets import Button, TextArea

from kiosk.hall.app import make_app as make_hall
from kiosk.moderator.app import make_app
from server.app import Running
from tests.conftest import MOD_TOKEN
from tests.kiosk.helpers import screen_text, wait_for


def _console(server: Running, **kw):
    return make_app(server=f"ws://127.0.0.1:{server.port}/ws", token=MOD_TOKEN, **kw)


async def test_two_consoles_drive_two_rooms_at_once(two_rooms: Running):
    meitner, bohr = _console(two_rooms, room="Meitner"), _console(two_rooms, room="bohr")
    async with meitner.run_test(size=(120, 40)) as p1, bohr.run_test(size=(120, 40)) as p2:
        await wait_for(p1, lambda: meitner.view is not None)
        await wait_for(p2, lambda: bohr.view is not None)
        assert "Podium · Moderator · Meitner · Nordisk Fællesskabsdag" in screen_text(meitner)
        assert "Podium · Moderator · Bohr Auditoriet · Nordisk Fællesskabsdag" in screen_text(bohr)
        assert meitner.view.current.id == "a-panel" and bohr.view.current.id == "b-workshop"
        await p2.press("plus")  # Bohr runs five minutes late …
        await p1.press("n", "j")  # … and Meitner moves on
        live = two_rooms.sequencer.state.live
        await wait_for(p1, lambda: live.room("meitner").item_id == "a-pause" or False)
        await wait_for(p2, lambda: two_rooms.sequencer.state.live.room("bohr").delay_minutes == 5)
        state = two_rooms.sequencer.state.live
        assert state.room("meitner").delay_minutes == 0
        assert state.room("bohr").item_id is None  # Bohr still follows the clock
        await wait_for(p1, lambda: meitner.view.current.id == "a-pause")
        assert bohr.view.current.id == "b-workshop"


async def test_one_console_switches_room(two_rooms: Running):
    app = _console(two_rooms)  # the first room by default
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        assert app.view.room == "meitner"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Hvilken sal vil du styre?" in screen_text(app)
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert any("Meitner (nu)" in label for label in labels), labels
        assert any("Bohr Auditoriet" in label for label in labels), labels
        await pilot.press("2")  # Bohr Auditoriet
        await wait_for(pilot, lambda: app.view is not None and app.view.room == "bohr")
        await wait_for(pilot, lambda: "Moderator · Bohr Auditoriet ·" in screen_text(app))
        assert "Du styrer nu: Bohr Auditoriet" in [n.message for n in app._notifications]
        await pilot.press("plus")
        await wait_for(
            pilot, lambda: two_rooms.sequencer.state.live.room("bohr").delay_minutes == 5
        )
        assert two_rooms.sequencer.state.live.room("meitner").delay_minutes == 0


async def test_a_hall_shows_its_own_room(two_rooms: Running):
    hall = make_hall(server=f"ws://127.0.0.1:{two_rooms.port}/ws", room="Bohr Auditoriet")
    async with hall.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: hall.view is not None)
        await pilot.pause()
        text = screen_text(hall)
        assert "Workshop: frivillige i Bohr" in text and "Bohr Auditoriet" in text
        assert "Panel: fællesskab i byen" not in text


async def test_announcements_for_one_room_or_all_and_the_overview(
    two_rooms: Running, connect_as_two
):
    """m in Bohr's console: only Bohr's hall shows it, unless "I alle sale" is chosen; the
    console lists the other rooms with what is on, the delay and what waits."""
    hall_meitner = await connect_as_two("hall", room="meitner")
    hall_bohr = await connect_as_two("hall", room="bohr")
    att = await connect_as_two("attendee", room="meitner")
    assert (await att.command("submit_question", text="Hvem betaler?"))["type"] == "ack"
    app = _console(two_rooms, room="bohr")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await wait_for(pilot, lambda: "Andre sale:" in screen_text(app))
        text = screen_text(app)
        assert "Meitner: Panel: fællesskab i byen · 1 venter" in text
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Kaffe i Bohr"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Hvor skal meddelelsen vises?" in screen_text(app)
        await pilot.press("1")  # only in Bohr
        seen = await hall_bohr.expect("snapshot", lambda m: m["state"]["hall_message"] is not None)
        assert seen["state"]["hall_message"]["text"] == "Kaffe i Bohr"
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Frokost for alle"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("2")  # every room
        seen = await hall_meitner.expect(
            "snapshot", lambda m: m["state"]["hall_message"] is not None
        )
        assert seen["state"]["hall_message"] == {
            **seen["state"]["hall_message"],
            "text": "Frokost for alle",
            "all_rooms": True,
        }
        await wait_for(
            pilot, lambda: "Salsbesked til alle sale: Frokost for alle" in screen_text(app)
        )
    # Meitner's hall never had Bohr's own announcement in any frame.
    assert not any("Kaffe i Bohr" in f for f in hall_meitner.frames)


async def test_an_attendee_follows_her_room_and_sees_every_rooms_programme(
    two_rooms: Running, tmp_path
):
    from kiosk.attendee.app import make_app as make_attendee

    app = make_attendee(server=f"ws://127.0.0.1:{two_rooms.port}/ws", config_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        assert app.view.room == "meitner"
        await pilot.press("f2")
        await pilot.pause()
        table = app.screen.query_one("#att-programme")
        titles = [str(table.get_row_at(n)[2]) for n in range(table.row_count)]
        assert "Bohr Auditoriet · Workshop: frivillige i Bohr" in titles
        assert "Meitner · Panel: fællesskab i byen" in titles
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Hvilken sal sidder du i?" in screen_text(app)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.view is not None and app.view.room == "bohr")
        assert app.view.ask_item is not None and app.view.ask_item.id == "b-workshop"


async def test_the_console_programme_lists_its_own_room(two_rooms: Running):
    from kiosk.moderator.widgets import ProgrammeTable

    app = _console(two_rooms, room="bohr")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await pilot.pause()
        items = [i.id for i in app.screen.query_one(ProgrammeTable).items]
        assert items == ["b-workshop", "b-debat"]
