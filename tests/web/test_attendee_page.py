"""The attendees' page in a real browser (Chromium), on a real server: a phone asks, the
moderator approves and puts the question on the hall screen, a laptop votes; markup stays
text; too long is refused, not cut; the page follows the browser's language."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from server.app import Running
from tests.web.conftest import shot
from tests.web.test_accessibility import _axe

QUESTION = "Hvordan når vi <b>de unge</b>, der ikke selv søger hjælp?"


def _find(state: dict[str, Any], text: str) -> str | None:
    return next((q["id"] for q in state.get("questions", []) if q["text"] == text), None)


async def test_a_phone_asks_the_moderator_shows_it_and_a_laptop_votes(
    server: Running, connect_as, open_page
):
    mod = await connect_as("moderator")
    hall = await connect_as("hall")
    phone = await open_page(server.port, 360, 740)
    laptop = await open_page(server.port, 1280, 800)

    now = phone.locator("#now")
    await expect(now).to_contain_text("Unge, ensomhed og ungdomsuddannelser")
    await expect(now).to_contain_text("v. Mary Fonden og samarbejdspartnere")
    await expect(now).to_contain_text("min. tilbage")
    await expect(now).to_contain_text("kl. 12.25")  # what comes next, and when
    await expect(phone.locator("#ask-target")).to_have_text(
        "Dit spørgsmål går til: Unge, ensomhed og ungdomsuddannelser"
    )
    await phone.fill("#q-text", QUESTION)
    await expect(phone.locator("#q-count")).to_have_text(f"{len(QUESTION)} af 280 tegn")
    await phone.fill("#q-name", "Ida")
    await phone.fill("#q-org", "DGI")
    await phone.click("#q-send")
    mine = phone.locator("#mine")
    await expect(mine).to_contain_text("modtaget – venter på moderator")
    await expect(phone.locator("#q-text")).to_have_value("")

    seen = await mod.expect("snapshot", lambda m: _find(m["state"], QUESTION) is not None)
    qid = _find(seen["state"], QUESTION)
    question = next(q for q in seen["state"]["questions"] if q["id"] == qid)
    assert (question["name"], question["organisation"]) == ("Ida", "DGI")
    assert (await mod.command("approve_question", question_id=qid))["type"] == "ack"
    await expect(mine).to_contain_text("godkendt – andre kan stemme")
    edited = QUESTION.replace("de unge", "de unge i udkanten")
    assert (await mod.command("edit_question", question_id=qid, text=edited))["type"] == "ack"
    await expect(mine).to_contain_text("redigeret")
    await expect(mine.locator(".q-text")).to_have_text(edited)

    button = laptop.locator(f'[data-vote="{qid}"]')
    await expect(button).to_have_attribute("aria-pressed", "false")
    await button.click()
    await expect(button).to_have_attribute("aria-pressed", "true")
    await expect(phone.locator(f'#public li[data-question="{qid}"]')).to_contain_text("1 stemme")

    assert (await mod.command("show_question", question_id=qid))["type"] == "ack"
    await expect(mine).to_contain_text("på skærmen nu")
    await expect(laptop.locator(f'#public li[data-question="{qid}"]')).to_contain_text(
        "På skærmen nu"
    )
    shown = await hall.expect(
        "snapshot", lambda m: (m["state"].get("on_screen_question") or {}).get("id") == qid
    )
    assert shown["state"]["on_screen_question"]["text"] == edited
    # The markup came back as text: no element was made of it.
    assert await phone.locator("#mine b, #public b").count() == 0
    await expect(phone.locator(f'#public li[data-question="{qid}"] .q-text')).to_have_text(edited)

    await button.click()  # undo the vote
    await expect(button).to_have_attribute("aria-pressed", "false")
    await expect(phone.locator(f'#public li[data-question="{qid}"]')).to_contain_text("0 stemmer")
    await shot(phone, "phone-360x740")
    await shot(laptop, "laptop-1280x800")


async def test_anonymous_asks_without_name_and_too_long_is_refused_not_cut(
    server: Running, connect_as, open_page
):
    mod = await connect_as("moderator")
    page = await open_page(server.port)
    await page.fill("#q-name", "Ida")
    await page.check("#q-anon")
    await expect(page.locator("#q-name")).to_be_disabled()
    long = "ø" * 281
    await page.fill("#q-text", long)
    await expect(page.locator("#q-count")).to_have_text(
        "1 tegn for meget (højst 280) – kort det ned; intet skæres af."
    )
    await page.click("#q-send")
    await expect(page.locator("#q-error")).to_contain_text("1 tegn for meget")
    await expect(page.locator("#q-text")).to_have_value(long)  # nothing was cut
    await page.fill("#q-text", "Hvem betaler?")
    await page.click("#q-send")
    await expect(page.locator("#mine")).to_contain_text("Hvem betaler?")
    seen = await mod.expect("snapshot", lambda m: _find(m["state"], "Hvem betaler?") is not None)
    assert _find(seen["state"], "ø" * 281) is None
    q = next(q for q in seen["state"]["questions"] if q["text"] == "Hvem betaler?")
    assert not q.get("name") and not q.get("organisation")


async def test_the_page_speaks_english_to_an_english_browser_and_switches(
    server: Running, open_page
):
    page = await open_page(server.port, locale="en-GB")
    await expect(page.locator("#ask-heading")).to_have_text("Ask the panel")
    await expect(page.locator("#now")).to_contain_text("min left")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.select_option("#lang", "da")
    await expect(page.locator("#ask-heading")).to_have_text("Spørg panelet")
    await expect(page.locator("#now")).to_contain_text("min. tilbage")
    await page.reload()  # the choice is kept
    await expect(page.locator("#ask-heading")).to_have_text("Spørg panelet")


async def test_the_whole_programme_and_practical_information(server: Running, open_page):
    page = await open_page(server.port, 1280, 800)
    programme = page.locator("#programme-list")
    await expect(programme).to_contain_text("kl. 10.15–10.30")
    await expect(programme).to_contain_text("Paneldebat")
    live = programme.locator('li[aria-current="true"]')
    await expect(live).to_contain_text("● NU")
    await expect(live).to_contain_text("Unge, ensomhed og ungdomsuddannelser")
    await live.locator("summary").click()
    await expect(live).to_contain_text("Du får indblik i:")
    await expect(live).to_contain_text("Opsporingsværktøjet")
    practical = page.locator("#practical")
    await expect(practical).to_contain_text("Indgang via Folketingets besøgsindgang.")
    await expect(practical).to_contain_text("Moderator: Tine Gøtzsche")


async def test_a_hall_announcement_shows_and_goes(server: Running, connect_as, open_page):
    mod = await connect_as("moderator")
    page = await open_page(server.port)
    box = page.locator("#announcement")
    await expect(box).to_be_hidden()
    await mod.command("set_hall_message", text="Frokosten serveres i <i>Vandrehallen</i>")
    await expect(box).to_be_visible()
    await expect(page.locator("#announcement-text")).to_have_text(
        "Frokosten serveres i <i>Vandrehallen</i>"
    )
    await expect(page.locator("#say")).to_contain_text("Meddelelse: Frokosten")
    await mod.command("clear_hall_message")
    await expect(box).to_be_hidden()


async def test_a_question_typed_offline_waits_and_is_sent_once(restartable, open_page):
    """The server goes away: the page says so and keeps a question typed meanwhile as
    "ikke sendt endnu", in the browser's storage with the name, organisation and draft
    (the page is closed and opened again while the server is down); the server comes
    back: the page sends it, once. A page left open reconnects by itself. A resend of an
    acknowledged question (its ack lost) is answered from the server's memory."""
    running = await restartable()
    port = running.port
    page = await open_page(port)
    await page.fill("#q-name", "Ida")
    await page.fill("#q-org", "DGI")
    client_id = await page.evaluate("localStorage.getItem('podium:client_id')")
    assert client_id
    await running.close()
    conn = page.locator("#conn")
    await expect(conn).to_have_attribute("data-state", "offline", timeout=10_000)
    await expect(page.locator("#ask-target")).to_contain_text("Du er ikke forbundet")
    await page.fill("#q-text", "Sendt uden net")
    await page.click("#q-send")
    await expect(page.locator("#mine [data-unsent]")).to_contain_text("ikke sendt endnu")
    await expect(page.locator("#say")).to_contain_text("ikke sendt endnu")
    outbox = await page.evaluate("localStorage.getItem('podium:outbox')")
    assert "Sendt uden net" in outbox
    await page.fill("#q-text", "en kladde")
    context = page.context
    await page.close()  # the phone's browser drops the tab

    running = await restartable(port=port)
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{port}/")
    conn = page.locator("#conn")
    await expect(page.locator("#q-name")).to_have_value("Ida")
    await expect(page.locator("#q-org")).to_have_value("DGI")
    await expect(page.locator("#q-text")).to_have_value("en kladde")
    await expect(conn).to_have_attribute("data-state", "online", timeout=10_000)
    await expect(page.locator("#mine")).to_contain_text("modtaget – venter på moderator")
    await expect(page.locator("#mine [data-unsent]")).to_have_count(0)
    stored = [q for q in running.sequencer.state.questions.values() if q.text == "Sendt uden net"]
    assert len(stored) == 1 and (stored[0].name, stored[0].organisation) == ("Ida", "DGI")
    assert await page.evaluate("localStorage.getItem('podium:client_id')") == client_id

    # Left open through a restart, the page comes back by itself and says when it last
    # heard from the server while it waits.
    await running.close()
    await expect(conn).to_have_attribute("data-state", "offline", timeout=10_000)
    await expect(page.locator("#heard")).to_contain_text("Sidst hørt fra serveren kl.")
    running = await restartable(port=port)
    await expect(conn).to_have_attribute("data-state", "online", timeout=20_000)

    # The ack was lost (the page closed as it came): the command is still in the outbox
    # at the next load, is sent again with its id, and changes nothing.
    assert await page.evaluate("localStorage.getItem('podium:outbox')") == "[]"
    await page.evaluate("box => localStorage.setItem('podium:outbox', box)", outbox)
    await page.reload()
    await expect(conn).to_have_attribute("data-state", "online", timeout=10_000)
    await expect(page.locator("#mine [data-unsent]")).to_have_count(0)
    await expect(page.locator("#mine")).to_contain_text("modtaget – venter på moderator")
    stored = [q for q in running.sequencer.state.questions.values() if q.text == "Sendt uden net"]
    assert len(stored) == 1


