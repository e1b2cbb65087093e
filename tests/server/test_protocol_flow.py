"""The websocket contract against a real server on a free port."""

from __future__ import annotations

import asyncio
import json

from server.app import Running
from server.storage import Store
from tests.conftest import FakeClock


async def test_each_role_gets_welcome_and_snapshot(connect_as):
    """hello as each role gives welcome then the snapshot; at 11.40 the youth session is live."""
    for role in ("hall", "stage", "moderator", "attendee"):
        c = await connect_as(role)
        assert c.welcome["role"] == role and c.welcome["protocol"] == 1
        state = c.snapshot["state"]
        assert c.snapshot["revision"] == c.welcome["revision"]
        assert state["current"]["title"] == "Unge, ensomhed og ungdomsuddannelser"
        assert state["event"]["timezone"] == "Europe/Copenhagen"
        for key in (
            "clock",
            "next",
            "delay_minutes",
            "hall_message",
            "on_screen_question",
            "programme",
        ):
            assert key in state
        assert len(state["programme"]) == 12
        assert state["next"][0]["title"] == "Frokost"
        assert state["next"][0]["start"] == "2025-09-25T12:25:00+02:00"


async def test_question_reaches_the_hall_when_put_on_screen(connect_as):
    """attendee submits, moderator approves and shows, the hall gets it."""
    att = await connect_as("attendee")
    mod = await connect_as("moderator")
    hall = await connect_as("hall")
    ack = await att.command(
        "submit_question", text="Hvordan finder vi de ensomme unge?", name="Ida", organisation="DGI"
    )
    assert ack["type"] == "ack"
    qid = ack["result"]["question_id"]
    assert (await mod.command("approve_question", question_id=qid))["type"] == "ack"
    shown = await mod.command("show_question", question_id=qid)
    assert shown["type"] == "ack"
    snap = await hall.expect("snapshot", lambda m: m["state"]["on_screen_question"] is not None)
    q = snap["state"]["on_screen_question"]
    assert (
        q["text"] == "Hvordan finder vi de ensomme unge?"
        and q["name"] == "Ida"
        and q["organisation"] == "DGI"
    )
    assert snap["revision"] == shown["revision"]


async def test_hall_never_receives_private_things(connect_as):
    """Raw frames to the hall hold no pending question, no note and no stage message."""
    hall = await connect_as("hall")
    att = await connect_as("attendee")
    mod = await connect_as("moderator")
    pending = await att.command("submit_question", text="HEMMELIGT-VENTENDE spørgsmål")
    rejected = await att.command("submit_question", text="HEMMELIGT-AFVIST spørgsmål")
    await mod.command("reject_question", question_id=rejected["result"]["question_id"])
    await mod.command(
        "save_note", item_id="unge", text="HEMMELIG-NOTE til moderator", audience="moderator"
    )
    await mod.command("save_note", item_id="unge", text="HEMMELIG-SCENENOTE", audience="stage")
    await mod.command("set_stage_message", text="HEMMELIG-SCENEBESKED")
    last = await mod.command("set_hall_message", text="Offentlig besked")
    await hall.expect("snapshot", lambda m: m["revision"] >= last["revision"])
    raw = "\n".join(hall.frames)
    for secret in (
        "HEMMELIGT-VENTENDE",
        "HEMMELIGT-AFVIST",
        "HEMMELIG-NOTE",
        "HEMMELIG-SCENENOTE",
        "HEMMELIG-SCENEBESKED",
    ):
        assert secret not in raw
    assert "Offentlig besked" in raw
    assert pending["type"] == "ack"
    for frame in hall.frames:
        assert "questions" not in json.loads(frame).get("state", {})


