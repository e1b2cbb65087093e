"""The connection handler and the engine: hello, auth, decode → rules → store → publish.

The engine is the one writer. Commands from every connection queue up; the engine
takes what has queued, applies each to the state with the pure rules, commits the
batch in one transaction, and only then publishes the new revision and answers
each command. An ack therefore always means "stored".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from server.hub import Client, Hub
from server.protocol import (
    PROTOCOL_VERSION,
    TOKEN_ROLES,
    Command,
    Hello,
    Limits,
    ProtocolError,
    command_id_of,
    decode_frame,
    encode,
    error,
    error_message,
    parse_command,
    parse_hello,
)
from server.state import Actor, Context, Outcome, State, apply, expire_messages, timeline
from server.storage import LogEntry, Store
from server.views import signature

log = logging.getLogger("podium.server")

#: How many queued commands the engine commits in one transaction at most.
MAX_BATCH = 500
#: Close code for a client that keeps breaking the rules (policy violation).
CLOSE_POLICY = 1008


@dataclass
class _Request:
    actor: Actor
    client_key: str
    command: Command
    lang: str
    future: asyncio.Future[dict[str, Any]]


class Engine:
    """Holds the state; applies, stores and publishes every change, in order."""

    def __init__(
        self,
        store: Store,
        state: State,
        revision: int,
        now: Callable[[], datetime],
        hub: Hub,
        limits: Limits,
        tokens: dict[str, str],
    ) -> None:
        self.store = store
        self.state = state
        self.revision = revision
        self.now = now
        self.hub = hub
        self.limits = limits
        self.tokens = tokens
        self.queue: asyncio.Queue[_Request] = asyncio.Queue()
        self.replies: dict[tuple[str, str], dict[str, Any]] = {
            (k, c): r for k, c, r in store.replies()
        }
        self._signature = signature(state, now())
        # One change at a time: a batch and a tick must not interleave their commits.
        self._lock = asyncio.Lock()
        self._programme_stamp = store.programme_stamp()
        self.open_connections = 0
        self.per_ip: dict[str, int] = {}
        self._admitted: set[int] = set()

    # --- admission: how many connections, and from where ------------------------

    def admission(self, conn: ServerConnection, request: Request) -> Response | None:
        """Refuse an opening handshake over the connection limits (503, or 429 per address)."""
        ip = _peer_ip(conn)
        if self.open_connections >= self.limits.max_connections:
            log.warning("refusing a connection: %d open", self.open_connections)
            return conn.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Podium: too many connections\n")
        if self.per_ip.get(ip, 0) >= self.limits.max_connections_per_ip:
            log.warning("refusing a connection from %s: %d open from there", ip, self.per_ip[ip])
            return conn.respond(
                HTTPStatus.TOO_MANY_REQUESTS, "Podium: too many connections from your address\n"
            )
        self.open_connections += 1
        self.per_ip[ip] = self.per_ip.get(ip, 0) + 1
        self._admitted.add(id(conn))
        return None

    def release(self, conn: ServerConnection) -> None:
        if id(conn) not in self._admitted:
            return
        self._admitted.discard(id(conn))
        ip = _peer_ip(conn)
        self.open_connections -= 1
        left = self.per_ip.get(ip, 1) - 1
        if left > 0:
            self.per_ip[ip] = left
        else:
            self.per_ip.pop(ip, None)

    def check_token(self, role: str, token: str | None) -> bool:
        expected = self.tokens.get(role, "")
        given = (token or "").encode()
        # compare_digest takes constant time for equal-length inputs; hash both to fix the length.
        return bool(expected) and hmac.compare_digest(_digest(given), _digest(expected.encode()))

    async def submit(
        self, actor: Actor, client_key: str, command: Command, lang: str
    ) -> dict[str, Any]:
        """Queue a command; return its ack or error once the batch is stored."""
        done = self.replies.get((client_key, command.id))
        if done is not None:
            return done
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        await self.queue.put(_Request(actor, client_key, command, lang, fut))
        return await fut

    async def run(self) -> None:
        """The writer loop (runs until cancelled)."""
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            async with self._lock:
                await self._process(batch)

    async def _process(self, batch: list[_Request]) -> None:
        now = self.now()
        state, revision = self.state, self.revision
        changed: set[str] = set()
        entries: list[LogEntry] = []
        answers: list[tuple[_Request, dict[str, Any]]] = []
        attendees: set[str] = set()
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for req in batch:
            key = (req.client_key, req.command.id)
            if key in seen or key in self.replies:
                answers.append((req, seen.get(key) or self.replies[key]))
                continue
            ctx = Context(now=now, actor=req.actor, new_id=_new_id, limits=self.limits)
            try:
                out: Outcome = apply(state, req.command, ctx)
            except ProtocolError as exc:
                reply = error(exc.code, exc.message(req.lang), req.command.id)
                ok = False
            else:
                if out.changed:
                    revision += 1
                    state = out.state
                    changed |= out.changed
                    attendees |= _touched_attendees(state, out, req.actor)
                reply = {
                    "type": "ack",
                    "id": req.command.id,
                    "revision": revision,
                    "result": dict(out.result),
                }
                ok = True
            seen[key] = reply
            answers.append((req, reply))
            entries.append(
                LogEntry(
                    now,
                    req.actor.role,
                    req.client_key,
                    req.command.id,
                    req.command.name,
                    req.command.raw_args(),
                    ok,
                    reply,
                    revision,
                )
            )
        try:
            if entries:
                await asyncio.to_thread(self.store.commit, state, changed, entries, revision)
        except Exception:
            log.exception("could not store a batch of %d commands", len(batch))
            for req, _ in answers:
                if not req.future.done():
                    req.future.set_result(
                        error(
                            "storage_error",
                            error_message("storage_error", req.lang),
                            req.command.id,
                        )
                    )
            return
        self.replies.update(seen)
        if revision != self.revision:
            self.state, self.revision = state, revision
            self._signature = signature(state, now)
            self.hub.publish(state, now, revision, attendees)
        for req, reply in answers:
            if not req.future.done():
                req.future.set_result(reply)

    async def tick(self) -> None:
        """Once a second: expire messages, republish when the clock changed what is live."""
        async with self._lock:
            await self._tick()

    async def _tick(self) -> None:
        now = self.now()
        await self._reload_programme_if_changed(now)
        out = expire_messages(self.state, now)
        if out is not None:
            await self._commit_system(out, now)
        sig = signature(self.state, now)
        if sig != self._signature:
            self._signature = sig
            self.revision += 1
            await asyncio.to_thread(self.store.commit, self.state, (), (), self.revision)
            self.hub.publish(self.state, now, self.revision)
        self.hub.catch_up(self.state, now, self.revision)
        self.hub.publish_presence()

    async def _reload_programme_if_changed(self, now: datetime) -> None:
        """A programme imported into the database while serving replaces the live one."""
        stamp = await asyncio.to_thread(self.store.programme_stamp)
        if stamp == self._programme_stamp:
            return
        self._programme_stamp = stamp
        programme = await asyncio.to_thread(self.store.load_programme)
        if programme is None or programme == self.state.programme:
            return
        log.info("the stored programme changed: %d items", len(programme.items))
        self.state = replace(self.state, programme=programme)
        self.revision += 1
        await asyncio.to_thread(self.store.commit, self.state, (), (), self.revision)
        self._signature = signature(self.state, now)
        self.hub.publish(self.state, now, self.revision)

    def expected_times(self, now: datetime) -> dict[str, tuple[datetime, datetime]]:
        """Every item's expected start and end now (for the exports served over HTTP)."""
        times: dict[str, tuple[datetime, datetime]] = {}
        for room in self.state.programme.rooms:
            for slot in timeline(self.state, now, room.id).slots:
                times[slot.item.id] = (slot.expected_start, slot.expected_end)
        return times

    async def _commit_system(self, out: Outcome, now: datetime) -> None:
        revision = self.revision + 1
        await asyncio.to_thread(self.store.commit, out.state, out.changed, (), revision)
        self.state, self.revision = out.state, revision
        self._signature = signature(self.state, now)
        self.hub.publish(self.state, now, revision)


