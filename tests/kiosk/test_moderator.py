"""The moderator console against a real server: keys pressed → server changed → others see it."""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Input, TextArea

from kiosk.moderator.app import make_app
from kiosk.moderator.widgets import LivePanel, NotesPanel
from kiosk.widgets.common import StatusLine
from tests.conftest import MOD_TOKEN
from tests.kiosk.helpers import screen_text, wait_for


def _app(server, **kw):
    return make_app(server=f"ws://127.0.0.1:{server.port}/ws", token=MOD_TOKEN, **kw)


async def _ready(pilot, app):
    await wait_for(pilot, lambda: app.view is not None and app.link.status.state == "online")


async def test_next_asks_first_and_reaches_the_hall(server, connect_as):
    """n asks for confirmation; 'n' for no changes nothing, 'j' moves on and the hall sees it."""
    hall = await connect_as("hall")
    app = _app(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert "Gå videre til: Frokost?" in screen_text(app)
        await pilot.press("n")  # no
        await pilot.pause(0.3)
        assert server.sequencer.revision == 0
        await pilot.press("n", "j")
        await wait_for(pilot, lambda: server.sequencer.revision == 1)
        snap = await hall.expect("snapshot", lambda m: m["revision"] == 1)
        assert snap["state"]["current"]["id"] == "frokost"
        await wait_for(pilot, lambda: app.view.current.id == "frokost")
        assert "Manuel styring" in str(
            app.screen.query_one(LivePanel).query_one("#live-mode").render()
        )


async def test_delay_keys_and_follow_clock(server):
    """+ and - shift the delay by five minutes; f hands control back to the clock."""
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("plus", "plus", "minus")
        await wait_for(pilot, lambda: server.sequencer.revision == 3)
        assert server.sequencer.state.live.room("faellessalen").delay_minutes == 5
        await wait_for(pilot, lambda: "Forsinkelse: +5 min." in screen_text(app))
        await pilot.press("d")
        await pilot.pause()
        inp = app.screen.query_one(Input)
        inp.value = "12"
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: server.sequencer.state.live.room("faellessalen").delay_minutes == 12
        )


async def test_hall_and_stage_messages(server, connect_as):
    """m posts a hall message with a duration, M clears it after asking; s posts a stage message."""
    hall = await connect_as("hall")
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Frokosten står i Vandrehallen"
        await pilot.press("ctrl+s")
        snap = await hall.expect("snapshot", lambda m: m["state"]["hall_message"] is not None)
        assert snap["state"]["hall_message"]["text"] == "Frokosten står i Vandrehallen"
        await wait_for(pilot, lambda: "Salsbesked: Frokosten" in screen_text(app))
        await pilot.press("M", "j")
        await hall.expect("snapshot", lambda m: m["state"]["hall_message"] is None)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "2 minutter tilbage"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: server.sequencer.state.live.stage_message_in("faellessalen") is not None
        )
        stage = server.sequencer.state.live.stage_message_in("faellessalen")
        assert stage is not None and stage.text == "2 minutter tilbage"
        assert stage.until_item == "unge"  # by default it goes when the panel ends
        # the console says a stage message is on, and until when (it said nothing)
        await wait_for(
            pilot, lambda: "Scenebesked til punktet slutter: 2 minutter tilbage" in screen_text(app)
        )


async def test_a_stage_message_about_an_item_goes_when_it_ends(server, connect_as, clock):
    """Set "until the item ends" during the panel: at lunch the stage no longer shows it."""
    mod = await connect_as("moderator")
    stage = await connect_as("stage")
    await mod.command("set_stage_message", text="Runde af nu", until="item_end")
    await stage.expect("snapshot", lambda m: m["state"]["stage_message"] is not None)
    clock.advance(minutes=46)  # 12.26: lunch
    await stage.expect("snapshot", lambda m: m["state"]["stage_message"] is None, timeout=5)