async def test_stage_sees_stage_notes_and_message_only(connect_as):
    """The stage monitor gets stage notes and the stage message, not moderator notes."""
    stage = await connect_as("stage")
    mod = await connect_as("moderator")
    await mod.command("save_note", item_id="unge", text="MODERATOR-ONLY", audience="moderator")
    await mod.command(
        "save_note", item_id="reformer", text="Til scenen: husk mikrofon", audience="stage"
    )
    last = await mod.command("set_stage_message", text="2 minutter tilbage")
    snap = await stage.expect("snapshot", lambda m: m["revision"] >= last["revision"])
    assert snap["state"]["stage_message"]["text"] == "2 minutter tilbage"
    assert snap["state"]["notes"] == {
        "reformer": {"text": "Til scenen: husk mikrofon", "audience": "stage"}
    }
    assert "MODERATOR-ONLY" not in "".join(stage.frames)
    assert "questions" not in snap["state"]


async def test_attendee_sees_own_pending_question_but_not_others(connect_as):
    """An attendee's 'mine' lists its own pending question; another attendee sees none."""
    a = await connect_as("attendee", client_id="alice")
    b = await connect_as("attendee", client_id="bob")
    ack = await a.command("submit_question", text="Alices spørgsmål")
    mine = a.latest["mine"]  # the update arrives before the ack
    assert (
        mine["questions"][0]["status"] == "pending"
        and mine["questions"][0]["id"] == ack["result"]["question_id"]
    )
    await b.command("vote", question_id="nonexistent")
    assert "Alices spørgsmål" not in "".join(b.frames)


async def test_votes_count_once_per_client(connect_as):
    """Two attendees vote; a repeated vote from one counts once; unvote takes it back."""
    a = await connect_as("attendee", client_id="alice")
    b = await connect_as("attendee", client_id="bob")
    mod = await connect_as("moderator")
    qid = (await a.command("submit_question", text="Stem på mig"))["result"]["question_id"]
    await mod.command("approve_question", question_id=qid)
    assert (await a.command("vote", question_id=qid))["result"]["votes"] == 1
    assert (await a.command("vote", question_id=qid))["result"]["votes"] == 1
    assert (await b.command("vote", question_id=qid))["result"]["votes"] == 2
    snap = await a.expect(
        "snapshot", lambda m: any(q["votes"] == 2 for q in m["state"]["questions"])
    )
    assert snap["state"]["questions"][0]["id"] == qid
    assert (await b.command("unvote", question_id=qid))["result"]["votes"] == 1


async def test_resent_command_id_changes_nothing(connect_as, server: Running):
    """The same client sending the same command id twice gets the same ack and one question."""
    a = await connect_as("attendee", client_id="resender")
    first = await a.command("submit_question", cid="same-id", text="Kun én gang")
    second = await a.command("submit_question", cid="same-id", text="Kun én gang")
    assert first == second
    # and after reconnecting (a new connection, same client id)
    again = await connect_as("attendee", client_id="resender")
    third = await again.command("submit_question", cid="same-id", text="Kun én gang")
    assert third == first
    assert sum(1 for q in server.sequencer.state.questions.values() if q.text == "Kun én gang") == 1


async def test_ack_means_stored(connect_as, db_url: str):
    """When the ack arrives, a second reader of the database already sees the change."""
    a = await connect_as("attendee")
    ack = await a.command("submit_question", text="Er det gemt?")
    store = Store(db_url)
    try:
        state, revision = store.load_state(store.load_programme())  # type: ignore[arg-type]
        assert state.questions[ack["result"]["question_id"]].text == "Er det gemt?"
        assert revision >= ack["revision"]
        log = store.command_log()
        assert [(r.name, r.role, r.ok) for r in log] == [("submit_question", "attendee", True)]
    finally:
        store.close()


