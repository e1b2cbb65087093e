"""The reconnecting connection every Podium client shares.

No Textual here: a :class:`Link` speaks the protocol (hello, snapshots, commands)
over ``websockets.asyncio.client`` and reports what happens through one callback,
so apps turn events into messages and tests can drive it directly.

- Reconnects by itself with a capped, jittered backoff (0.5 s doubling to 5 s). Given
  several servers (a cluster), it moves to the next one at once when its server goes
  away, and waits only after trying them all.
- Keeps the server's clock: ``server_now()`` advances the server's last known time
  with the local monotonic clock, so every screen agrees with the server.
- Commands carry a client-chosen id. One that is not answered when the connection
  drops is sent again after reconnecting; the server answers a resent id from its log,
  so nothing is done twice.
- A refused token is final (no retry loop); any other failure is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import secrets
import ssl as ssl_module
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from server import contract
from server.contract import CommandName, MessageType

log = logging.getLogger("podium.link")

BACKOFF_START = 0.5
BACKOFF_CAP = 5.0
#: At most one resync per this many seconds (the server's resync_interval_s is 2).
RESYNC_S = 2.0
_RESYNC = json.dumps({"type": MessageType.RESYNC.value})


@dataclass(frozen=True)
class Status:
    """The connection's state: ``connecting``, ``online``, ``reconnecting`` or ``failed``."""

    state: str
    detail: str = ""


@dataclass(frozen=True)
class Welcome:
    data: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    revision: int
    state: dict[str, Any]


@dataclass(frozen=True)
class Mine:
    data: dict[str, Any]


@dataclass(frozen=True)
class Presence:
    clients: dict[str, int]


@dataclass(frozen=True)
class Fatal:
    """The server refused us for good (a wrong token, a protocol mismatch)."""

    code: str
    message: str


@dataclass(frozen=True)
class Identity:
    """The server gave us a client id other than the one we asked for (keep it)."""

    client_id: str


Event = Status | Welcome | Snapshot | Mine | Presence | Fatal | Identity


def apply_patch(current: Any, patch: Any, role: str, live_item: str | None = None) -> Any:
    """Apply an update's ``patch`` of a list of objects with ids (``upsert``, ``remove``),
    kept in the order the server sends it (:func:`server.contract.question_order`, the
    questions to ``live_item`` first)."""
    if not isinstance(current, list) or not isinstance(patch, dict):
        return current
    upsert = [q for q in patch.get("upsert", ()) if isinstance(q, dict)]
    gone = {str(i) for i in patch.get("remove", ())} | {str(q.get("id")) for q in upsert}
    kept = [q for q in current if isinstance(q, dict) and str(q.get("id")) not in gone]
    return sorted([*kept, *upsert], key=lambda q: contract.question_order(role, q, live_item))


@dataclass
class _Pending:
    frame: str
    future: asyncio.Future[dict[str, Any]] = field(repr=False)


