"""The attendee client against a real server: ask, follow the status, vote, survive bad Wi-Fi."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable, Input

from kiosk.attendee.app import make_app
from kiosk.attendee.store import Outgoing, ProfileStore
from tests.conftest import TZ
from tests.kiosk.helpers import screen_text, wait_for


def _app(port: int, cfg: Path, **kw):
    return make_app(server=f"ws://127.0.0.1:{port}/ws", config_dir=cfg, **kw)


async def _ready(pilot, app):
    await wait_for(pilot, lambda: app.view is not None and app.link.status.state == "online")


async def _ask(pilot, app, text: str) -> None:
    await pilot.press("f3")
    await pilot.pause()
    app.screen.query_one("#ask-text", Input).value = text
    await pilot.press("ctrl+s")


def _cells(app, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def test_submit_then_approved_shows_in_both_lists(server, connect_as, tmp_path: Path):
    """Submit → 'modtaget'; the moderator approves → 'godkendt' and it is in the vote list."""
    mod = await connect_as("moderator")
    app = _app(server.port, tmp_path, name="Ida", organisation="DGI")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(pilot, app)
        await _ask(pilot, app, "Hvordan når vi [b]de unge[/b]?")
        await wait_for(pilot, lambda: any("modtaget" in r[0] for r in _cells(app, "mine")))
        assert any(n.message == "Tak! Dit spørgsmål er modtaget." for n in app._notifications)
        (q,) = server.sequencer.state.questions.values()
        assert (q.text, q.name, q.organisation, q.item_id) == (
            "Hvordan når vi [b]de unge[/b]?",
            "Ida",
            "DGI",
            "unge",
        )
        await mod.command("approve_question", question_id=q.id)
        await wait_for(pilot, lambda: any("godkendt" in r[0] for r in _cells(app, "mine")))
        await wait_for(
            pilot,
            lambda: any(r[2] == "Hvordan når vi [b]de unge[/b]?" for r in _cells(app, "public")),
        )
        assert app.screen.query_one("#ask-text", Input).value == ""
    assert ProfileStore(tmp_path).load().name == "Ida"  # remembered for next time


async def test_votes_from_two_attendees(server, connect_as, tmp_path: Path):
    """Two attendees vote on the same question: it has two votes; one takes its vote back."""
    att = await connect_as("attendee")
    mod = await connect_as("moderator")
    qid = (await att.command("submit_question", text="Stem på mig"))["result"]["question_id"]
    await mod.command("approve_question", question_id=qid)
    one, two = _app(server.port, tmp_path / "one"), _app(server.port, tmp_path / "two")
    async with one.run_test(size=(120, 40)) as p1, two.run_test(size=(120, 40)) as p2:
        for pilot, app in ((p1, one), (p2, two)):
            await _ready(pilot, app)
            await pilot.press("f3")
            await wait_for(pilot, lambda app=app: len(app.view.questions) == 1)
            app.screen.query_one("#public", DataTable).focus()
            await pilot.press("space")
        assert one.profile.client_id != two.profile.client_id
        await wait_for(p1, lambda: server.sequencer.state.vote_count(qid) == 2)
        await wait_for(p2, lambda: _cells(two, "public")[0][:2] == ["♥", "2"])
        await p1.press("space")
        await wait_for(p1, lambda: server.sequencer.state.vote_count(qid) == 1)
        await wait_for(p1, lambda: _cells(one, "public")[0][:2] == ["", "1"])


async def test_questions_closed(server, clock, tmp_path: Path):
    """During a talk without questions the form says so and cannot send."""
    clock.t = datetime(2025, 9, 25, 10, 50, tzinfo=TZ)
    app = _app(server.port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        assert "Der er ikke åbnet for spørgsmål lige nu." in screen_text(app)
        assert app.screen.query_one("#ask-text", Input).disabled


async def test_rate_limit_is_explained_and_the_text_kept(server, tmp_path: Path):
    """The sixth question in a minute is refused in plain Danish and the words come back."""
    app = _app(server.port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        for n in range(5):
            await _ask(pilot, app, f"Spørgsmål nummer {n}")
            await wait_for(pilot, lambda n=n: len(server.sequencer.state.questions) == n + 1)
        await _ask(pilot, app, "Et spørgsmål for meget")
        await wait_for(pilot, lambda: "mange spørgsmål på kort tid" in screen_text(app))
        assert app.screen.query_one("#ask-text", Input).value == "Et spørgsmål for meget"
        assert len(server.sequencer.state.questions) == 5


async def test_resent_after_restart_creates_no_duplicate(server, connect_as, tmp_path: Path):
    """A question in the outbox whose ack was lost is resent with its id: still one question."""
    store = ProfileStore(tmp_path)
    profile = store.load()
    raw = await connect_as("attendee", client_id=profile.client_id)
    first = await raw.command("submit_question", cid="lost-ack-1", text="Kom jeg igennem?")
    profile.client_id = raw.welcome["client_id"]  # the id the server issued, as the app keeps
    profile.outbox.append(Outgoing("lost-ack-1", "Kom jeg igennem?"))
    store.save(profile)
    app = _app(server.port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await wait_for(pilot, lambda: app.profile.outbox == [])
        assert [q.id for q in server.sequencer.state.questions.values()] == [
            first["result"]["question_id"]
        ]
    assert json.loads((tmp_path / "attendee.json").read_text())["outbox"] == []


async def test_offline_question_waits_visibly_and_is_sent_once(restartable, tmp_path: Path):
    """Offline, a question shows as 'ikke sendt endnu'; when the server is back it is sent once."""
    first = await restartable()
    port = first.port
    app = _app(port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("f3")
        await first.close()
        await wait_for(pilot, lambda: app.link.status.state != "online")
        await _ask(pilot, app, "Sendt over dårligt wifi")
        await wait_for(pilot, lambda: any("ikke sendt endnu" in r[0] for r in _cells(app, "mine")))
        assert [o.text for o in ProfileStore(tmp_path).load().outbox] == ["Sendt over dårligt wifi"]
        # the whole reassurance is on screen, not cut in a table cell (it was at 120 columns)
        note = app.screen.query_one("#unsent-note")
        assert note.display and "sendes af sig selv, når forbindelsen er tilbage" in str(
            note.render()
        )
        status = app.screen.query_one("#mine", DataTable).get_row_at(0)[0]
        assert (
            len(str(status))
            <= app.screen.query_one("#mine", DataTable)
            .columns[next(iter(app.screen.query_one("#mine", DataTable).columns))]
            .width
        )
        second = await restartable(port)
        try:
            await wait_for(pilot, lambda: app.profile.outbox == [], timeout=15)
            await wait_for(pilot, lambda: any("modtaget" in r[0] for r in _cells(app, "mine")))
            assert [q.text for q in second.sequencer.state.questions.values()] == [
                "Sendt over dårligt wifi"
            ]
        finally:
            await second.close()


async def test_withdraw_an_unsent_question(restartable, tmp_path: Path):
    """An unsent question can be withdrawn with w; it never reaches the server."""
    first = await restartable()
    port = first.port
    app = _app(port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await first.close()
        await wait_for(pilot, lambda: app.link.status.state != "online")
        await _ask(pilot, app, "Fortrudt")
        await wait_for(pilot, lambda: len(app.profile.outbox) == 1)
        app.screen.query_one("#mine", DataTable).focus()
        await pilot.press("w")
        await wait_for(pilot, lambda: app.profile.outbox == [])
        second = await restartable(port)
        try:
            await wait_for(pilot, lambda: app.link.status.state == "online", timeout=15)
            await pilot.pause(0.5)
            assert not second.sequencer.state.questions
        finally:
            await second.close()


def test_client_id_is_stable_and_a_damaged_file_is_replaced(tmp_path: Path):
    """The anonymous id is kept between runs; a damaged profile file gives a new one."""
    a = ProfileStore(tmp_path).load()
    assert ProfileStore(tmp_path).load().client_id == a.client_id
    (tmp_path / "attendee.json").write_text("{not json")
    b = ProfileStore(tmp_path).load()
    assert b.client_id != a.client_id and b.client_id.startswith("att-")


async def test_f_keys_switch_tabs_from_inside_the_question_box(server, tmp_path: Path):
    """F1–F4 switch tabs wherever the focus is (before: from inside "Spørg panelet" the tab
    switched and sprang back), and the footer shows them."""
    from textual.widgets import TabbedContent

    app = _app(server.port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#ask-text", Input).focus()
        await pilot.press("h", "e", "j")
        for key, pane in (("f1", "pane-now"), ("f3", "pane-ask"), ("f2", "pane-programme"),
                          ("f4", "pane-practical")):  # fmt: skip
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen.query_one(TabbedContent).active == pane, key
        assert app.screen.query_one("#ask-text", Input).value == "hej"  # the draft is kept
        footer = " ".join(b.binding.description for b in app.active_bindings.values())
        assert "Spørg panelet" in footer and "Praktisk" in footer


async def test_an_attendee_sees_announcements_and_edits(server, connect_as, tmp_path: Path):
    """A hall announcement is on the attendee's Now tab and said once as a notice; a question
    the moderator edited says "redigeret" in the attendee's own list."""
    mod = await connect_as("moderator")
    app = _app(server.port, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(pilot, app)
        await mod.command("set_hall_message", text="Kaffen står i Vandrehallen")
        await wait_for(pilot, lambda: app.screen.query_one("#att-message").display)
        assert "Kaffen står i Vandrehallen" in screen_text(app)
        assert [n.message for n in app._notifications] == ["Meddelelse: Kaffen står i Vandrehallen"]
        await _ask(pilot, app, "Hvad mener i?")
        await wait_for(pilot, lambda: len(server.sequencer.state.questions) == 1)
        (qid,) = server.sequencer.state.questions
        await mod.command("edit_question", question_id=qid, text="Hvad mener I?")
        await wait_for(pilot, lambda: any("redigeret" in r[0] for r in _cells(app, "mine")))
        await mod.command("clear_hall_message")
        await wait_for(pilot, lambda: not app.screen.query_one("#att-message").display)


async def test_a_question_too_long_is_refused_whole(server, tmp_path: Path):
    """300 characters pasted into the question box stay whole, the counter says so, and
    Send refuses with the limit (before: the box cut the paste at 280, mid-word)."""
    app = _app(server.port, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        text = "ensomhed " * 33 + "fælles"  # 303 characters
        app.screen.query_one("#ask-text", Input).value = text
        await pilot.pause()
        assert "303/280 – for lang" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one("#ask-text", Input).value == text
        assert "for lang (højst 280 tegn)" in screen_text(app)
        assert server.sequencer.state.questions == {} and app.profile.outbox == []
