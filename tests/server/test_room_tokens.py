"""Room moderator tokens (issue 16, item 7): `serve --room-token bohr=KODE` drives room
Bohr only; anything about another room, or every room, is refused with `room_only`; the
moderator token still drives every room."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.app import Running, Settings, start
from tests.conftest import MOD_TOKEN, TWO_ROOMS, TZ, UNIT, FakeClock

BOHR = "bohr-egen-kode"


@pytest.fixture
async def rooms(db_url: str) -> AsyncIterator[Running]:
    clock = FakeClock(datetime(2025, 10, 2, 9, 40, tzinfo=TZ))
    running = await start(
        Settings(
            port=0,
            db_url=db_url,
            programme=str(TWO_ROOMS),
            moderator_token=MOD_TOKEN,
            room_tokens={"Bohr Auditoriet": BOHR},
            now=clock,
        )
    )
    try:
        yield running
    finally:
        await running.close()


class Console:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.n = 0

    async def command(self, name: str, **args: object) -> dict[str, object]:
        self.n += 1
        cid = f"c{self.n}"
        await self.ws.send(json.dumps({"type": "command", "id": cid, "name": name, "args": args}))
        while True:
            msg = json.loads(await asyncio_wait(self.ws.recv()))
            if msg.get("id") == cid and msg["type"] in ("ack", "error"):
                return msg


async def asyncio_wait(coro):
    return await asyncio.wait_for(coro, 5 * UNIT)


async def _console(port: int, token: str, room: str | None) -> tuple[Console | None, dict]:
    ws = await connect(f"ws://127.0.0.1:{port}/ws", proxy=None)
    hello = {"type": "hello", "protocol": 1, "role": "moderator", "token": token}
    if room:
        hello["room"] = room
    await ws.send(json.dumps(hello))
    first = json.loads(await asyncio_wait(ws.recv()))
    if first["type"] == "error":
        with contextlib.suppress(ConnectionClosed):
            await asyncio_wait(ws.recv())
        return None, first
    await asyncio_wait(ws.recv())  # the snapshot
    return Console(ws), first


async def test_a_room_token_drives_its_room_and_nothing_else(rooms: Running):
    bohr, _ = await _console(rooms.port, BOHR, "bohr")
    assert bohr is not None
    ok = await bohr.command("shift_delay", minutes=5)
    assert ok["type"] == "ack"
    assert rooms.sequencer.state.live.room("bohr").delay_minutes == 5
    refused = [
        await bohr.command("shift_delay", minutes=5, room="Meitner"),
        await bohr.command("go_live", item_id="a-talk"),
        await bohr.command("set_hall_message", text="Til alle", all_rooms=True),
        await bohr.command("open_questions", item_id="a-talk"),
        await bohr.command("jump_clock", minutes=5),
    ]
    for reply in refused:
        assert reply["code"] == "room_only", reply
        assert "Din kode gælder kun én sal" in str(reply["message"])
    assert rooms.sequencer.state.live.room("meitner").delay_minutes == 0
    assert rooms.sequencer.state.live.hall_message is None
    assert (await bohr.command("set_hall_message", text="Kun Bohr"))["type"] == "ack"


async def test_a_room_token_cannot_touch_another_rooms_questions(rooms: Running):
    async with connect(f"ws://127.0.0.1:{rooms.port}/ws", proxy=None) as att_ws:
        await att_ws.send(
            json.dumps({"type": "hello", "protocol": 1, "role": "attendee", "room": "meitner"})
        )
        for _ in range(3):
            await asyncio_wait(att_ws.recv())
        attendee = Console(att_ws)
        meitner_q = (await attendee.command("submit_question", text="Til Meitner"))["result"]
        bohr_q = (await attendee.command("submit_question", text="Til Bohr", item_id="b-workshop"))[
            "result"
        ]
    bohr, _ = await _console(rooms.port, BOHR, "bohr")
    assert bohr is not None
    reply = await bohr.command("approve_question", question_id=meitner_q["question_id"])  # type: ignore[index]
    assert reply["code"] == "room_only"
    assert (await bohr.command("approve_question", question_id=bohr_q["question_id"]))[
        "type"
    ] == "ack"  # type: ignore[index]
    # Clearing a flood from "that moment on" rejects Bohr's pending questions only.
    await bohr.command("reject_question", question_id=bohr_q["question_id"])  # type: ignore[index]
    await bohr.command("approve_question", question_id=bohr_q["question_id"])  # type: ignore[index]
    states = {q.text: q.status for q in rooms.sequencer.state.questions.values()}
    assert states == {"Til Meitner": "pending", "Til Bohr": "approved"}


async def test_a_room_token_for_another_room_is_refused_with_its_room(rooms: Running):
    for asked in ("meitner", None):  # another room, or none (the first room)
        console, error = await _console(rooms.port, BOHR, asked)
        assert console is None and error["code"] == "room_only"
        assert "(Bohr Auditoriet)" in str(error["message"])
    # The moderator token drives every room; a wrong token is a wrong token.
    main, _ = await _console(rooms.port, MOD_TOKEN, "bohr")
    assert main is not None
    assert (await main.command("shift_delay", minutes=5, room="meitner"))["type"] == "ack"
    wrong, error = await _console(rooms.port, "gæt", "bohr")
    assert wrong is None and error["code"] == "bad_token"


@pytest.mark.parametrize(
    ("flag", "said", "code"),
    [
        ("Sal C=hemmelig", "--room-token 'Sal C': salen findes ikke i programmet.", 1),
        ("bohr", "Ugyldig --room-token 'bohr'", 2),
        ("bohr=", "Ugyldig --room-token 'bohr='", 2),
    ],
)
def test_serve_checks_room_tokens(tmp_path, flag: str, said: str, code: int):
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "serve", "--port", "0", "--db",
         str(tmp_path / "x.sqlite3"), "--programme", str(TWO_ROOMS), "--room-token", flag],
        capture_output=True, text=True, timeout=30 * UNIT,
    )  # fmt: skip
    assert proc.returncode == code, proc.stderr
    assert said in proc.stderr


async def test_guesses_against_room_tokens_are_held_like_any_other(rooms: Running, monkeypatch):
    """With room tokens every wrong guess is checked against each of them: still one guess
    at a time per address, each holding it (not N hashes at once per connection)."""
    import time

    from server import admission

    monkeypatch.setattr(admission, "WRONG_TOKEN_DELAY_S", 0.3)
    t0 = time.monotonic()
    results = await asyncio.gather(*(_console(rooms.port, f"gæt-{n}", "bohr") for n in range(4)))
    assert [error["code"] for _, error in results] == ["bad_token"] * 4
    assert time.monotonic() - t0 >= 4 * 0.3 * 0.95
    bohr, _ = await _console(rooms.port, BOHR, "bohr")  # the right one, at once
    assert bohr is not None