class Link:
    """One client's connection to the server; ``run()`` until ``stop()``."""

    def __init__(
        self,
        url: str,
        role: str,
        on_event: Callable[[Event], None],
        *,
        token: str | None = None,
        client_id: str | None = None,
        room: str | None = None,
        lang: str = "da",
        cafile: str | None = None,
        foyer: bool = False,
    ) -> None:
        # Several servers (a cluster on PostgreSQL): "ws://a:8765/ws,ws://b:8765/ws". The
        # link stays with the one that answers and moves on when it goes away.
        self.urls = [u.strip() for u in url.split(",") if u.strip()] or [url]
        self._at = 0
        self.url = self.urls[0]
        self.on_event = on_event
        self.role = role
        self.hello = contract.hello(
            role, lang=lang, token=token, client_id=client_id, room=room, foyer=foyer
        )
        # wss:// uses the system's certificates, or the given CA (a venue's own certificate).
        self.ssl: ssl_module.SSLContext | None = None
        if any(u.startswith("wss://") for u in self.urls):
            self.ssl = ssl_module.create_default_context(cafile=cafile)
        self.ws: ClientConnection | None = None
        self.revision = -1
        self.state: dict[str, Any] | None = None  # the last full state (updates merge into it)
        self.last_update: float | None = None  # monotonic time of the last message
        self.lost_at: float | None = None  # monotonic time the connection was lost
        self._offset = 0.0  # server time minus local time, in seconds
        self._again_now = False  # set_room(): reconnect without waiting
        self._tz: tzinfo = ZoneInfo("Europe/Copenhagen")
        self._pending: dict[str, _Pending] = {}
        self._last_resync = float("-inf")
        self._resync_later: asyncio.Future[None] | None = None
        self._stopped = False
        self.status = Status("connecting")
        # Holds the closing task while it runs (a task nobody refers to may be collected).
        self._closing: asyncio.Future[None] | None = None

    # --- time -------------------------------------------------------------------

    def server_now(self) -> datetime:
        """The server's time now, in the event's time zone."""
        return datetime.fromtimestamp(time.time() + self._offset, self._tz)

    def _sync_clock(self, iso: str | None) -> None:
        if not isinstance(iso, str):
            return
        with contextlib.suppress(ValueError):
            server = datetime.fromisoformat(iso)
            self._offset = server.timestamp() - time.time()
            if server.tzinfo is not None:
                self._tz = server.tzinfo

    def set_timezone(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self._tz = ZoneInfo(name)

    # --- commands ---------------------------------------------------------------

    async def command(
        self,
        name: CommandName,
        args: dict[str, Any] | None = None,
        cid: str | None = None,
        *,
        offline: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a command and wait for its ack or error.

        Args:
            offline: when not connected, keep the command and send it after reconnecting
                (an attendee's question). With False it fails at once with ``offline``
                (a moderator's "next" must not fire half a minute late).
            timeout: give up after this many seconds with ``timeout``; the command may
                still have been done (resending its id is harmless).
        """
        if not offline and self.status.state != "online":
            return dict(contract.error("offline", "", cid))
        cid = cid or secrets.token_hex(8)
        frame = json.dumps(contract.command(cid, name, args or {}), ensure_ascii=False)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[cid] = _Pending(frame, fut)
        if self.ws is not None and self.status.state == "online":
            with contextlib.suppress(ConnectionClosed):
                await self.ws.send(frame)
        try:
            if timeout is None:
                return await fut
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            return dict(contract.error("timeout", "", cid))
        finally:
            self._pending.pop(cid, None)

    def withdraw(self, cid: str) -> None:
        """Stop resending a command (its caller gave up on it)."""
        p = self._pending.pop(cid, None)
        if p and not p.future.done():
            p.future.cancel()

    def pending_ids(self) -> list[str]:
        return list(self._pending)

    # --- the loop ---------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        if isinstance(event, Status):
            self.status = event
        try:
            self.on_event(event)
        except Exception:  # a screen's bug must not kill the connection
            log.exception("event handler failed")

    def set_room(self, room: str) -> None:
        """Drive or show another room: the next hello names it, and the connection is made
        again at once (the other room's state is not this one's)."""
        self.hello["room"] = room
        self.state = None
        self.revision = -1
        self._again_now = True
        if self.ws is not None:
            self._closing = asyncio.ensure_future(self.ws.close())

    def stop(self) -> None:
        self._stopped = True
        if self.ws is not None:
            self._closing = asyncio.ensure_future(self.ws.close())

    async def run(self) -> None:
        """Connect, and reconnect, until stopped or refused for good."""
        backoff = BACKOFF_START
        tries = 0  # connections tried since the last one that worked
        while not self._stopped:
            self.url = self.urls[self._at]
            try:
                async with connect(
                    self.url,
                    proxy=None,
                    open_timeout=5,
                    ping_interval=5,
                    ping_timeout=5,
                    compression=None,
                    max_size=contract.MAX_FRAME_BYTES,
                    ssl=self.ssl,
                ) as ws:
                    self.ws = ws
                    tries = 0
                    if await self._session(ws):
                        return
                    backoff = BACKOFF_START
            except InvalidURI as exc:
                self._emit(Fatal("bad_url", str(exc)))
                return
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, ValueError) as exc:
                log.info("connection failed: %s", exc)
            finally:
                self.ws = None
            if self._stopped:
                return
            if self._again_now:  # a room switch, not a loss
                self._again_now = False
                continue
            if self.lost_at is None and self.last_update is not None:
                self.lost_at = time.monotonic()  # the picture is as old as the loss
            self._emit(Status("reconnecting"))
            # The next server at once; after trying them all, wait before the next round.
            self._at = (self._at + 1) % len(self.urls)
            tries += 1
            if tries % len(self.urls):
                continue
            await asyncio.sleep(backoff * (0.8 + 0.4 * random.random()))
            backoff = min(backoff * 2, BACKOFF_CAP)

    async def _session(self, ws: ClientConnection) -> bool:
        """One connection; True when the server refused us for good."""
        await ws.send(json.dumps(self.hello))
        async for frame in ws:
            try:
                msg = json.loads(frame)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            self.last_update = time.monotonic()
            kind = msg.get("type")
            if kind == MessageType.WELCOME:
                self.lost_at = None
                self._sync_clock(msg.get("server_time"))
                # The same identity on every later connection: a resent command is then
                # recognised by the server and never applied twice.
                # The server may give another one than we asked for (an attendee's id is
                # issued and signed by the server): from now on, that is who we are.
                given = msg.get("client_id")
                if isinstance(given, str) and given and given != self.hello.get("client_id"):
                    self.hello["client_id"] = given
                    self._emit(Identity(given))
                self._emit(Welcome(msg))
                self._emit(Status("online"))
                for waiting in list(self._pending.values()):  # resend what was not answered
                    await ws.send(waiting.frame)
            elif kind == MessageType.UPDATE and isinstance(msg.get("state"), dict):
                # Only the parts that changed since ``base``; any gap and we ask for it all.
                # One to a revision we already have (we joined while it was on its way to
                # the others) is old news.
                rev = msg.get("revision")
                if self.state is not None and isinstance(rev, int) and rev <= self.revision:
                    continue
                if self.state is None or msg.get("base") != self.revision:
                    await self._ask_resync(ws)
                    continue
                merged = {**self.state, **msg["state"]}
                patch = msg.get("patch")
                if isinstance(patch, dict):
                    current = merged.get("current")
                    live = current.get("id") if isinstance(current, dict) else None
                    for name, changes in patch.items():
                        merged[name] = apply_patch(merged.get(name), changes, self.role, live)
                self._take(merged, msg.get("revision"))
            elif kind == MessageType.SNAPSHOT and isinstance(msg.get("state"), dict):
                self._take(msg["state"], msg.get("revision"))
            elif kind == MessageType.MINE:
                self._emit(Mine(msg))
            elif kind == MessageType.PRESENCE and isinstance(msg.get("clients"), dict):
                self._emit(Presence(msg["clients"]))
            elif kind in (MessageType.ACK, MessageType.ERROR):
                cid = msg.get("id")
                p = self._pending.get(cid) if isinstance(cid, str) else None
                if p is not None and not p.future.done():
                    p.future.set_result(msg)
                elif (
                    kind == MessageType.ERROR
                    and cid is None  # an answer to the hello, not to a command
                    and msg.get("code") in contract.FATAL_ERRORS
                ):
                    self._emit(Fatal(str(msg.get("code")), str(msg.get("message", ""))))
                    return True
            elif kind == MessageType.PONG:
                self._sync_clock(msg.get("server_time"))
        return False

    async def _ask_resync(self, ws: ClientConnection) -> None:
        """Ask for the whole state, at most once per RESYNC_S (the server refuses more)."""
        wait = self._last_resync + RESYNC_S - time.monotonic()
        if wait > 0:
            if self._resync_later is None or self._resync_later.done():
                self._resync_later = asyncio.ensure_future(self._resync_after(wait))
            return
        self._last_resync = time.monotonic()
        with contextlib.suppress(ConnectionClosed):
            await ws.send(_RESYNC)

    async def _resync_after(self, wait: float) -> None:
        await asyncio.sleep(wait)
        if self.ws is not None:
            await self._ask_resync(self.ws)

    def _take(self, state: dict[str, Any], revision: Any) -> None:
        self.state = state
        self._sync_clock(state.get("clock"))
        event = state.get("event")
        tz = event.get("timezone") if isinstance(event, dict) else None
        if isinstance(tz, str):
            self.set_timezone(tz)
        self.revision = revision if isinstance(revision, int) else self.revision
        self._emit(Snapshot(self.revision, state))

    def seconds_offline(self) -> float | None:
        """How long the connection has been lost (None while online or never connected)."""
        return None if self.lost_at is None else time.monotonic() - self.lost_at
