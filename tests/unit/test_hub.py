"""The hub alone, with fake peers: who is sent what, and how much."""

from __future__ import annotations

import asyncio

from server.hub import COALESCE_S, HARD_BUFFER, SOFT_BUFFER, Hub
from tests.kiosk.helpers import at, build_state
from tests.unit.fakes import fake_client, fake_write, peer

NOW = at("11:40")
MOD = ("moderator", "set_hall_message", {"text": "Kaffe i foyeren"})
ASK = ("attendee", "submit_question", {"text": "Hvordan finder vi de unge?"})


async def test_join_sends_welcome_frames_then_the_snapshot():
    """join() writes the given frames first, then a complete snapshot."""
    hub = Hub(fake_write)
    c = fake_client("hall")
    hub.join(c, ['{"type": "welcome"}'], build_state(NOW), NOW, 7)
    frames = peer(c).frames
    assert [f["type"] for f in frames] == ["welcome", "snapshot"]
    assert frames[1]["revision"] == 7 and frames[1]["state"]["current"]["id"] == "unge"
    assert hub.counts()["hall"] == 1


async def test_first_change_after_a_group_forms_is_an_update_not_a_snapshot():
    """Clients that got their snapshot on connect get only updates from then on."""
    hub = Hub(fake_write)
    halls = [fake_client("hall", f"h{n}") for n in range(3)]
    for c in halls:
        hub.join(c, [], build_state(NOW), NOW, 1)
        peer(c).take()
    hub.publish(build_state(NOW, MOD), NOW, 2)
    for c in halls:
        (msg,) = peer(c).take()
        assert msg["type"] == "update" and msg["base"] == 1 and msg["revision"] == 2
        assert set(msg["state"]) == {"clock", "hall_message"}


async def test_a_change_a_role_cannot_see_is_not_sent_to_it():
    """A pending question reaches the moderator and not the hall."""
    hub = Hub(fake_write)
    hall, mod = fake_client("hall"), fake_client("moderator", "m1")
    for c in (hall, mod):
        hub.join(c, [], build_state(NOW), NOW, 1)
        peer(c).take()
    hub.publish(build_state(NOW, ASK), NOW, 2)
    assert peer(hall).frames == []
    (msg,) = peer(mod).take()
    assert msg["type"] == "update" and set(msg["state"]) == {"clock", "questions"}


async def test_a_late_joiner_with_the_same_view_gets_the_groups_revision():
    """A newcomer seeing what its group saw is put at the group's revision, so updates fit."""
    hub = Hub(fake_write)
    first, late = fake_client("hall", "a"), fake_client("hall", "b")
    hub.join(first, [], build_state(NOW), NOW, 3)
    hub.join(late, [], build_state(NOW, ASK), NOW, 4)  # the pending question is invisible
    assert peer(late).frames[-1]["revision"] == 3
    hub.publish(build_state(NOW, ASK, MOD), NOW, 5)
    assert peer(late).frames[-1]["base"] == 3


async def test_own_questions_go_only_to_their_asker():
    """publish(..., attendees={id}) sends `mine` to that attendee alone."""
    hub = Hub(fake_write)
    asker, other = fake_client("attendee", "attendee-1"), fake_client("attendee", "x")
    for c in (asker, other):
        hub.join(c, [], build_state(NOW), NOW, 1)
        peer(c).take()
    hub.publish(build_state(NOW, ASK), NOW, 2, {"attendee-1"})
    assert "mine" in peer(asker).types()
    assert "mine" not in peer(other).types()
    (mine,) = [f for f in peer(asker).frames if f["type"] == "mine"]
    assert mine["questions"][0]["status"] == "pending"


async def test_attendees_get_a_storm_of_changes_coalesced():
    """Changes within COALESCE_S reach attendees as one update with the latest state."""
    hub = Hub(fake_write)
    att, hall = fake_client("attendee", "a"), fake_client("hall")
    for c in (att, hall):
        hub.join(c, [], build_state(NOW), NOW, 1)
        peer(c).take()
    hub.publish(build_state(NOW, MOD), NOW, 2)  # the first goes at once
    for rev, text in ((3, "b"), (4, "c"), (5, "d")):
        hub.publish(build_state(NOW, ("moderator", "set_hall_message", {"text": text})), NOW, rev)
    assert len(peer(hall).frames) == 4  # screens get every change at once
    assert len(peer(att).frames) == 1
    await asyncio.sleep(COALESCE_S * 3)
    frames = peer(att).take()
    assert len(frames) == 2 and frames[-1]["revision"] == 5
    assert frames[-1]["state"]["hall_message"]["text"] == "d"