async def test_the_per_client_limits_apply_to_the_page(server: Running, open_page):
    """Five questions a minute, as for any attendee: the sixth is refused with the server's
    words and waits, unsent, to be tried again (nothing is lost, nothing is stored twice)."""
    page = await open_page(server.port)
    for n in range(6):
        await page.fill("#q-text", f"Spørgsmål nummer {n + 1}")
        await page.click("#q-send")
    await expect(page.locator("#q-error")).to_contain_text(
        "Du har stillet mange spørgsmål på kort tid"
    )
    await expect(page.locator("#mine [data-unsent]")).to_have_count(1)
    await expect(page.locator("#mine [data-unsent]")).to_contain_text("Spørgsmål nummer 6")
    texts = sorted(q.text for q in server.sequencer.state.questions.values())
    assert texts == [f"Spørgsmål nummer {n}" for n in range(1, 6)]


async def test_a_page_for_an_unknown_room_says_which_rooms_there_are(server: Running, open_page):
    page = await open_page(server.port, wait=False)
    await page.goto(f"http://127.0.0.1:{server.port}/?room=Sal%20C")
    await expect(page.locator("#conn-text")).to_have_text(
        "Salen «Sal C» findes ikke. Salene er: faellessalen (Fællessalen).", timeout=10_000
    )
    await expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    # A room name in any case is the room.
    await page.goto(f"http://127.0.0.1:{server.port}/?room=F%C3%A6llessalen")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    await expect(page.locator("#now")).to_contain_text("Unge, ensomhed og ungdomsuddannelser")


