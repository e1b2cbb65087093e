"""The hub: the connected clients by role and room, and the fan-out to them.

One encode per (role, room) and publish; the frames go out with
``websockets.asyncio.server.broadcast``, which writes without waiting. A client
whose send buffer is over the soft limit misses updates (it is marked stale and
gets the latest snapshot once it has drained); over the hard limit it is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast

from server.contract import ROLES
from server.protocol import encode
from server.state import State
from server.views import own_questions, role_view

log = logging.getLogger("podium.hub")

SOFT_BUFFER = 256 * 1024
#: Attendees get changes at most this often (seconds); screens get every change at once.
COALESCE_S = 0.05
HARD_BUFFER = 4 * 1024 * 1024


@dataclass(eq=False)
class Client:
    """One connected client after its hello."""

    ws: ServerConnection
    role: str
    room: str | None
    client_id: str
    lang: str = "da"
    stale: bool = field(default=False)

    def buffered(self) -> int:
        transport = self.ws.transport
        return transport.get_write_buffer_size() if transport is not None else 0


_TIMING = ("elapsed_s", "remaining_s", "overrun_s")


def _comparable(view: dict[str, Any]) -> dict[str, Any]:
    """The view without what only the clock changes (clients count time themselves)."""
    out = {k: v for k, v in view.items() if k != "clock"}
    current = out.get("current")
    if isinstance(current, dict):
        out["current"] = {k: v for k, v in current.items() if k not in _TIMING}
    return out


def snapshot_message(
    state: State, now: datetime, revision: int, role: str, room: str | None
) -> dict[str, Any]:
    return {"type": "snapshot", "revision": revision, "state": role_view(state, now, role, room)}


def mine_message(state: State, revision: int, client_id: str) -> dict[str, Any]:
    return {"type": "mine", "revision": revision, **own_questions(state, client_id)}


class Hub:
    """Owns the connected clients; publishes each new revision to them."""

    def __init__(self) -> None:
        self.clients: set[Client] = set()
        # The last view published to each (role, room), without the clock: a change that a
        # role cannot see is not sent to it at all.
        self._last_view: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._last_rev: dict[tuple[str, str | None], int] = {}
        self._attendees_sent = float("-inf")  # loop time of the last send to attendees
        self._attendee_timer: asyncio.TimerHandle | None = None
        self._attendee_latest: tuple[State, datetime, int] | None = None
        self._presence_sent: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        c = Counter(cl.role for cl in self.clients)
        return {role: c.get(role, 0) for role in ROLES}

    def register(self, client: Client) -> None:
        self.clients.add(client)

    def unregister(self, client: Client) -> None:
        self.clients.discard(client)

    def frames_for(self, client: Client, state: State, now: datetime, revision: int) -> list[str]:
        """The snapshot (and for an attendee its own questions) for one client."""
        key = (client.role, client.room)
        message = snapshot_message(state, now, revision, *key)
        if self._last_view.get(key) == _comparable(message["state"]):
            # What this role sees is what its group last got: say so with the group's
            # revision, so that the group's next update applies to this client as well.
            message["revision"] = self._last_rev[key]
        # Not recorded as the group's last view: the others may still hold an older one
        # (the clock can change what is live a moment before the tick publishes it).
        frames = [encode(message)]
        if client.role == "attendee":
            frames.append(encode(mine_message(state, revision, client.client_id)))
        if client.role == "moderator":
            frames.append(encode({"type": "presence", "clients": self.counts()}))
        return frames

    def resync(self, client: Client, state: State, now: datetime, revision: int) -> None:
        """A client asked for the whole state: now, or once it has read what it was sent."""
        if self._check_buffer(client) or (client.stale and client.buffered() <= SOFT_BUFFER):
            client.stale = False
            self.send_now(client, self.frames_for(client, state, now, revision))
        else:
            client.stale = True  # catch_up sends it when the buffer has drained

    def send_now(self, client: Client, frames: Iterable[str]) -> None:
        """Write frames to one client without waiting (in order, before anything later)."""
        for frame in frames:
            broadcast([client.ws], frame)

    def publish(
        self, state: State, now: datetime, revision: int, attendees: Iterable[str] = ()
    ) -> None:
        """Send the new revision to every client; ``attendees`` also get their own questions.

        The screens get it at once. The (many) attendees get it at once too, unless they
        were sent something less than :data:`COALESCE_S` ago: then they get the latest
        state when that time is up, so a storm of votes is not a storm of frames.
        """
        self._send(state, now, revision, lambda role: role != "attendee")
        loop = asyncio.get_running_loop()
        wait = self._attendees_sent + COALESCE_S - loop.time()
        if self._attendee_timer is not None:
            self._attendee_latest = (state, now, revision)
        elif wait <= 0:
            self._flush_attendees_now(state, now, revision)
        else:
            self._attendee_latest = (state, now, revision)
            self._attendee_timer = loop.call_later(wait, self._flush_attendees)
        wanted = set(attendees)
        if wanted:
            for client in self.clients:
                if client.role == "attendee" and client.client_id in wanted and not client.stale:
                    broadcast([client.ws], encode(mine_message(state, revision, client.client_id)))

    def _flush_attendees(self) -> None:
        self._attendee_timer = None
        if self._attendee_latest is not None:
            self._flush_attendees_now(*self._attendee_latest)

    def _flush_attendees_now(self, state: State, now: datetime, revision: int) -> None:
        self._attendee_latest = None
        self._attendees_sent = asyncio.get_running_loop().time()
        self._send(state, now, revision, lambda role: role == "attendee")

    def _send(
        self, state: State, now: datetime, revision: int, roles: Callable[[str], bool]
    ) -> None:
        groups: dict[tuple[str, str | None], list[Client]] = {}
        for client in self.clients:
            if roles(client.role) and self._check_buffer(client):
                groups.setdefault((client.role, client.room), []).append(client)
        for key in [k for k in self._last_view if roles(k[0]) and k not in groups]:
            del self._last_view[key], self._last_rev[key]  # nobody left in that group
        for key, members in groups.items():
            message = snapshot_message(state, now, revision, *key)
            view = message["state"]
            same = _comparable(view)
            last = self._last_view.get(key)
            if last == same:
                continue  # nothing this role sees has changed (a pending question, a note, …)
            if last is not None:
                # Only what changed since the group's last revision: a vote is a few hundred
                # bytes, not the whole programme again.
                changed = {k: view[k] for k in view if k == "clock" or same.get(k) != last.get(k)}
                message = {
                    "type": "update",
                    "revision": revision,
                    "base": self._last_rev[key],
                    "state": changed,
                }
            self._last_view[key] = same
            self._last_rev[key] = revision
            broadcast([c.ws for c in members], encode(message))

    def publish_all_mine(self, state: State, revision: int) -> None:
        """Every attendee's own questions again (after a rollback)."""
        for client in self.clients:
            if client.role == "attendee" and not client.stale:
                broadcast([client.ws], encode(mine_message(state, revision, client.client_id)))

    def _check_buffer(self, client: Client) -> bool:
        size = client.buffered()
        if size > HARD_BUFFER:
            log.warning(
                "closing a %s client that does not read (%d bytes queued)", client.role, size
            )
            client.ws.transport.abort()
            return False
        if size > SOFT_BUFFER:
            client.stale = True
            return False
        return not client.stale

    def catch_up(self, state: State, now: datetime, revision: int) -> None:
        """Send the latest snapshot to stale clients that have drained their buffer."""
        for client in list(self.clients):
            if client.stale and client.buffered() <= SOFT_BUFFER // 4:
                client.stale = False
                self.send_now(client, self.frames_for(client, state, now, revision))
            elif client.stale:
                self._check_buffer(client)

    def publish_presence(self) -> None:
        """Tell the moderators how many clients of each role are connected, if it changed."""
        counts = self.counts()
        if counts == self._presence_sent:
            return
        self._presence_sent = counts
        mods = [c.ws for c in self.clients if c.role == "moderator" and not c.stale]
        if mods:
            broadcast(mods, encode({"type": "presence", "clients": counts}))

    def each(self, pred: Callable[[Client], bool]) -> list[Client]:
        return [c for c in self.clients if pred(c)]
