"""The hall display against a real server on a free port (Pilot)."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import ContentSwitcher

from kiosk.hall.app import make_app
from kiosk.widgets.common import StatusLine
from kiosk.widgets.hall import QuestionStage
from tests.conftest import STAGE_TOKEN, TZ
from tests.kiosk.helpers import screen_text, wait_for


def _url(server) -> str:
    return f"ws://127.0.0.1:{server.port}/ws"


async def test_live_item_at_1140(server):
    """At 11.40 the hall shows NU with the youth session and lunch next."""
    app = make_app(server=_url(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        assert app.screen.query_one("#body", ContentSwitcher).current == "live"
        text = screen_text(app)
        assert "Unge, ensomhed og ungdomsuddannelser" in text
        assert "kl. 11.35–12.25" in text
        assert "kl. 12.25  Frokost" in text
        assert "min. tilbage" in text
        assert "torsdag den 25. september 2025" in text


async def test_break_screen(server, clock):
    """In the morning break the hall says when we start again, with a countdown."""
    clock.t = datetime(2025, 9, 25, 11, 25, tzinfo=TZ)
    app = make_app(server=_url(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        assert app.screen.query_one("#body", ContentSwitcher).current == "pause"
        text = screen_text(app)
        assert "Pause — vi starter igen kl. 11.35" in text
        # the speakers line up under the title (they started under the time)
        assert "kl. 11.35  Unge, ensomhed og ungdomsuddannelser\n" in text
        assert "\n           v. Mary Fonden og samarbejdspartnere" in text


async def test_welcome_before_the_day(server, clock):
    """Before the day: welcome, when we begin, practical information and the programme."""
    clock.t = datetime(2025, 9, 25, 9, 30, tzinfo=TZ)
    app = make_app(server=_url(server))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        assert app.screen.query_one("#body", ContentSwitcher).current == "before"
        text = screen_text(app)
        assert "Dagen begynder kl. 10.15" in text
        assert "Kom i god tid pga. sikkerhedstjek." in text
        assert "Indgang via Folketingets besøgsindgang." in text
        assert "kl. 15.25–16.10" in text and "(med forbehold for ændringer)" in text
        # The subtitle under the title in block letters (it went missing once).
        assert "Det første skridt i implementeringen af den nationale strategi" in text


async def test_a_small_hall_screen_says_what_of_the_day_it_cannot_show(server, clock):
    """At 80x24 the welcome's programme shows what fits and says how much more there is
    (before: it stopped at 14.15 and the afternoon panel vanished without a sign)."""
    clock.t = datetime(2025, 9, 25, 9, 30, tzinfo=TZ)
    app = make_app(server=_url(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "punkter mere, til kl. 16.20" in text and "kl. 10.15–10.30" in text


async def test_a_small_hall_never_shows_a_heading_without_its_points(server):
    """At 80x24 "Du får indblik i:" comes with all its points (the description gives way),
    and at an even lower size the points that do not fit are counted."""
    for size, whole in (((80, 24), True), ((80, 17), False)):
        app = make_app(server=_url(server))
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda app=app: app.view is not None)
            await pilot.pause(0.2)
            text = screen_text(app)
            assert "Du får indblik i:" in text, size
            if whole:
                assert "• En afsluttende paneldebat" in text and "Opsporingsværktøjet" in text
            else:
                assert "punkter mere" in text, text


async def test_closing_after_the_day(server, clock):
    """After the last item the closing screen shows."""
    clock.t = datetime(2025, 9, 25, 17, 0, tzinfo=TZ)
    app = make_app(server=_url(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        assert app.screen.query_one("#body", ContentSwitcher).current == "after"
        assert "Tak for i dag" in screen_text(app)


async def test_live_updates_and_markup_shown_literally(server, connect_as):
    """A question full of markup and a hall message arrive live and show as written."""
    app = make_app(server=_url(server))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        att = await connect_as("attendee")
        mod = await connect_as("moderator")
        evil = "[@click=app.quit]klik[/] [bold red]hej[/] [/]"
        qid = (await att.command("submit_question", text=evil, name="[b]Ida[/b]"))["result"][
            "question_id"
        ]
        await mod.command("show_question", question_id=qid)
        await wait_for(pilot, lambda: app.screen.query_one(QuestionStage).display)
        text = screen_text(app)
        assert evil in text and "— [b]Ida[/b]" in text
        await pilot.click(app.screen.query_one(".question-stage-text"))
        await pilot.pause(0.2)
        assert app.is_running  # clicking the "link" ran no action
        # An announcement takes the stage from the question, and gives it back.
        await mod.command("set_hall_message", text="Husk [blink]mobilen[/blink]")
        await wait_for(pilot, lambda: "Husk [blink]mobilen[/blink]" in screen_text(app))
        assert evil not in screen_text(app)
        await mod.command("clear_hall_message")
        await wait_for(pilot, lambda: evil in screen_text(app))
        assert "Husk" not in screen_text(app)


async def test_disconnect_keeps_the_picture_and_reconnects(restartable, clock):
    """Server gone: the last state stays with a warning; back: it reconnects and resyncs."""
    first = await restartable()
    port = first.port
    app = make_app(server=f"ws://127.0.0.1:{port}/ws")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await first.close()
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "genopretter forbindelse" in str(status.render()))
        assert "Unge, ensomhed og ungdomsuddannelser" in screen_text(app)
        await pilot.pause(1.1)
        assert "afbrudt for" in str(status.render())
        clock.t = datetime(2025, 9, 25, 12, 30, tzinfo=TZ)  # lunch has begun meanwhile
        second = await restartable(port)
        try:
            await wait_for(pilot, lambda: "online" in str(status.render()), timeout=15)
            await wait_for(
                pilot, lambda: app.screen.query_one("#body", ContentSwitcher).current == "pause"
            )
            assert "Frokost — vi starter igen kl. 13.05" in screen_text(app)
        finally:
            await second.close()


async def test_stage_monitor(server, connect_as):
    """The stage monitor shows the countdown, the stage message and the stage notes."""
    app = make_app(server=_url(server), mode="stage", token=STAGE_TOKEN)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        mod = await connect_as("moderator")
        await mod.command("set_stage_message", text="2 minutter tilbage")
        await mod.command(
            "save_note", item_id="unge", text="Panelet: fire deltagere", audience="stage"
        )
        await wait_for(pilot, lambda: "Panelet: fire deltagere" in screen_text(app))
        text = screen_text(app)
        assert "2 minutter tilbage" in text and "NU: Unge, ensomhed og ungdomsuddannelser" in text
        from kiosk.widgets.bigtext import BigText

        countdown = app.screen.query_one("#stage-countdown", BigText)
        assert countdown.text.startswith("4")  # about 45 minutes left


async def test_the_stage_message_is_large_and_the_hall_question_is_on_the_stage(server, connect_as):
    """On the stage monitor the moderator's message is in block letters and blinks once
    when it arrives, and the question on the hall screens is there too, with its asker."""
    from kiosk.widgets.bigtext import BigText
    from kiosk.widgets.hall import StageMessage

    app = make_app(server=_url(server), mode="stage", token=STAGE_TOKEN)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        mod = await connect_as("moderator")
        att = await connect_as("attendee")
        q = await att.command("submit_question", text="Hvem har ansvaret?", name="Ole")
        await mod.command("show_question", question_id=q["result"]["question_id"])
        await mod.command("set_stage_message", text="2 minutter tilbage")
        box = app.screen.query_one(StageMessage)
        await wait_for(pilot, lambda: box.display and box.has_class("-arrived"))
        letters = box.query_one(BigText)
        await wait_for(pilot, lambda: bool(letters.fitted.lines))  # laid out
        assert letters.text == "2 minutter tilbage" and letters.fitted.rows >= 3
        assert app.screen.region.contains_region(letters.region)
        await wait_for(pilot, lambda: not box.has_class("-arrived"))  # once, not on and on
        assert "På salskærmen: Hvem har ansvaret? — Ole" in screen_text(app)
        countdown = app.screen.query_one("#stage-countdown", BigText)
        assert countdown.region.height >= 3 and countdown.text.startswith("4")


async def test_stage_wrong_token_is_shown_not_a_crash(server):
    """A wrong stage token shows a clear message and the app keeps running."""
    app = make_app(server=_url(server), mode="stage", token="forkert")
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "Forkert adgangskode" in str(status.render()))
        assert app.is_running


async def test_a_hall_without_a_server_says_where_it_looks():
    """Before any connection the status line names the address being tried (a typo in
    --server shows at once)."""
    app = make_app(server="ws://127.0.0.1:9/ws")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        status = str(app.screen.query_one(StatusLine).render())
        assert "forbinder til ws://127.0.0.1:9/ws" in status, status
        assert app.link.status.state != "online"


async def test_the_offline_age_counts_from_the_loss(restartable, clock):
    """After a quiet spell with no updates, a lost connection says "afbrudt for 0 s siden",
    not the age of the last update."""
    first = await restartable()
    app = make_app(server=f"ws://127.0.0.1:{first.port}/ws")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.link.status.state == "online")
        await pilot.pause(2.2)  # nothing changes: the last update is two seconds old
        await first.close()
        await wait_for(pilot, lambda: app.link.status.state == "reconnecting")
        app.on_status()
        await pilot.pause()
        status = str(app.screen.query_one(StatusLine).render())
        assert "afbrudt for 0 s siden" in status or "afbrudt for 1 s siden" in status, status


async def test_no_next_heading_during_the_last_item(server, clock):
    """During the goodbye nothing follows: the NÆSTE heading is not shown over nothing."""
    clock.t = datetime(2025, 9, 25, 16, 15, tzinfo=TZ)
    app = make_app(server=f"ws://127.0.0.1:{server.port}/ws")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.view is not None and app.view.current is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "Perspektivering" in text and "NÆSTE" not in text