async def test_a_client_that_does_not_read_is_skipped_then_caught_up():
    """Over the soft limit: skipped and marked stale; drained: the latest snapshot."""
    hub = Hub(fake_write)
    slow = fake_client("hall")
    hub.join(slow, [], build_state(NOW), NOW, 1)
    peer(slow).take()
    peer(slow).queued = SOFT_BUFFER + 1
    hub.publish(build_state(NOW, MOD), NOW, 2)
    assert peer(slow).frames == [] and slow.stale
    peer(slow).queued = 0
    hub.catch_up(build_state(NOW, MOD), NOW, 2)
    (msg,) = peer(slow).take()
    assert msg["type"] == "snapshot" and msg["state"]["hall_message"]["text"] == "Kaffe i foyeren"
    assert not slow.stale


async def test_a_client_far_behind_is_dropped():
    """Over the hard limit the connection is aborted."""
    hub = Hub(fake_write)
    slow = fake_client("hall")
    hub.join(slow, [], build_state(NOW), NOW, 1)
    peer(slow).queued = HARD_BUFFER + 1
    hub.publish(build_state(NOW, MOD), NOW, 2)
    assert peer(slow).aborted


async def test_presence_goes_to_moderators_when_it_changes():
    """Moderators hear the counts once per change; halls never."""
    hub = Hub(fake_write)
    mod, hall = fake_client("moderator", "m"), fake_client("hall")
    for c in (mod, hall):
        hub.join(c, [], build_state(NOW), NOW, 1)
    peer(mod).take(), peer(hall).take()
    hub.publish_presence()
    hub.publish_presence()
    (msg,) = peer(mod).take()
    assert msg == {
        "type": "presence",
        "clients": {"hall": 1, "stage": 0, "moderator": 1, "attendee": 0},
    }
    assert peer(hall).frames == []
    hub.leave(hall)
    hub.publish_presence()
    assert peer(mod).take()[0]["clients"]["hall"] == 0


async def test_resync_of_a_reading_client_is_immediate():
    """resync() sends the whole state at once to a client that keeps up."""
    hub = Hub(fake_write)
    c = fake_client("stage")
    hub.join(c, [], build_state(NOW), NOW, 1)
    peer(c).take()
    hub.resync(c, build_state(NOW, MOD), NOW, 2)
    (msg,) = peer(c).take()
    assert msg["type"] == "snapshot" and "stage_message" in msg["state"]


async def test_a_connect_storm_builds_one_view_but_every_client_gets_the_time_now():
    """Snapshots of one group are built once per revision and second; the clock is each one's own."""
    from datetime import timedelta

    import server.hub as hub_module

    calls = 0
    real = hub_module.snapshot_message

    def counting(*a, **kw):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real(*a, **kw)

    hub_module.snapshot_message = counting  # type: ignore[assignment]
    try:
        hub = Hub(fake_write)
        state = build_state(NOW)
        clients = [fake_client("hall", f"h{n}") for n in range(50)]
        for n, c in enumerate(clients):
            hub.join(c, [], state, NOW + timedelta(microseconds=n * 1000), 1)
        assert calls == 1
        clocks = {peer(c).frames[-1]["state"]["clock"] for c in clients}
        assert len(clocks) == 50
        snap = peer(clients[7]).frames[-1]
        assert snap["state"]["clock"] == (NOW + timedelta(microseconds=7000)).isoformat()
        assert snap["state"]["current"]["id"] == "unge" and snap["revision"] == 1
        late = fake_client("hall", "late")
        hub.join(late, [], state, NOW + timedelta(seconds=2), 1)
        assert calls == 2  # a new second: built again (elapsed time in it is fresh)
    finally:
        hub_module.snapshot_message = real  # type: ignore[assignment]
