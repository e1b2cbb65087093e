"""The sequencer alone: memory storage, a hub with fake peers, an injected clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from server.hub import Hub
from server.programme import default_programme
from server.protocol import DEFAULT_LIMITS, parse_command
from server.sequencer import Sequencer
from server.state import Actor, State
from server.storage import MemoryStore
from tests.kiosk.helpers import at
from tests.unit.fakes import fake_client, fake_write, peer

NOW = at("11:40")
LIMITS = {"question_max_chars": 280}


def _cmd(role: str, name: str, cid: str = "c1", **args: object):
    return parse_command({"type": "command", "id": cid, "name": name, "args": args}, role)


class FailingStore(MemoryStore):
    """Memory storage whose commits fail while ``broken`` is set."""

    broken = False

    def commit(self, *a, **kw):  # type: ignore[no-untyped-def]
        if self.broken:
            raise OSError("disk full")
        return super().commit(*a, **kw)


@pytest.fixture
async def seq() -> AsyncIterator[Sequencer]:
    store = FailingStore()
    store.save_programme(default_programme(), NOW)
    state, revision = store.load_state(default_programme())
    eng = Sequencer(store, state, revision, lambda: NOW, Hub(fake_write), DEFAULT_LIMITS)
    task = asyncio.create_task(eng.run())
    yield eng
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


MOD = Actor("moderator", "m1", "faellessalen")


async def test_an_ack_comes_after_the_change_is_stored(seq: Sequencer):
    """submit() answers with the new revision once the store has the change."""
    reply = await seq.submit(MOD, "moderator:m1", _cmd("moderator", "shift_delay", minutes=5), "da")
    assert reply["type"] == "ack" and reply["revision"] == 1
    stored, revision = seq.store.load_state(default_programme())
    assert revision == 1 and stored.live.room("faellessalen").delay_minutes == 5


async def test_a_resent_command_is_answered_again_and_applied_once(seq: Sequencer):
    """The same client and id twice: the same answer, one change."""
    cmd = _cmd("moderator", "shift_delay", minutes=5)
    first = await seq.submit(MOD, "moderator:m1", cmd, "da")
    again = await seq.submit(MOD, "moderator:m1", cmd, "da")
    assert again == first
    assert seq.state.live.room("faellessalen").delay_minutes == 5 and seq.revision == 1


async def test_a_refused_command_changes_nothing_and_is_not_stored(seq: Sequencer):
    """An error reply leaves the state, the revision and the log alone (before: 39,000
    refusals grew the database by 25 MiB, all loaded again at every start); a resend gets
    the same answer from memory, and the refusals are counted."""
    cmd = _cmd("moderator", "go_live", item_id="nope")
    reply = await seq.submit(MOD, "moderator:m1", cmd, "en")
    assert reply["type"] == "error" and reply["code"] == "unknown_item"
    assert "not in the programme" in reply["message"]
    assert seq.revision == 0
    for n in range(200):
        again = _cmd("moderator", "go_live", f"r{n}", item_id=f"x{n}")
        assert (await seq.submit(MOD, "moderator:m1", again, "en"))["code"] == "unknown_item"
    assert seq.store.command_log() == [] and seq.refused == 201
    assert await seq.submit(MOD, "moderator:m1", cmd, "en") == reply


async def test_the_room_of_the_session_is_where_commands_without_one_act(seq: Sequencer):
    """A command without a room acts on the sender's room (the seam the rooms work stands on)."""
    other = Actor("moderator", "m2", "elsewhere")  # a room the programme lacks: the first room
    await seq.submit(other, "moderator:m2", _cmd("moderator", "next"), "da")
    assert seq.state.live.room("faellessalen").mode == "manual"