async def test_moderator_drives_the_day(connect_as, clock: FakeClock):
    """go_live, next, previous, delay, extend and follow_clock reach the hall."""
    mod = await connect_as("moderator")
    hall = await connect_as("hall")
    ack = await mod.command("go_live", item_id="reformer")
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["state"]["current"]["id"] == "reformer" and snap["state"]["mode"] == "manual"
    ack = await mod.command("next")
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["state"]["current"]["id"] == "pause-1" and snap["state"]["phase"] == "break"
    ack = await mod.command("shift_delay", minutes=5)
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["state"]["delay_minutes"] == 5
    # the break went live at 11.40 (15 min) and the day runs 5 minutes late: the break ends
    # at 12.00 (no gap), the panel follows at 12.00, lunch at 12.50
    assert snap["state"]["current"]["expected_end"] == "2025-09-25T12:00:00+02:00"
    assert snap["state"]["next"][0]["expected_start"] == "2025-09-25T12:00:00+02:00"
    assert snap["state"]["next"][1]["expected_start"] == "2025-09-25T12:50:00+02:00"
    ack = await mod.command("extend", minutes=3)
    assert ack["result"]["extended_minutes"] == 8  # the delay's 5 minutes and these 3
    ack = await mod.command("follow_clock")
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["state"]["mode"] == "clock"


async def test_clock_moving_on_publishes_a_new_revision(connect_as, clock: FakeClock):
    """When the clock passes 12.25 the hall gets lunch without any command."""
    hall = await connect_as("hall")
    rev = hall.snapshot["revision"]
    clock.advance(minutes=46)
    snap = await hall.expect(
        "snapshot", lambda m: m["state"]["current"] and m["state"]["current"]["id"] == "frokost"
    )
    assert snap["revision"] == rev + 1 and snap["state"]["phase"] == "break"


async def test_hall_message_expires_by_itself(connect_as, clock: FakeClock):
    """A hall message with expires_in_s disappears from the hall when its time is up."""
    hall = await connect_as("hall")
    mod = await connect_as("moderator")
    ack = await mod.command("set_hall_message", text="Velkommen tilbage", expires_in_s=30)
    await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert hall.snapshot["state"]["hall_message"]["text"] == "Velkommen tilbage"
    clock.advance(seconds=31)
    snap = await hall.expect("snapshot", lambda m: m["state"]["hall_message"] is None)
    assert snap["revision"] > ack["revision"]


async def test_resync_sends_a_fresh_snapshot(connect_as):
    """{"type": "resync"} answers with the whole snapshot."""
    hall = await connect_as("hall")
    await hall.send({"type": "resync"})
    snap = await hall.expect("snapshot")
    assert snap["state"]["current"]["id"] == "unge"


async def test_moderator_sees_presence(connect_as):
    """The moderator is told how many clients of each role are connected."""
    mod = await connect_as("moderator")
    await connect_as("hall")
    await connect_as("hall")
    msg = await mod.expect("presence", lambda m: m["clients"]["hall"] == 2)
    assert msg["clients"]["moderator"] == 1


async def test_everything_survives_a_restart(connect_as, server: Running, db_url: str, clock):
    """Live state, delay, messages, notes, questions and votes are the same after a restart."""
    from server.app import Settings, start

    mod = await connect_as("moderator")
    att = await connect_as("attendee", client_id="voter")
    await mod.command("go_live", item_id="unge")
    await mod.command("set_delay", minutes=10)
    await mod.command("extend", minutes=5)
    await mod.command("set_hall_message", text="Frokosten står i Vandrehallen", expires_in_s=3600)
    await mod.command("set_stage_message", text="5 minutter tilbage")
    await mod.command("save_note", item_id="unge", text="Panelet: fire deltagere", audience="stage")
    await mod.command("close_questions", item_id="paneldebat")
    qid = (await att.command("submit_question", text="Hvad virker?"))["result"]["question_id"]
    await mod.command("edit_question", question_id=qid, text="Hvad virker bedst?")
    await mod.command("approve_question", question_id=qid)
    await att.command("vote", question_id=qid)
    await mod.command("show_question", question_id=qid)
    before, revision = server.sequencer.state, server.sequencer.revision
    await server.close()  # one serve per SQLite file: the second starts when the first is gone
    settings = Settings(port=0, db_url=db_url, moderator_token="m", stage_token="s", now=clock)
    second = await start(settings)
    try:
        assert second.sequencer.state == before
        assert second.sequencer.revision == revision
        assert second.sequencer.state.questions[qid].original_text == "Hvad virker?"
    finally:
        await second.close()


