"""The hub alone, with fake peers: who is sent what, and how much."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

from kiosk.link import apply_patch
from server.hub import COALESCE_S, HARD_BUFFER, SOFT_BUFFER, Hub
from server.live import Question, State
from server.views import role_view
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
    assert msg["type"] == "update" and set(msg["state"]) == {"clock"}
    assert [q["text"] for q in msg["patch"]["questions"]["upsert"]] == [ASK[2]["text"]]


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


def _flood(n: int, *, address: str = "10.0.0.7") -> State:
    """The seed day with ``n`` pending questions of 280 emoji and an 80-emoji name each,
    from ``n // 5`` clients at one address (the attack in issue 12, item 3)."""
    state = build_state(NOW)
    questions = dict(state.questions)
    for k in range(n):
        t = NOW + timedelta(seconds=k)
        questions[f"f{k:05d}"] = Question(
            f"f{k:05d}", "unge", "😀" * 280, "😀" * 280, "pending", f"c{k // 5}", t, t,
            name="🙂" * 80, source=address,
        )  # fmt: skip
    return replace(state, questions=MappingProxyType(questions))


async def test_a_flood_of_questions_is_a_window_for_the_moderator_not_the_whole_list():
    """1,500 pending questions: the moderator's snapshot carries the newest 300 and says how
    many more there are (before: 1,500, 4.5 MiB, past what the console could load)."""
    hub = Hub(fake_write, queue_window=300)
    mod = fake_client("moderator", "m1")
    hub.join(mod, [], _flood(1500), NOW, 1)
    (snap,) = [f for f in peer(mod).take() if f["type"] == "snapshot"]
    shown = snap["state"]["questions"]
    assert len(shown) == 300 and snap["state"]["questions_hidden"] == 1200
    assert shown[0]["id"] == "f01499" and shown[-1]["id"] == "f01200"  # newest first
    size = len(json.dumps(snap, ensure_ascii=False).encode())
    assert size < 1024 * 1024, size  # under the console's frame limit with room to spare


async def test_a_vote_sends_the_one_question_that_changed_and_the_patch_rebuilds_the_list():
    """An update patches the question list: a vote on one of 300 questions sends that one,
    and the client's list after the patch equals a fresh snapshot's (for both roles)."""
    state = _flood(300)
    approved = {qid: replace(q, status="approved") for qid, q in state.questions.items()}
    state = replace(state, questions=MappingProxyType(approved))
    hub = Hub(fake_write)
    mod, att = fake_client("moderator", "m1"), fake_client("attendee", "a1")
    for c in (mod, att):
        hub.join(c, [], state, NOW, 1)
    before = {c.role: peer(c).take()[0]["state"]["questions"] for c in (mod, att)}
    voted = replace(state, votes=MappingProxyType({"f00007": frozenset({"v1", "v2"})}))
    hub.publish(voted, NOW, 2)
    await asyncio.sleep(COALESCE_S * 2)  # attendees get theirs coalesced
    for c in (mod, att):
        (msg,) = [m for m in peer(c).take() if m["type"] == "update"]
        patch = msg["patch"]["questions"]
        assert [q["id"] for q in patch["upsert"]] == ["f00007"] and patch["remove"] == []
        assert len(json.dumps(msg, ensure_ascii=False).encode()) < 4096
        rebuilt = apply_patch(before[c.role], patch, c.role)
        fresh = role_view(voted, NOW, c.role)["questions"]
        assert rebuilt == json.loads(json.dumps(fresh))
    assert rebuilt[0]["id"] == "f00007"  # the attendee's list: most votes first


async def test_a_question_leaving_the_window_is_removed_by_the_patch():
    """A new pending question in a full window pushes the oldest shown one out."""
    state = _flood(5)
    hub = Hub(fake_write, queue_window=5)
    mod = fake_client("moderator", "m1")
    hub.join(mod, [], state, NOW, 1)
    peer(mod).take()
    later = NOW + timedelta(minutes=1)
    newer = Question("new", "unge", "Ny", "Ny", "pending", "c9", later, later)
    grown = replace(state, questions=MappingProxyType({**state.questions, "new": newer}))
    hub.publish(grown, NOW, 2)
    (msg,) = peer(mod).take()
    assert msg["patch"]["questions"] == {
        "upsert": [
            json.loads(json.dumps(role_view(grown, NOW, "moderator", None, 5)["questions"][0]))
        ],
        "remove": ["f00000"],
    }
    assert msg["state"]["questions_hidden"] == 1


async def test_an_attendee_joining_while_an_update_waits_gets_a_revision_the_update_fits():
    """A vote storm coalesces attendees' updates; a phone joining meanwhile must end with the
    same picture as the others, with every update fitting the revision it has."""
    hub = Hub(fake_write)
    old = fake_client("attendee", "a1")
    hub.join(old, [], build_state(NOW), NOW, 1)
    lunch = ("moderator", "set_hall_message", {"text": "Frokost i foyeren"})
    hub.publish(build_state(NOW, MOD), NOW, 2)  # sent at once: the first in a while
    hub.publish(build_state(NOW, lunch), NOW, 3)  # coalesced: waits COALESCE_S
    new = fake_client("attendee", "a2")
    hub.join(new, [], build_state(NOW, lunch), NOW, 3)
    hub.publish(build_state(NOW, MOD), NOW, 4)  # what the group had at 2 (before: not sent)
    await asyncio.sleep(COALESCE_S * 2)
    for c in (old, new):
        revision, state = -1, {}
        for msg in peer(c).take():
            if msg["type"] == "snapshot":
                revision, state = msg["revision"], msg["state"]
            elif msg["type"] == "update":
                assert msg["base"] == revision, (c.client_id, msg["base"], revision)
                revision, state = msg["revision"], {**state, **msg["state"]}
        assert state["hall_message"]["text"] == MOD[2]["text"], c.client_id
