"""Abuse: many connections, a client that never reads, and what a token may never do."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.app import Running, Settings, start
from server.hub import HARD_BUFFER
from server.protocol import Limits
from tests.conftest import MOD_TOKEN, STAGE_TOKEN, UNIT, Client, FakeClock
from tests.server.rawws import open_raw, send_text


@pytest.fixture
def limits() -> Limits:
    """This module floods on purpose: commands are not rate-limited here."""
    return Limits(hello_timeout_s=2 * UNIT, commands_per_second=10_000, command_burst=10_000)


@pytest.fixture
async def small_server(restartable) -> Running:
    return await restartable(
        limits=Limits(max_connections=8, max_connections_per_ip=4, hello_timeout_s=2 * UNIT)
    )


async def test_too_many_connections_from_one_address_are_refused(small_server: Running):
    """The fifth connection from one address gets 429; when one closes, there is room again."""
    url = f"ws://127.0.0.1:{small_server.port}/ws"
    conns = [await connect(url, proxy=None) for _ in range(4)]
    with pytest.raises(InvalidStatus) as exc:
        await connect(url, proxy=None)
    assert exc.value.response.status_code == 429
    await conns.pop().close()
    async with asyncio.timeout(5 * UNIT):
        while small_server.gate.per_ip.get("127.0.0.1", 0) >= 4:
            await asyncio.sleep(0.02)
    conns.append(await connect(url, proxy=None))
    for c in conns:
        await c.close()


async def test_sockets_that_never_send_a_request_are_counted_and_timed_out(
    restartable, monkeypatch
):
    """Four silent TCP connections fill an address's four slots (before: not counted at all,
    so they could take every descriptor); the server closes them after the handshake
    timeout, and the address can connect again."""
    from server import app

    monkeypatch.setattr(app, "HANDSHAKE_TIMEOUT_S", 0.5 * UNIT)
    running = await restartable(
        limits=Limits(max_connections=8, max_connections_per_ip=4, hello_timeout_s=2 * UNIT)
    )
    silent = [await asyncio.open_connection("127.0.0.1", running.port) for _ in range(4)]
    url = f"ws://127.0.0.1:{running.port}/ws"
    with pytest.raises(InvalidStatus) as exc:
        await connect(url, proxy=None)
    assert exc.value.response.status_code == 429
    async with asyncio.timeout(5 * UNIT):
        for reader, _ in silent:  # the server hangs up on each
            assert await reader.read() == b""
    async with connect(url, proxy=None):
        pass
    assert running.gate.refused == 1
    for _, writer in silent:
        writer.close()


async def test_the_total_limit_answers_503(restartable):
    """Over the total limit the handshake answers 503."""
    running = await restartable(limits=Limits(max_connections=2, max_connections_per_ip=100))
    url = f"ws://127.0.0.1:{running.port}/ws"
    a, b = await connect(url, proxy=None), await connect(url, proxy=None)
    with pytest.raises(InvalidStatus) as exc:
        await connect(url, proxy=None)
    assert exc.value.response.status_code == 503
    await a.close()
    await b.close()


async def test_a_client_that_never_reads_is_skipped_and_the_others_keep_up(
    server: Running, connect_as
):
    """A hall that asks for snapshot after snapshot but never reads falls behind: it is skipped
    (or dropped), and a reading hall keeps getting every change."""
    slow = await asyncio.to_thread(open_raw, server.port)
    await asyncio.to_thread(
        send_text, slow, json.dumps({"type": "hello", "protocol": 1, "role": "hall"})
    )
    hall = await connect_as("hall")
    mod = await connect_as("moderator")
    async with asyncio.timeout(5 * UNIT):
        while server.sequencer.hub.counts()["hall"] < 2:
            await asyncio.sleep(0.02)
    slow_port = slow.getsockname()[1]  # the server sees the raw socket's local port as remote
    slow_client = next(
        c for c in server.sequencer.hub.clients if c.peer.ws.remote_address[1] == slow_port
    )
    for _ in range(600):  # 600 full snapshots (about 9 MB) that it will never read
        await asyncio.to_thread(send_text, slow, json.dumps({"type": "resync"}))
    async with asyncio.timeout(10 * UNIT):
        while slow_client in server.sequencer.hub.clients and not slow_client.stale:
            await asyncio.sleep(0.02)
    for n in range(5):
        last = await mod.command("set_hall_message", text=f"Besked {n}")
        snap = await hall.expect(
            "snapshot", lambda m, last=last: m["revision"] == last["revision"], timeout=5 * UNIT
        )
        assert snap["state"]["hall_message"]["text"] == f"Besked {n}"
    assert slow_client not in server.sequencer.hub.clients or slow_client.stale
    assert slow_client not in server.sequencer.hub.clients or slow_client.buffered() <= HARD_BUFFER
    slow.close()


async def test_tokens_are_never_logged_or_sent(db_url: str, clock: FakeClock, caplog):
    """Right and wrong tokens leave no trace in the log, and no frame to any role carries a token."""
    caplog.set_level(logging.DEBUG)
    running = await start(
        Settings(
            port=0, db_url=db_url, moderator_token=MOD_TOKEN, stage_token=STAGE_TOKEN, now=clock
        )
    )
    try:
        url = f"ws://127.0.0.1:{running.port}/ws"
        frames: list[str] = []
        for role, token in (
            ("moderator", MOD_TOKEN),
            ("stage", STAGE_TOKEN),
            ("moderator", "wrong-guess-1234"),
            ("hall", None),
            ("attendee", None),
        ):
            async with connect(url, proxy=None) as ws:
                hello = {"type": "hello", "protocol": 1, "role": role}
                if token:
                    hello["token"] = token
                await ws.send(json.dumps(hello))
                frames.append(str(await ws.recv()))
                if token != "wrong-guess-1234":
                    frames.append(str(await ws.recv()))
        text = "\n".join(frames)
        assert MOD_TOKEN not in text and STAGE_TOKEN not in text
        # the server's records (the test's own client logs its frames, with the tokens it sent)
        logged = "\n".join(
            r.getMessage() for r in caplog.records if not r.name.startswith("websockets.client")
        )
        assert any(r.name.startswith("podium") for r in caplog.records)
        for secret in (MOD_TOKEN, STAGE_TOKEN, "wrong-guess-1234"):
            assert secret not in logged
    finally:
        await running.close()


async def test_a_wrong_token_is_answered_slowly(connect_as):
    """Each wrong token costs the guesser a second (no fast guessing)."""
    c = await connect_as("moderator", handshake=False)
    t0 = time.monotonic()
    await c.send({"type": "hello", "protocol": 1, "role": "moderator", "token": "guess"})
    err = await c.expect("error")
    assert err["code"] == "bad_token" and time.monotonic() - t0 >= 0.9


async def test_guessing_from_one_address_is_one_guess_at_a_time_and_logged(
    connect_as, monkeypatch, caplog
):
    """Parallel wrong tokens from one address are checked one after another, each holding the
    address (before: 16 sockets guessed 16 at a time); each is logged, never the token."""
    from server import admission

    monkeypatch.setattr(admission, "WRONG_TOKEN_DELAY_S", 0.3)
    guessers = [await connect_as("moderator", handshake=False) for _ in range(4)]
    t0 = time.monotonic()
    for n, c in enumerate(guessers):
        await c.send({"type": "hello", "protocol": 1, "role": "moderator", "token": f"gæt-{n}"})
    for c in guessers:
        assert (await c.expect("error", timeout=10 * UNIT))["code"] == "bad_token"
    assert time.monotonic() - t0 >= 4 * 0.3 * 0.95
    wrong = [r.getMessage() for r in caplog.records if "wrong moderator token" in r.getMessage()]
    assert len(wrong) == 4 and "from 127.0.0.1 (4 in the last 10 minutes)" in wrong[-1]
    assert not any("gæt-" in r.getMessage() for r in caplog.records)
    mod = await connect_as("moderator")  # the right token still opens, at once
    assert mod.welcome["role"] == "moderator"


async def test_a_stage_token_is_not_a_moderator_token(connect_as):
    """The stage token opens the stage role only."""
    c = await connect_as("moderator", handshake=False)
    await c.send({"type": "hello", "protocol": 1, "role": "moderator", "token": STAGE_TOKEN})
    assert (await c.expect("error"))["code"] == "bad_token"
    assert isinstance(c, Client)


def _raw_request(port: int, request: bytes, *, read: bool = True) -> bytes:
    """Send a hand-made opening request; return what the server answers (until it closes)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5 * UNIT) as sock:
        sock.sendall(request)
        if not read:
            return b""
        out = b""
        try:
            while chunk := sock.recv(4096):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out