async def test_a_failed_commit_is_an_error_and_rolls_back(seq: Sequencer):
    """storage_error for the command; the state goes back and is published again."""
    hall = fake_client("hall")
    seq.join(hall, LIMITS)
    assert isinstance(seq.store, FailingStore)
    seq.store.broken = True
    reply = await seq.submit(MOD, "moderator:m1", _cmd("moderator", "shift_delay", minutes=5), "da")
    assert reply["type"] == "error" and reply["code"] == "storage_error"
    assert seq.state.live.room("faellessalen").delay_minutes == 0
    last = peer(hall).frames[-1]
    assert last["state"]["delay_minutes"] == 0 and last["revision"] > 1
    seq.store.broken = False
    ok = await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "shift_delay", "c2", minutes=5), "da"
    )
    assert ok["type"] == "ack"


async def test_join_welcomes_and_presence_counts(seq: Sequencer):
    """join() sends welcome and snapshot; presence() counts by role; leave() takes it back."""
    att = fake_client("attendee", "a1")
    seq.join(att, LIMITS)
    assert peer(att).types() == ["welcome", "snapshot", "mine"]
    assert peer(att).frames[0]["limits"] == LIMITS
    assert seq.presence()["attendee"] == 1
    seq.leave(att)
    assert seq.presence()["attendee"] == 0


async def test_resync_sends_the_whole_state(seq: Sequencer):
    """resync(client) is a complete snapshot at the current revision."""
    stage = fake_client("stage")
    seq.join(stage, LIMITS)
    await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "set_stage_message", text="2 min"), "da"
    )
    peer(stage).take()
    seq.resync(stage)
    (snap,) = peer(stage).frames
    assert snap["type"] == "snapshot" and snap["state"]["stage_message"]["text"] == "2 min"


async def test_an_attendee_hears_its_own_question_at_once(seq: Sequencer):
    """The asker gets `mine` with the pending question; another attendee does not."""
    asker, other = fake_client("attendee", "a1"), fake_client("attendee", "a2")
    for c in (asker, other):
        seq.join(c, LIMITS)
        peer(c).take()
    actor = Actor("attendee", "a1", "faellessalen")
    reply = await seq.submit(
        actor, "attendee:a1", _cmd("attendee", "submit_question", text="Hvorfor?"), "da"
    )
    qid = reply["result"]["question_id"]
    mine = [f for f in peer(asker).frames if f["type"] == "mine"]
    assert mine and mine[-1]["questions"][0]["id"] == qid
    assert not [f for f in peer(other).frames if f["type"] == "mine"]
    assert isinstance(seq.state, State) and qid in seq.state.questions


class BrokenOnce(Hub):
    """A hub whose next publish raises (a bug somewhere in the fan-out)."""

    broken = True

    def publish(self, *a, **kw):  # type: ignore[no-untyped-def]
        if self.broken:
            self.broken = False
            raise RuntimeError("a bug in the fan-out")
        return super().publish(*a, **kw)


