"""Floods from one machine: questions and votes per address, server-issued ids, clearing a
flood, and a moderator who can still load the queue (issue 12, items 3 and 7)."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from server.app import Running
from server.protocol import Limits
from tests.conftest import MOD_TOKEN, UNIT

PER_IP_QUESTIONS = 12
PER_IP_VOTES = 20


@pytest.fixture
def limits() -> Limits:
    """Commands are not rate-limited per connection here; the per-address quotas are small."""
    return Limits(
        hello_timeout_s=2 * UNIT,
        commands_per_second=10_000,
        command_burst=10_000,
        questions_per_minute_per_ip=PER_IP_QUESTIONS,
        votes_per_minute_per_ip=PER_IP_VOTES,
    )


async def test_questions_from_one_address_are_limited_whatever_the_client_ids(
    server: Running, connect_as
):
    """Five fresh clients at one address, five questions each: the address gets its quota
    (before: every client its own five, so 300 ids made 1,500 questions)."""
    codes: list[str] = []
    for n in range(5):
        att = await connect_as("attendee", client_id=f"fresh-{n}")
        for k in range(5):
            reply = await att.command("submit_question", text=f"Spørgsmål {n}.{k}")
            codes.append(reply["type"] if reply["type"] == "ack" else reply["code"])
    assert codes.count("ack") == PER_IP_QUESTIONS
    assert codes.count("address_limit") == 25 - PER_IP_QUESTIONS
    assert len(server.sequencer.state.questions) == PER_IP_QUESTIONS
    assert {q.source for q in server.sequencer.state.questions.values()} == {"127.0.0.1"}


async def test_vote_stuffing_from_fresh_connections_is_capped_and_the_moderator_sees_it(
    server: Running, connect_as
):
    """A new connection per vote: past the address's quota the votes are refused, and the
    moderator's queue says where the votes came from."""
    asker = await connect_as("attendee", client_id="asker")
    mod = await connect_as("moderator")
    qid = (await asker.command("submit_question", text="Stem på mig"))["result"]["question_id"]
    assert (await mod.command("approve_question", question_id=qid))["type"] == "ack"
    codes = []
    for n in range(PER_IP_VOTES + 10):
        voter = await connect_as("attendee", client_id=f"sock-{n}")
        reply = await voter.command("vote", question_id=qid)
        codes.append(reply["type"] if reply["type"] == "ack" else reply["code"])
        await voter.ws.close()
    assert codes.count("ack") == PER_IP_VOTES and codes.count("address_limit") == 10
    snap = await mod.expect(
        "snapshot", lambda m: any(q["votes"] == PER_IP_VOTES for q in m["state"]["questions"])
    )
    (q,) = [q for q in snap["state"]["questions"] if q["id"] == qid]
    assert q["votes_top_source"] == {"address": "127.0.0.1", "votes": PER_IP_VOTES}
    assert q["source"] == "127.0.0.1"
    # an attendee never sees where questions or votes come from
    public = (await connect_as("attendee", client_id="reader")).snapshot["state"]["questions"]
    assert public and all("source" not in p and "votes_top_source" not in p for p in public)


async def test_a_client_id_is_issued_and_signed_by_the_server(connect_as):
    """A made-up id is replaced; the issued one is kept on reconnect; a forged one is not."""
    first = await connect_as("attendee", client_id="made-up")
    issued = first.welcome["client_id"]
    assert issued != "made-up" and issued.startswith("att-")
    again = await connect_as("attendee", client_id=issued)
    assert again.welcome["client_id"] == issued
    forged = issued[:-1] + ("0" if issued[-1] != "0" else "1")
    other = await connect_as("attendee", client_id=forged)
    assert other.welcome["client_id"] not in (forged, issued)


async def test_the_moderator_clears_a_flood_in_one_logged_command(server: Running, connect_as):
    """reject_pending rejects every pending question from one sender, and nothing else."""
    flooder = await connect_as("attendee", client_id="flooder")
    honest = await connect_as("attendee", client_id="honest")
    mod = await connect_as("moderator")
    good = (await honest.command("submit_question", text="Et ærligt spørgsmål"))["result"]
    flood = [
        (await flooder.command("submit_question", text=f"Spam {n}"))["result"]["question_id"]
        for n in range(4)
    ]
    approved = flood.pop()
    await mod.command("approve_question", question_id=approved)
    reply = await mod.command("reject_pending", question_id=flood[0], scope="client")
    assert reply["type"] == "ack" and reply["result"] == {"rejected": 3}
    qs = server.sequencer.state.questions
    assert {qid: qs[qid].status for qid in flood} == dict.fromkeys(flood, "rejected")
    assert qs[approved].status == "approved"  # only pending ones
    assert qs[good["question_id"]].status == "pending"
    logged = [e for e in server.sequencer.store.command_log() if e.name == "reject_pending"]
    assert len(logged) == 1 and logged[0].args == {"question_id": flood[0], "scope": "client"}
    # "since" takes everything pending from that question's time on; here: the honest one too
    reply = await mod.command("reject_pending", question_id=good["question_id"], scope="since")
    assert reply["result"] == {"rejected": 1}


@pytest.mark.parametrize("limits", [Limits(questions_per_minute=10_000,
                                           questions_per_minute_per_ip=10_000,
                                           commands_per_second=10_000, command_burst=10_000)])  # fmt: skip
async def test_the_moderator_loads_a_flooded_queue_and_votes_stay_small(
    server: Running, connect_as
):
    """1,500 pending questions of 280 emoji with 80-emoji names (the attack in the issue):
    the moderator's console still connects (its frame limit is 4 MiB), its snapshot is the
    newest 300 and a count, and a vote afterwards is a small patch, not the list again."""
    atts = [await connect_as("attendee", client_id=f"flood-{n}") for n in range(30)]
    text, name = "😀" * 280, "🙂" * 80

    async def ask(att, n: int) -> None:
        for k in range(50):
            reply = await att.command("submit_question", text=text, name=name, cid=f"{n}-{k}")
            assert reply["type"] == "ack", reply

    await asyncio.gather(*(ask(a, n) for n, a in enumerate(atts)))
    assert len(server.sequencer.state.questions) == 1500
    async with connect(
        f"ws://127.0.0.1:{server.port}/ws", proxy=None, max_size=2**22
    ) as ws:  # as the console connects
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "moderator",
                                  "token": MOD_TOKEN}))  # fmt: skip
        json.loads(await ws.recv())
        frame = await ws.recv()
        snap = json.loads(frame)
        assert snap["type"] == "snapshot"
        assert len(snap["state"]["questions"]) == 300
        assert snap["state"]["questions_hidden"] == 1200
        assert len(frame.encode()) < 1024 * 1024
        mod = await connect_as("moderator")
        qid = snap["state"]["questions"][0]["id"]
        assert (await mod.command("approve_question", question_id=qid))["type"] == "ack"
        assert (await atts[0].command("vote", question_id=qid))["type"] == "ack"
        sizes = []
        async with asyncio.timeout(5 * UNIT):
            while len(sizes) < 2:  # the approval, then the vote
                frame = await ws.recv()
                if json.loads(frame)["type"] == "update":
                    sizes.append(len(frame.encode()))
        assert max(sizes) < 8 * 1024, sizes  # before: the whole list, 4.5 MB, per vote