async def test_several_rooms_the_attendee_picks_hers(two_rooms: Running, open_page):
    page = await open_page(two_rooms.port, 1280, 800)
    await expect(page.locator("#room-pick")).to_be_visible()
    await expect(page.locator("#room")).to_have_value("meitner")
    await expect(page.locator("#now")).to_contain_text("Panel: fællesskab i byen")
    programme = page.locator("#programme-list")
    await expect(programme).to_contain_text("Workshop: frivillige i Bohr")  # every room's
    await expect(
        programme.locator("li").filter(has_text="Workshop: frivillige i Bohr")
    ).to_contain_text("Bohr Auditoriet")
    await page.select_option("#room", "bohr")
    await expect(page.locator("#now")).to_contain_text("Workshop: frivillige i Bohr")
    await expect(page.locator("#ask-target")).to_have_text(
        "Dit spørgsmål går til: Workshop: frivillige i Bohr"
    )
    await page.fill("#q-text", "Hvem leder workshoppen?")
    await page.click("#q-send")
    await expect(page.locator("#mine")).to_contain_text("modtaget – venter på moderator")
    asked = [
        q
        for q in two_rooms.sequencer.state.questions.values()
        if q.text == "Hvem leder workshoppen?"
    ]
    assert [q.item_id for q in asked] == ["b-workshop"]
    assert "room=bohr" in page.url
    await page.reload()  # the room is kept
    await expect(page.locator("#room")).to_have_value("bohr")
    await expect(page.locator("#now")).to_contain_text("Workshop: frivillige i Bohr")
    assert await _axe(page) == []  # the room picker too
    await shot(page, "two-rooms-1280x800")


async def test_times_on_another_day_say_which(db_url: str, clock, open_page):
    """A two-day programme, seen at noon on the first day: the next list says "i morgen"."""
    from datetime import datetime

    from server.app import Settings, start
    from tests.conftest import MOD_TOKEN, TZ
    from tests.kiosk.test_days import TWO_DAYS

    clock.t = datetime(2025, 10, 2, 12, 30, tzinfo=TZ)
    running = await start(
        Settings(
            port=0, db_url=db_url, programme=str(TWO_DAYS), moderator_token=MOD_TOKEN, now=clock
        )
    )
    try:
        page = await open_page(running.port)
        nxt = page.locator("#next-list")
        await expect(nxt).to_contain_text("kl. 23.30")
        await expect(nxt).to_contain_text("i morgen kl. 10.00")
        await expect(page.locator("#now")).to_contain_text("Næste punkt begynder kl. 23.30")
        # One day at a time in the programme, today's first; the other by the switch.
        programme = page.locator("#programme-list")
        await expect(page.locator("#day-pick")).to_be_visible()
        await expect(programme).to_contain_text("Velkommen til dag 1")
        await expect(programme).not_to_contain_text("Velkommen til dag 2")
        await page.select_option("#day", "2025-10-03")
        await expect(programme).to_contain_text("Velkommen til dag 2")
        await expect(programme).not_to_contain_text("Velkommen til dag 1")
        await expect(page.locator("#day option").nth(1)).to_have_text("fredag den 3. oktober")
        from tests.web.test_accessibility import _axe

        assert await _axe(page) == []
    finally:
        await running.close()