BAD_HANDSHAKES = {
    "no-upgrade": b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad-version": (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12\r\n\r\n"
    ),
    "missing-key": (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    ),
}


@pytest.mark.parametrize("kind", [*BAD_HANDSHAKES, "closed-mid-handshake"])
async def test_a_failed_handshake_gives_its_slot_back(small_server: Running, kind: str):
    """Twenty failed handshakes from one address (limit 4) leave every slot free: the
    address, and everyone else, can still connect."""
    port = small_server.port
    for _ in range(20):
        if kind == "closed-mid-handshake":
            request = BAD_HANDSHAKES["bad-version"].split(b"Sec-WebSocket-Key")[0]
            await asyncio.to_thread(_raw_request, port, request, read=False)
        else:
            answer = await asyncio.to_thread(_raw_request, port, BAD_HANDSHAKES[kind])
            assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"400", b"426")
    async with asyncio.timeout(5 * UNIT):
        while small_server.gate.open_connections:
            await asyncio.sleep(0.02)
    assert small_server.gate.per_ip == {}
    conns = [await connect(f"ws://127.0.0.1:{port}/ws", proxy=None) for _ in range(4)]
    for c in conns:
        await c.close()


async def test_made_up_room_names_do_not_multiply_the_work(server: Running, connect_as):
    """Fifty halls each naming a different unknown room are refused (before: each was let
    in, as the first room) and leave no group, no view to build, behind."""
    for n in range(50):
        hall = await connect_as("hall", handshake=False)
        await hall.send({"type": "hello", "protocol": 1, "role": "hall", "room": f"bogus-{n}"})
        refused = await hall.expect("error")
        assert refused["code"] == "unknown_room"
    assert not server.sequencer.hub.clients
    good = await connect_as("hall", room="FÆLLESSALEN")
    assert good.snapshot["state"]["room"] == "faellessalen"
    assert {(c.role, c.room) for c in server.sequencer.hub.clients} == {("hall", "faellessalen")}