def _peer_ip(conn: ServerConnection) -> str:
    addr = conn.remote_address
    return str(addr[0]) if isinstance(addr, tuple) and addr else "?"


def _digest(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def _new_id() -> str:
    return secrets.token_hex(6)


def _touched_attendees(state: State, out: Outcome, actor: Actor) -> set[str]:
    """Attendees whose own questions or votes changed (they get a fresh ``mine``)."""
    touched = {actor.client_id} if actor.role == "attendee" else set()
    for key in out.changed:
        kind, _, ident = key.partition(":")
        if kind == "question" and ident in state.questions:
            touched.add(state.questions[ident].client_id)
    return touched


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

    def __init__(self, engine: Engine, ws: ServerConnection) -> None:
        self.engine = engine
        self.ws = ws
        self.limits = engine.limits
        self.errors = 0
        self.lang = "da"
        self.conn_key = f"conn:{secrets.token_hex(8)}"

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
        client_id = hello.client_id or secrets.token_hex(8)
        client = Client(self.ws, hello.role, hello.room, client_id, hello.lang)
        engine, hub = self.engine, self.engine.hub
        now = engine.now()
        welcome = {
            "type": "welcome",
            "protocol": PROTOCOL_VERSION,
            "role": hello.role,
            "revision": engine.revision,
            "server_time": now.isoformat(),
            "client_id": client_id,
            "limits": {
                "question_max_chars": self.limits.question_max_chars,
                "name_max_chars": self.limits.name_max_chars,
                "questions_per_minute": self.limits.questions_per_minute,
            },
        }
        # Welcome and snapshot are written and the client registered with no await in
        # between, so no publish can slip in ahead of them.
        hub.send_now(
            client, [encode(welcome), *hub.frames_for(client, engine.state, now, engine.revision)]
        )
        hub.register(client)
        actor = Actor(hello.role, client_id)
        key = f"{hello.role}:{client_id}" if hello.client_id else self.conn_key
        try:
            await self.serve(client, actor, key)
        except ConnectionClosed:
            pass
        finally:
            hub.unregister(client)

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
        if hello.role in TOKEN_ROLES and not self.engine.check_token(hello.role, hello.token):
            await asyncio.sleep(1.0)  # slows down guessing
            await self.send_error("bad_token")
            await self.close(CLOSE_POLICY, "bad token")
            return None
        return hello

    async def serve(self, client: Client, actor: Actor, client_key: str) -> None:
        bucket = _Bucket(self.limits.commands_per_second, self.limits.command_burst)
        async for frame in self.ws:
            command_id = None
            try:
                data = decode_frame(frame, self.limits)
                command_id = command_id_of(data)
                kind = data.get("type")
                if kind == "resync":
                    engine = self.engine
                    frames = engine.hub.frames_for(
                        client, engine.state, engine.now(), engine.revision
                    )
                    client.stale = False
                    engine.hub.send_now(client, frames)
                    continue
                if kind == "ping":
                    await self.ws.send(
                        encode({"type": "pong", "server_time": self.engine.now().isoformat()})
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
            reply = await self.engine.submit(actor, client_key, command, self.lang)
            await self.ws.send(encode(reply))