async def test_a_message_too_long_is_refused_not_cut(server):
    """300 characters pasted into an edit are kept whole and refused with the limit shown."""
    app = _app(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(pilot, app)
        await pilot.press("m")
        await pilot.pause()
        text = "ensomhed " * 33 + "fælles"  # 303 characters, no space at either end
        app.screen.query_one(TextArea).text = text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == text  # nothing cut, still open
        assert "303/280 – for lang" in screen_text(app)
        assert "Ctrl+S gemmer" in screen_text(app)  # the editor says how to save
        assert server.sequencer.state.live.room("faellessalen").hall_message is None


async def test_notes_for_the_live_item(server, connect_as):
    """t edits the live item's note; saved for the stage, it shows here and on the stage."""
    stage = await connect_as("stage")
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Panelet: Ida, Ole og Fatima"
        await pilot.click("#aud-stage")
        await pilot.press("ctrl+s")
        snap = await stage.expect("snapshot", lambda m: "unge" in m["state"]["notes"])
        assert snap["state"]["notes"]["unge"]["text"] == "Panelet: Ida, Ole og Fatima"
        notes = app.screen.query_one(NotesPanel)
        await wait_for(
            pilot,
            lambda: "Panelet: Ida, Ole og Fatima" in str(notes.query_one("#notes-text").render()),
        )


async def test_question_moderation_with_single_keys(server, connect_as):
    """a approves, v puts on screen, x marks answered; markup in the question shows literally."""
    att = await connect_as("attendee")
    hall = await connect_as("hall")
    app = _app(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(pilot, app)
        evil = "[@click=app.quit]klik[/] [bold red]Hvad[/] nu?"
        qid = (await att.command("submit_question", text=evil, name="Ida"))["result"]["question_id"]
        table = app.screen.query_one("#questions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[1]) == evil
        # One new question, in Danish's singular ("1 nye spørgsmål venter" before).
        assert [n.message for n in app._notifications] == ["Et nyt spørgsmål · 1 venter"]
        await pilot.press("a")
        await wait_for(pilot, lambda: server.sequencer.state.questions[qid].status == "approved")
        await pilot.press("2")
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("v")
        snap = await hall.expect("snapshot", lambda m: m["state"]["on_screen_question"] is not None)
        assert snap["state"]["on_screen_question"]["text"] == evil
        await pilot.press("3", "x")
        await wait_for(pilot, lambda: server.sequencer.state.questions[qid].status == "answered")
        await pilot.click("#questions")
        await pilot.pause(0.2)
        assert app.is_running


async def test_edit_and_reject(server, connect_as):
    """e edits a question (the original is kept); r rejects it after asking."""
    att = await connect_as("attendee")
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        qid = (await att.command("submit_question", text="Hvad mener i?"))["result"]["question_id"]
        table = app.screen.query_one("#questions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Hvad mener I?"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: server.sequencer.state.questions[qid].text == "Hvad mener I?")
        assert server.sequencer.state.questions[qid].original_text == "Hvad mener i?"
        await pilot.press("r")
        await pilot.pause()
        assert "Afvis spørgsmålet «Hvad mener I?»?" in screen_text(app)  # which one
        await pilot.press("j")
        await wait_for(pilot, lambda: server.sequencer.state.questions[qid].status == "rejected")


async def test_shift_r_clears_a_flood_from_one_sender(server, connect_as):
    """R on a flooder's question offers sender, address and time with counts; 1 rejects
    every pending question of that sender and no other, and says how many."""
    flooder = await connect_as("attendee", client_id="flooder")
    honest = await connect_as("attendee", client_id="honest")
    good = (await honest.command("submit_question", text="Et ærligt spørgsmål"))["result"]
    spam = [
        (await flooder.command("submit_question", text=f"Køb billige ure {n}"))["result"]
        for n in range(3)
    ]
    app = _app(server)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _ready(pilot, app)
        table = app.screen.query_one("#questions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        await pilot.press("1")  # the pending tab; the cursor on one of the flooder's questions
        table.move_cursor(row=table.get_row_index(spam[1]["question_id"]))
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert labels[:2] == ["1  Fra samme afsender (3)", "2  Fra samme adresse, 127.0.0.1 (4)"]
        await pilot.press("1")
        seq = server.sequencer
        await wait_for(
            pilot,
            lambda: all(seq.state.questions[s["question_id"]].status == "rejected" for s in spam),
        )
        assert server.sequencer.state.questions[good["question_id"]].status == "pending"
        await wait_for(
            pilot,
            lambda: any("3 ventende spørgsmål afvist" in n.message for n in app._notifications),
        )


async def test_go_live_from_the_programme_and_open_questions(server):
    """g opens the programme; pick an item, g and j put it live; o opens its questions."""
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("down", "down")  # Velkommen -> minister -> reformer
        await pilot.press("o")
        await wait_for(
            pilot, lambda: server.sequencer.state.live.questions_open.get("reformer") is True
        )
        await pilot.press("g", "j")
        await wait_for(
            pilot,
            lambda: (
                app.view is not None
                and app.view.current is not None
                and app.view.current.id == "reformer"
            ),
        )
        assert server.sequencer.state.live.room("faellessalen").item_id == "reformer"


async def test_two_consoles_see_each_other(server):
    """A change made in one console shows in the other."""
    one, two = _app(server), _app(server)
    async with one.run_test(size=(120, 40)) as p1, two.run_test(size=(120, 40)) as p2:
        await _ready(p1, one)
        await _ready(p2, two)
        await p1.press("plus")
        await wait_for(p2, lambda: two.view is not None and two.view.delay_minutes == 5)
        await wait_for(p2, lambda: "2 moderator" in screen_text(two))
        assert two.view is not None and two.view.delay_minutes == 5


async def test_offline_commands_fail_visibly(restartable):
    """With the server gone, a command shows an error at once and is not sent later."""
    running = await restartable()
    app = make_app(server=f"ws://127.0.0.1:{running.port}/ws", token=MOD_TOKEN)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(pilot, app)
        await running.close()
        await wait_for(pilot, lambda: app.link.status.state != "online")
        await pilot.press("plus")
        await wait_for(
            pilot, lambda: any("Ingen forbindelse" in n.message for n in app._notifications)
        )
        assert app.link.pending_ids() == []


async def test_wrong_token_is_a_message_not_a_traceback(server):
    """A wrong token shows 'Forkert adgangskode' and the console stays up."""
    app = make_app(server=f"ws://127.0.0.1:{server.port}/ws", token="forkert")
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "Forkert adgangskode" in str(status.render()))
        assert app.is_running


async def test_help_and_palette_list_every_action(server):
    """? shows the keys; the command palette offers every action."""
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "Næste punkt" in text and "Vis på skærm" in text and "Fjern salsbesked" in text
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for needed in (
            "Næste punkt",
            "Godkend spørgsmål",
            "Salsbesked",
            "Noter til punktet",
            "Følg uret",
        ):
            assert needed in titles


async def test_the_queue_takes_arrows_at_once_and_the_footer_follows_the_focus(server, connect_as):
    """Down moves in the question queue without pressing 1–6 first; with the queue focused
    the footer offers a/v/x/e/r and ? first, with the programme g/o/t."""
    att = await connect_as("attendee")
    for n in range(2):
        await att.command("submit_question", text=f"Spørgsmål {n}")
    app = _app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        table = app.screen.query_one("#questions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == 1

        def footer() -> list[str]:
            return [b.binding.key for b in app.active_bindings.values() if b.binding.show]

        assert footer()[:6] == ["a", "v", "x", "e", "r", "question_mark"]
        await pilot.press("g")  # the programme, focused
        await pilot.pause()
        assert footer()[:3] == ["g", "o", "t"]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)], ids=str)
async def test_every_tab_column_and_the_notes_have_a_place(size):
    """At every size from the console's smallest nothing the moderator needs is cut without
    a sign: every status tab is on screen with its count, the queue keeps its columns, the
    live item's note is on screen or a key (7) away, and the question table has rows."""
    from textual.widgets import Tab, TabbedContent

    from tests.kiosk.helpers import at, snapshot
    from tests.kiosk.test_moderator_snapshots import COMMANDS

    now = at("11:50")
    state = snapshot(now, "moderator", *COMMANDS, applied_at=at("11:45"))
    app = make_app(connect=False, now=lambda: now)
    async with app.run_test(size=size) as pilot:
        app.feed(1, state)
        await pilot.pause()
        screen = app.screen
        tabs = screen.query_one("#question-tabs")
        labels = [str(t.label).replace("(", "").replace(")", "") for t in tabs.query(Tab)]
        assert labels == [
            "Venter 1", "Godkendt 1", "På skærm 1", "Besvaret 0", "Afvist 0", "Alle 3"
        ]  # fmt: skip
        for tab in tabs.query(Tab):
            assert tab.region.width > 0 and tab.region.right <= size[0], str(tab.label)
        table = screen.query_one("#questions", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Stemmer", "Spørgsmål", "Fra", "Status"
        ]  # fmt: skip
        assert table.columns["text"].width >= 24  # type: ignore[index]
        assert table.region.height >= 4  # the header and three questions
        assert "Unge, ensomhed og ungdomsuddannelser" in screen_text(app)
        await pilot.press("4")  # no question is answered yet: the tab says so
        assert "Ingen spørgsmål under «Besvaret»." in screen_text(app)
        note = "Udtales: DEFACTUM."
        if size[0] < 120:
            assert note not in screen_text(app)
            await pilot.press("7")  # the notes tab
            await pilot.pause()
            assert screen.query_one(TabbedContent).active == "pane-notes"
        assert note in screen_text(app)


async def test_after_the_day_the_live_panel_has_no_empty_lines():
    """After the last item the live panel says so without blank lines where the time left
    and the next item were."""
    from tests.kiosk.helpers import at, snapshot

    now = at("17:00")
    app = make_app(connect=False, now=lambda: now)
    async with app.run_test(size=(80, 24)) as pilot:
        app.feed(1, snapshot(now, "moderator"))
        await pilot.pause()
        panel = app.screen.query_one(LivePanel)
        lines = [w for w in panel.children if w.display]
        assert [str(w.render()) for w in lines] == [
            "NU: Tak for i dag", "Følger uret · Ingen forsinkelse"
        ]  # fmt: skip
        assert panel.region.height == 4  # the border and the two lines