async def test_a_failed_commit_rolls_back_and_is_not_acked(
    connect_as, server: Running, db_url: str
):
    """If the database refuses a commit, the command gets storage_error, the screens go back
    to the stored state, and the next command is stored and acked as usual."""
    hall = await connect_as("hall")
    mod = await connect_as("moderator")
    real_commit = server.sequencer.store.commit
    calls = {"n": 0}

    def failing_commit(*args: object, **kw: object) -> None:
        calls["n"] += 1
        raise OSError("disk full")

    server.sequencer.store.commit = failing_commit  # type: ignore[method-assign]
    err = await mod.command("set_hall_message", text="Bliver ikke gemt")
    assert err["type"] == "error" and err["code"] == "storage_error" and calls["n"] == 1
    snap = await hall.expect(
        "snapshot", lambda m: m["state"]["hall_message"] is None and m["revision"] > 1
    )
    assert snap["state"]["hall_message"] is None
    assert server.sequencer.state.live.room("faellessalen").hall_message is None
    server.sequencer.store.commit = real_commit  # type: ignore[method-assign]
    ack = await mod.command("set_hall_message", text="Bliver gemt")
    assert ack["type"] == "ack"
    store = Store(db_url)
    try:
        state, _ = store.load_state(store.load_programme())  # type: ignore[arg-type]
        stored = state.live.room("faellessalen").hall_message
        assert stored is not None and stored.text == "Bliver gemt"
        assert [r.args for r in store.command_log()] == [{"text": "Bliver gemt"}]
    finally:
        store.close()


async def test_a_change_a_role_cannot_see_is_not_sent_to_it(connect_as):
    """Pending questions change nothing on the hall: no frames; the next visible change comes
    as one snapshot (its revision counts the invisible changes too)."""
    hall = await connect_as("hall")
    att = await connect_as("attendee")
    mod = await connect_as("moderator")
    first = await mod.command("set_hall_message", text="Først")
    await hall.expect("snapshot", lambda m: m["revision"] == first["revision"])
    n_frames = len(hall.frames)
    for n in range(3):
        await att.command("submit_question", text=f"Ventende {n}")
    ack = await mod.command("set_hall_message", text="Synlig")
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["revision"] == first["revision"] + 4
    assert len(hall.frames) == n_frames + 1  # only the visible change reached the hall


async def test_a_storm_of_votes_is_coalesced_for_attendees(connect_as, server: Running):
    """Thirty votes in a burst reach a listening attendee as a few updates, the last one right."""
    listener = await connect_as("attendee", client_id="listener")
    mod = await connect_as("moderator")
    asker = await connect_as("attendee", client_id="asker")
    qid = (await asker.command("submit_question", text="Stem"))["result"]["question_id"]
    await mod.command("approve_question", question_id=qid)
    await listener.expect(
        "snapshot", lambda m: any(q["id"] == qid for q in m["state"]["questions"])
    )
    before = len(listener.frames)
    voters = [await connect_as("attendee", client_id=f"v{n}") for n in range(30)]
    await asyncio.gather(*(v.command("vote", question_id=qid) for v in voters))
    await listener.expect(
        "snapshot", lambda m: any(q["votes"] == 30 for q in m["state"]["questions"])
    )
    await asyncio.sleep(0.2)
    frames = len(listener.frames) - before
    assert frames < 30  # fewer frames than votes


async def test_a_moderator_resend_after_a_reconnect_is_applied_once(connect_as, server):
    """Without a client_id of its own the moderator gets one in welcome; reconnecting with it,
    a command resent after its ack was lost changes nothing the second time."""
    mod = await connect_as("moderator")
    given = mod.welcome["client_id"]
    first = await mod.command("shift_delay", cid="plus-5", minutes=5)
    await mod.close()
    again = await connect_as("moderator", client_id=given)
    second = await again.command("shift_delay", cid="plus-5", minutes=5)
    assert second == first
    assert server.sequencer.state.live.room("faellessalen").delay_minutes == 5
