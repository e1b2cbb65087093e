"""Rooms are part of the session (issue 16): a hello names its room by id or by name in
any case; an unknown room is refused with the rooms there are; a command names a room
the same way, and without one acts on the sender's room."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.app import Running
from tests.conftest import MOD_TOKEN


async def _hello(port: int, **hello: object) -> list[dict[str, object]]:
    """The frames a hello gets until the snapshot (or the close)."""
    got: list[dict[str, object]] = []
    async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None) as ws:
        await ws.send(json.dumps({"type": "hello", "protocol": 1, **hello}))
        try:
            while True:
                msg = json.loads(await ws.recv())
                got.append(msg)
                if msg["type"] in ("snapshot", "error"):
                    break
            if msg["type"] == "error":
                await ws.recv()  # the server closes after the error
        except ConnectionClosed as exc:
            got.append({"type": "closed", "code": exc.rcvd.code if exc.rcvd else None})
    return got


@pytest.mark.parametrize(
    ("asked", "room"),
    [
        ("meitner", "meitner"),
        ("Meitner", "meitner"),
        ("BOHR", "bohr"),
        ("bohr auditoriet", "bohr"),
        (None, "meitner"),
    ],
)
async def test_a_hello_names_its_room_by_id_or_name_in_any_case(two_rooms: Running, asked, room):
    hello = {"role": "hall"} | ({"room": asked} if asked else {})
    frames = await _hello(two_rooms.port, **hello)
    snapshot = frames[-1]
    assert snapshot["type"] == "snapshot"
    assert snapshot["state"]["room"] == room  # type: ignore[index]
    current = snapshot["state"]["current"]  # type: ignore[index]
    assert current["room"] == room  # the room's own live item


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_an_unknown_room_is_refused_with_the_rooms_there_are(two_rooms: Running, lang: str):
    frames = await _hello(two_rooms.port, role="hall", room="Sal C", lang=lang)
    error = next(f for f in frames if f["type"] == "error")
    assert error["code"] == "unknown_room"
    rooms = "meitner (Meitner), bohr (Bohr Auditoriet)"
    expected = {
        "da": f"Salen «Sal C» findes ikke. Salene er: {rooms}.",
        "en": f"The room «Sal C» does not exist. The rooms are: {rooms}.",
    }[lang]
    assert error["message"] == expected
    assert frames[-1] == {"type": "closed", "code": 1008}
    assert not any(f["type"] == "snapshot" for f in frames)


async def test_a_command_names_its_room_the_same_way(two_rooms: Running):
    async with connect(f"ws://127.0.0.1:{two_rooms.port}/ws", proxy=None) as ws:
        hello = {
            "type": "hello",
            "protocol": 1,
            "role": "moderator",
            "token": MOD_TOKEN,
            "room": "bohr",
        }
        await ws.send(json.dumps(hello))

        async def reply(cid: str) -> dict[str, object]:
            while True:
                msg = json.loads(await ws.recv())
                if msg.get("id") == cid and msg["type"] in ("ack", "error"):
                    return msg

        await ws.send(
            json.dumps(
                {
                    "type": "command",
                    "id": "c1",
                    "name": "shift_delay",
                    "args": {"minutes": 5, "room": "Meitner"},
                }
            )
        )
        assert (await reply("c1"))["type"] == "ack"
        await ws.send(
            json.dumps(
                {"type": "command", "id": "c2", "name": "shift_delay", "args": {"minutes": 10}}
            )
        )
        assert (await reply("c2"))["type"] == "ack"
        await ws.send(
            json.dumps({"type": "command", "id": "c3", "name": "next", "args": {"room": "Sal C"}})
        )
        refused = await reply("c3")
        assert refused["code"] == "unknown_room" and "Salene er: meitner (Meitner)" in str(
            refused["message"]
        )
    rooms = two_rooms.sequencer.state.live.rooms
    assert rooms["meitner"].delay_minutes == 5  # named by its display name
    assert rooms["bohr"].delay_minutes == 10  # no room: the sender's (bohr)


async def test_a_hall_started_for_an_unknown_room_says_which_rooms_there_are(two_rooms: Running):
    from kiosk.hall.app import make_app
    from tests.kiosk.helpers import screen_text, wait_for

    app = make_app(server=f"ws://127.0.0.1:{two_rooms.port}/ws", room="Sal C")
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: bool(app.fatal))
        await pilot.pause()
        text = screen_text(app)
        assert (
            "Salen «Sal C» findes ikke. Salene er: meitner (Meitner), bohr (Bohr Auditoriet)."
            in text
        )
        assert app.view is None  # nothing of another room's day was shown


async def test_nothing_of_room_a_reaches_room_b_unless_meant_for_all(
    two_rooms: Running, connect_as_two
):
    """Read every raw frame room B's clients got while room A had an announcement, a stage
    message, a pending and an approved question, and a new hall: none of it is there; an
    announcement for all rooms is."""
    b = {
        role: await connect_as_two(role, room="bohr")
        for role in ("hall", "stage", "moderator", "attendee")
    }
    mod_a = await connect_as_two("moderator", room="meitner")
    att_a = await connect_as_two("attendee", room="meitner")
    assert (await mod_a.command("set_hall_message", text="Kun Meitner: kaffe")).get("type") == "ack"
    assert (await mod_a.command("set_stage_message", text="Meitner: 2 minutter")).get(
        "type"
    ) == "ack"
    q1 = (await att_a.command("submit_question", text="Meitner-spørgsmål ét"))["result"][
        "question_id"
    ]
    await att_a.command("submit_question", text="Meitner-spørgsmål to")
    await mod_a.command("approve_question", question_id=q1)
    await connect_as_two("hall", room="meitner")  # presence in A
    await mod_a.command("set_hall_message", text="Til alle: frokost", all_rooms=True)
    for client in b.values():
        await client.expect(
            "snapshot",
            lambda m: (m["state"].get("hall_message") or {}).get("text") == "Til alle: frokost",
        )
    secrets = ("Kun Meitner", "Meitner: 2 minutter", "Meitner-spørgsmål")
    for role, client in b.items():
        leaked = [f for f in client.frames for s in secrets if s in f]
        assert not leaked, (role, leaked[:1])
    # Presence: B's moderator counts B's clients only (the hall, stage and attendee of B).
    presence = [json.loads(f) for f in b["moderator"].frames if '"presence"' in f]
    assert presence and presence[-1]["clients"] == {
        "hall": 1,
        "stage": 1,
        "moderator": 1,
        "attendee": 1,
    }
    # A's moderator sees A's queue, B's sees none of it.
    assert {q["text"] for q in mod_a.snapshot["state"]["questions"]} == {
        "Meitner-spørgsmål ét",
        "Meitner-spørgsmål to",
    }
    assert b["moderator"].snapshot["state"]["questions"] == []
    overview = {r["id"]: r for r in b["moderator"].snapshot["state"]["rooms_live"]}
    assert overview["meitner"]["pending"] == 1 and overview["meitner"]["hall_message"] is True


async def test_a_question_without_an_item_goes_to_the_askers_room(
    two_rooms: Running, connect_as_two
):
    att = await connect_as_two("attendee", room="Bohr Auditoriet")
    reply = await att.command("submit_question", text="Til Bohr")
    q = two_rooms.sequencer.state.questions[reply["result"]["question_id"]]
    assert q.item_id == "b-workshop"


async def test_a_moderator_is_counted_in_her_rooms_presence_from_the_start(
    two_rooms: Running, connect_as_two
):
    """Before: a console that joined a room after another had left it read "0 moderator"
    until something else changed (the last count sent was remembered for the empty room)."""
    first = await connect_as_two("moderator", room="bohr")
    assert (await first.expect("presence"))["clients"]["moderator"] == 1
    await first.close()
    for _ in range(5):
        await two_rooms.sequencer.tick()
    again = await connect_as_two("moderator", room="bohr")
    assert (await again.expect("presence"))["clients"]["moderator"] == 1