async def test_an_unexpected_error_refuses_the_batch_and_the_writer_goes_on():
    """internal_error for the command, the stored state kept, the next command served."""
    store = MemoryStore()
    store.save_programme(default_programme(), NOW)
    state, revision = store.load_state(default_programme())
    seq = Sequencer(store, state, revision, lambda: NOW, BrokenOnce(fake_write), DEFAULT_LIMITS)
    task = asyncio.create_task(seq.run())
    try:
        bad = await asyncio.wait_for(
            seq.submit(MOD, "moderator:m1", _cmd("moderator", "shift_delay", minutes=5), "en"), 5
        )
        assert bad["type"] == "error" and bad["code"] == "internal_error"
        assert "not done" in bad["message"] and seq.failures == 1
        assert seq.state.live.room("faellessalen").delay_minutes == 0
        ok = await asyncio.wait_for(
            seq.submit(
                MOD, "moderator:m1", _cmd("moderator", "shift_delay", "c2", minutes=5), "da"
            ),
            5,
        )
        assert ok["type"] == "ack" and not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_date_past_the_calendar_is_refused_not_fatal():
    """An item in the year 9999 and a delay of 600 minutes: out_of_range, and the writer lives."""
    from dataclasses import replace

    prog = default_programme()
    far = [
        replace(
            i,
            start=i.start.replace(year=9999, month=12, day=31),
            end=i.end.replace(year=9999, month=12, day=31),
        )
        for i in prog.items[-1:]
    ]
    prog = replace(prog, items=(*prog.items[:-1], *far))
    store = MemoryStore()
    store.save_programme(prog, NOW)
    state, revision = store.load_state(prog)
    seq = Sequencer(store, state, revision, lambda: NOW, Hub(fake_write), DEFAULT_LIMITS)
    task = asyncio.create_task(seq.run())
    try:
        reply = await asyncio.wait_for(
            seq.submit(MOD, "moderator:m1", _cmd("moderator", "set_delay", minutes=600), "da"), 5
        )
        assert reply["type"] == "error" and reply["code"] in ("out_of_range", "internal_error")
        ok = await asyncio.wait_for(
            seq.submit(
                MOD, "moderator:m1", _cmd("moderator", "set_hall_message", "c2", text="Hej"), "da"
            ),
            5,
        )
        assert ok["type"] == "ack" and not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_connection_limits_fit_the_open_file_limit():
    """With 1,024 open files the defaults (5,000 and 1,000) are lowered to what fits."""
    from server.app import FD_RESERVE, fit_to_descriptors

    fitted = fit_to_descriptors(DEFAULT_LIMITS, 1024)
    assert fitted.max_connections == 1024 - FD_RESERVE
    assert fitted.max_connections_per_ip == min(1000, 1024 - FD_RESERVE)
    assert fit_to_descriptors(DEFAULT_LIMITS, 1_048_576) == DEFAULT_LIMITS


async def test_an_id_reused_for_another_command_is_refused(seq: Sequencer):
    """duplicate_id: a reused id with other arguments changes nothing and is not acked."""
    first = await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "shift_delay", "same", minutes=5), "da"
    )
    other = await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "shift_delay", "same", minutes=30), "en"
    )
    assert first["type"] == "ack"
    assert other["type"] == "error" and other["code"] == "duplicate_id"
    assert seq.state.live.room("faellessalen").delay_minutes == 5
    again = await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "shift_delay", "same", minutes=5), "da"
    )
    assert again == first


async def test_a_rehearsal_clock_jumps_forward_and_a_real_day_refuses(seq: Sequencer):
    """jump_clock moves the server's time on a rehearsal and is stored; on a real day
    (serve without --clock) it is refused and nothing moves."""
    refused = await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "jump_clock", minutes=60), "da"
    )
    assert refused["code"] == "not_rehearsal" and seq.now() == NOW
    seq.rehearsal = True
    cmd = _cmd("moderator", "jump_clock", "c2", minutes=60)
    ack = await seq.submit(MOD, "moderator:m1", cmd, "da")
    assert ack["type"] == "ack" and seq.now() == NOW + timedelta(minutes=60)
    stored, _ = seq.store.load_state(default_programme())
    assert stored.live.clock_offset_s == 3600  # a restarted rehearsal goes on from there
    back = await seq.submit(
        MOD, "moderator:m1", _cmd("moderator", "jump_clock", "c3", minutes=-5), "da"
    )
    assert back["code"] == "out_of_range" and seq.now() == NOW + timedelta(minutes=60)


def test_the_rehearsal_clock_runs_at_its_speed(monkeypatch):
    """--clock 09.50 --clock-speed 10: ten seconds of the day pass each second."""
    from server import app

    real = [1000.0]
    monkeypatch.setattr(app.time, "time", lambda: real[0])
    clock = app.Clock(NOW.tzinfo, NOW.replace(hour=9, minute=50), speed=10)  # type: ignore[arg-type]
    real[0] += 6
    assert clock.now() == NOW.replace(hour=9, minute=51)
