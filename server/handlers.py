"""The connection handler: hello, auth, limits, decode; the sequencer does the rest."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from server.admission import Gate, peer_ip
from server.contract import FOYER, TOKEN_ROLES, error, room_detail
from server.hub import Client
from server.protocol import (
    Hello,
    ProtocolError,
    command_id_of,
    decode_frame,
    encode,
    parse_command,
    parse_hello,
)
from server.sequencer import Sequencer
from server.state import Actor
from server.transport import WsPeer

log = logging.getLogger("podium.server")

#: Close code for a client that keeps breaking the rules (policy violation).
CLOSE_POLICY = 1008


#: Errors that are the server's, not the client's: they do not count towards max_errors.
_SERVER_FAULTS = frozenset({"storage_error", "internal_error"})


class _Bucket:
    """A token bucket: ``rate`` commands per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Connection:
    """One websocket connection, from hello to close."""

    def __init__(self, sequencer: Sequencer, gate: Gate, ws: ServerConnection) -> None:
        self.sequencer = sequencer
        self.gate = gate
        self.ws = ws
        self.limits = sequencer.limits
        self.errors = 0
        self.lang = "da"
        self.only_room: str | None = None  # a room moderator's room (her token's)

    async def send_error(self, code: str, command_id: str | None = None, detail: str = "") -> None:
        text = ProtocolError(code, detail).message(self.lang)
        await self.ws.send(encode(error(code, text, command_id)))

    async def run(self) -> None:
        try:
            hello = await self.hello()
        except ConnectionClosed:
            return
        if hello is None:
            return
        client_id = self.gate.client_id(hello.role, hello.client_id)
        address = peer_ip(self.ws)
        # Grouped by the room the hello resolves to: a thousand made-up room names are one
        # group (one view per change), not a thousand.
        room = self.sequencer.session_room(hello.room)
        if hello.foyer and hello.role == "hall":
            room = FOYER  # one group for every foyer screen: all rooms at once
        cluster = self.sequencer.cluster
        if cluster is not None and not cluster.healthy:
            # This process cannot reach the database: the client should use another one.
            await self.ws.close(1013, "database unreachable: try another server")
            return
        client = Client(WsPeer(self.ws), hello.role, room, client_id, hello.lang)
        # In a cluster, a client that moved here from a process that died must not be sent
        # an older revision than it had: this process first reads what is new.
        await self.sequencer.fresh()
        self.sequencer.join(
            client,
            {
                "question_max_chars": self.limits.question_max_chars,
                "name_max_chars": self.limits.name_max_chars,
                "questions_per_minute": self.limits.questions_per_minute,
                "message_max_chars": self.limits.message_max_chars,
            },
        )
        # The room is part of the session: a command without one acts on the sender's room.
        actor = Actor(hello.role, client_id, room, address, self.only_room)
        # Answers to command ids are kept per client: a client that reconnects with the
        # client_id its welcome gave (Podium's clients always do) gets the same answer to a
        # resent command, on whatever connection.
        key = f"{hello.role}:{client_id}"
        try:
            await self.serve(client, actor, key)
        except ConnectionClosed:
            pass
        finally:
            self.sequencer.leave(client)

    async def close(self, code: int, reason: str) -> None:
        """Close, reading (and dropping) what the client still sends.

        Without reading, a client that flooded us fills the incoming queue, reading
        pauses, its answer to our close frame is never read, and the close hangs.
        """
        closing = asyncio.create_task(self.ws.close(code, reason))
        with contextlib.suppress(ConnectionClosed):
            async for _ in self.ws:
                pass
        await closing

    async def hello(self) -> Hello | None:
        try:
            async with asyncio.timeout(self.limits.hello_timeout_s):
                frame = await self.ws.recv()
        except TimeoutError:
            await self.send_error("hello_timeout")
            await self.close(CLOSE_POLICY, "no hello")
            return None
        try:
            hello = parse_hello(decode_frame(frame, self.limits))
        except ProtocolError as exc:
            await self.ws.send(encode(error(exc.code, exc.message(self.lang))))
            await self.close(CLOSE_POLICY, exc.code)
            return None
        self.lang = hello.lang
        programme = self.sequencer.state.programme
        room = programme.find_room(hello.room)
        if room is None:
            # A screen must never show another room's day: say which rooms there are.
            await self.send_error(
                "unknown_room", detail=room_detail(hello.room or "", programme.room_list())
            )
            await self.close(CLOSE_POLICY, "unknown room")
            return None
        if hello.role == "moderator":
            scope = await self.gate.moderator_scope(hello.token, room, peer_ip(self.ws))
            if scope is not None and scope.startswith("!"):  # another room's own token
                other = scope[1:]
                name = next((r.name for r in programme.rooms if r.id == other), other)
                await self.send_error("room_only", detail=name)
                await self.close(CLOSE_POLICY, "room token for another room")
                return None
            self.only_room = scope if scope not in (None, "*") else None
            ok = scope is not None
        elif hello.role in TOKEN_ROLES:
            ok = await self.gate.try_token(hello.role, hello.token, peer_ip(self.ws))
        else:
            ok = True
        if not ok:
            await self.send_error("bad_token")
            await self.close(CLOSE_POLICY, "bad token")
            return None
        return hello

    async def serve(self, client: Client, actor: Actor, client_key: str) -> None:
        bucket = _Bucket(self.limits.commands_per_second, self.limits.command_burst)
        # A whole snapshot is the dearest thing to ask for: one per resync_interval_s.
        resyncs = _Bucket(1 / self.limits.resync_interval_s, 1)
        async for frame in self.ws:
            command_id = None
            try:
                data = decode_frame(frame, self.limits)
                command_id = command_id_of(data)
                kind = data.get("type")
                if kind == "resync":
                    if not resyncs.take() or not bucket.take():
                        raise ProtocolError("rate_limited")
                    self.sequencer.resync(client)
                    continue
                if kind == "ping":
                    if not bucket.take():  # a ping costs what a command costs
                        raise ProtocolError("rate_limited")
                    await self.ws.send(
                        encode({"type": "pong", "server_time": self.sequencer.now().isoformat()})
                    )
                    continue
                if kind != "command":
                    raise ProtocolError("unknown_type", str(kind)[:40])
                if not bucket.take():
                    raise ProtocolError("rate_limited")
                command = parse_command(data, actor.role)
            except ProtocolError as exc:
                self.errors += 1
                await self.ws.send(
                    encode(error(exc.code, exc.message(self.lang), command_id or exc.command_id))
                )
                if self.errors >= self.limits.max_errors:
                    await self.close(CLOSE_POLICY, "too many errors")
                    return
                continue
            reply = await self.sequencer.submit(actor, client_key, command, self.lang)
            await self.ws.send(encode(reply))
            # Refused by the rules: counts like any error. The server's own trouble (the
            # database away) is not the client's, and must not close its connection.
            if reply.get("type") == "error" and reply.get("code") not in _SERVER_FAULTS:
                self.errors += 1
                if self.errors >= self.limits.max_errors:
                    await self.close(CLOSE_POLICY, "too many errors")
                    return
