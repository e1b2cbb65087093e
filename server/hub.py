"""The hub: the connected clients by role and room, and the fan-out to them.

The one place that decides what each client is sent. Clients with the same role and
room form a group; on every publish the hub builds each group's view once, compares it
with the view that group was last sent, and sends nothing (the change is invisible to
that role), an ``update`` with only the keys that changed, or (for a new group) the
whole snapshot. One encode per group and publish.

No websockets here: a client's connection is a :class:`Peer` (how much is queued,
abort) and frames go out through a :data:`Writer` (``server.transport`` gives the real
ones, a non-blocking ``broadcast``; unit tests give fakes). A client whose send buffer
is over the soft limit misses updates (it is marked stale and gets the latest snapshot
once it has drained); over the hard limit it is closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from server.contract import MAX_FRAME_BYTES, ROLES
from server.protocol import encode
from server.state import State
from server.views import own_questions, role_view

log = logging.getLogger("podium.hub")

SOFT_BUFFER = 256 * 1024
#: Attendees get changes at most this often (seconds); screens get every change at once.
COALESCE_S = 0.05
#: Over this a client is dropped: room for a whole snapshot of the largest size a client
#: accepts and what was queued before it.
HARD_BUFFER = 2 * MAX_FRAME_BYTES


class Peer(Protocol):
    """What the hub needs of a client's connection."""

    def buffered(self) -> int:
        """Bytes written but not yet sent."""
        ...

    def abort(self) -> None:
        """Drop the connection at once (a client that does not read)."""
        ...


#: Writes one frame to several peers without waiting.
Writer = Callable[[Sequence[Peer], str], None]


@dataclass(eq=False)
class Client:
    """One connected client after its hello."""

    peer: Peer
    role: str
    room: str | None
    client_id: str
    lang: str = "da"
    stale: bool = field(default=False)

    def buffered(self) -> int:
        return self.peer.buffered()


class Publisher(Protocol):
    """What the sequencer needs of the fan-out (the hub; across processes, a relay to it)."""

    def join(
        self, client: Client, frames: list[str], state: State, now: datetime, revision: int
    ) -> None:
        """Send a new client its first frames and its snapshot, then count it in."""
        ...

    def leave(self, client: Client) -> None: ...

    def publish(
        self, state: State, now: datetime, revision: int, attendees: Iterable[str] = ()
    ) -> None: ...

    def publish_all_mine(self, state: State, revision: int) -> None: ...

    def resync(self, client: Client, state: State, now: datetime, revision: int) -> None: ...

    def catch_up(self, state: State, now: datetime, revision: int) -> None: ...

    def publish_presence(self) -> None: ...

    def counts(self, room: str | None = None) -> dict[str, int]: ...


_TIMING = ("elapsed_s", "remaining_s", "overrun_s")
#: The order groups are sent to: what the room sees first.
_ORDER = {"hall": 0, "stage": 1, "moderator": 2, "attendee": 3}
#: Stands in for the clock in a cached snapshot; each client's frame gets the time now.
_CLOCK = "\u2063podium-clock\u2063"


def _comparable(view: dict[str, Any]) -> dict[str, Any]:
    """The view without what only the clock changes (clients count time themselves)."""
    out = {k: v for k, v in view.items() if k != "clock"}
    current = out.get("current")
    if isinstance(current, dict):
        out["current"] = {k: v for k, v in current.items() if k not in _TIMING}
    return out


def snapshot_message(
    state: State, now: datetime, revision: int, role: str, room: str | None, queue_window: int = 300
) -> dict[str, Any]:
    view = role_view(state, now, role, room, queue_window)
    return {"type": "snapshot", "revision": revision, "state": view}


#: Keys sent as a patch (only the entries that changed) instead of whole.
_PATCHED = ("questions",)


def _patch(old: Any, new: Any) -> dict[str, Any] | None:
    """What turns the list ``old`` into ``new`` (both lists of objects with an ``id``):
    the entries added or changed, and the ids removed. None when they are not such lists."""
    if not isinstance(old, list) or not isinstance(new, list):
        return None
    before = {q.get("id"): q for q in old if isinstance(q, dict)}
    after = {q.get("id"): q for q in new if isinstance(q, dict)}
    if len(before) != len(old) or len(after) != len(new):
        return None
    return {
        "upsert": [q for qid, q in after.items() if before.get(qid) != q],
        "remove": sorted(str(qid) for qid in before.keys() - after.keys()),
    }


def mine_message(state: State, revision: int, client_id: str) -> dict[str, Any]:
    return {"type": "mine", "revision": revision, **own_questions(state, client_id)}


class Hub:
    """Owns the connected clients; publishes each new revision to them."""

    def __init__(self, write: Writer, queue_window: int = 300) -> None:
        self._write = write
        self._window = queue_window  # the moderator's queue: see views.moderator_questions
        # The clients by (role, room), kept as they join and leave: a publish walks groups.
        self._groups: dict[tuple[str, str | None], dict[Client, None]] = {}
        # The last view published to each (role, room), without the clock: a change that a
        # role cannot see is not sent to it at all.
        self._last_view: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._last_rev: dict[tuple[str, str | None], int] = {}
        self._attendees_sent = float("-inf")  # loop time of the last send to attendees
        self._attendee_timer: asyncio.TimerHandle | None = None
        self._attendee_latest: tuple[State, datetime, int] | None = None
        self._presence_sent: dict[str | None, dict[str, int]] = {}  # by room
        # (role, room) -> (stamp, frame before the clock, frame after it, view, revision)
        self._snapshots: dict[
            tuple[str, str | None], tuple[tuple[int, int, int], str, str, dict[str, Any], int]
        ] = {}

    @property
    def clients(self) -> set[Client]:
        """Every connected client (after its hello)."""
        return {c for group in self._groups.values() for c in group}

    def _of_role(self, role: str) -> list[Client]:
        return [c for (r, _), group in self._groups.items() if r == role for c in group]

    def counts(self, room: str | None = None) -> dict[str, int]:
        """Connected clients per role: in ``room``, or in all rooms."""
        c: Counter[str] = Counter()
        for (role, in_room), group in self._groups.items():
            if room is None or in_room == room:
                c[role] += len(group)
        return {role: c.get(role, 0) for role in ROLES}

    def join(
        self, client: Client, frames: list[str], state: State, now: datetime, revision: int
    ) -> None:
        """Send ``frames`` (the welcome) and the snapshot, and count the client in.

        No await in between: no publish can slip in ahead of its snapshot. An attendee that
        joins while its group's coalesced update waits gets that update sent to the group
        first: its snapshot is then the group's revision, and the group's next update fits.
        """
        if client.role == "attendee" and self._attendee_timer is not None:
            self._attendee_timer.cancel()
            self._flush_attendees()
        self.send_now(client, [*frames, *self.frames_for(client, state, now, revision)])
        self._groups.setdefault((client.role, client.room), {})[client] = None

    def leave(self, client: Client) -> None:
        key = (client.role, client.room)
        group = self._groups.get(key)
        if group is not None:
            group.pop(client, None)
            if not group:
                del self._groups[key]
                if client.role == "moderator":  # the next one there is told afresh
                    self._presence_sent.pop(client.room, None)

    def frames_for(self, client: Client, state: State, now: datetime, revision: int) -> list[str]:
        """The snapshot (and for an attendee its own questions) for one client."""
        key = (client.role, client.room)
        frames = [self._snapshot_frame(key, state, now, revision)]
        if client.role == "attendee":
            frames.append(encode(mine_message(state, revision, client.client_id)))
        if client.role == "moderator":  # who is in the moderator's room, herself included
            counts = self.counts(client.room)
            if client not in self._groups.get(key, {}):
                counts["moderator"] += 1  # joining: counted in right after this
            frames.append(encode({"type": "presence", "clients": counts}))
        return frames

    def _snapshot_frame(
        self, key: tuple[str, str | None], state: State, now: datetime, revision: int
    ) -> str:
        """One group's snapshot, encoded once per revision and second (a thousand phones
        reconnecting at once cost one view, not a thousand); only the clock is fresh."""
        stamp = (id(state), revision, int(now.timestamp()))
        cached = self._snapshots.get(key)
        if cached is None or cached[0] != stamp:
            message = snapshot_message(state, now, revision, *key, self._window)
            same = _comparable(message["state"])
            last = self._last_view.get(key)
            if last is not None and last == same:
                # What this role sees is what its group last got: say so with the group's
                # revision, so that the group's next update applies to this client as well.
                message["revision"] = self._last_rev[key]
            message["state"]["clock"] = _CLOCK
            prefix, suffix = encode(message).split(f'"{_CLOCK}"', 1)
            cached = (stamp, prefix, suffix, same, message["revision"])
            self._snapshots[key] = cached
        _, prefix, suffix, same, sent_revision = cached
        if key not in self._last_view:
            # The first of its group: what it was sent is the group's last view, so the
            # group's next change is a small update, not every member's whole snapshot.
            self._last_view[key] = same
            self._last_rev[key] = sent_revision
        # Otherwise not recorded as the group's last view: the others may still hold an
        # older one (the clock can change what is live a moment before the tick publishes
        # it); this client resyncs when the group's next update does not fit its revision.
        return f"{prefix}{json.dumps(now.isoformat())}{suffix}"

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
            self._write([client.peer], frame)

    def publish(
        self, state: State, now: datetime, revision: int, attendees: Iterable[str] = ()
    ) -> None:
        """Send the new revision to every client; ``attendees`` also get their own questions.

        The screens get it at once. The (many) attendees get it at once too, unless they
        were sent something less than :data:`COALESCE_S` ago: then they get the latest
        state when that time is up, so a storm of votes is not a storm of frames.
        """
        self._send(state, now, revision, attendees=False)
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
            for client in self._of_role("attendee"):
                if client.client_id in wanted and not client.stale:
                    self._write(
                        [client.peer], encode(mine_message(state, revision, client.client_id))
                    )

    def _flush_attendees(self) -> None:
        self._attendee_timer = None
        if self._attendee_latest is not None:
            self._flush_attendees_now(*self._attendee_latest)

    def _flush_attendees_now(self, state: State, now: datetime, revision: int) -> None:
        self._attendee_latest = None
        self._attendees_sent = asyncio.get_running_loop().time()
        self._send(state, now, revision, attendees=True)

    def _ready(self, members: Iterable[Client]) -> list[Peer]:
        """The peers of a group that keep up (the others are marked stale, or dropped)."""
        peers = []
        for client in members:
            if client.stale:
                continue
            if client.peer.buffered() > SOFT_BUFFER:
                self._check_buffer(client)
                continue
            peers.append(client.peer)
        return peers

    def _send(self, state: State, now: datetime, revision: int, *, attendees: bool) -> None:
        # The screens first, the hall before the moderator: the room sees it soonest.
        keys = sorted(
            (k for k in self._groups if (k[0] == "attendee") == attendees),
            key=lambda k: _ORDER.get(k[0], len(_ORDER)),
        )
        for key in keys:
            peers = self._ready(self._groups[key])
            if not peers:  # nobody in that group can take it now
                self._last_view.pop(key, None)
                self._last_rev.pop(key, None)
                continue
            message = snapshot_message(state, now, revision, *key, self._window)
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
                # A vote on one of 300 questions sends that question, not all 300.
                patch = {}
                for name in _PATCHED:
                    if name in changed and (p := _patch(last.get(name), changed[name])):
                        patch[name] = p
                        del changed[name]
                if patch:
                    message["patch"] = patch
            self._last_view[key] = same
            self._last_rev[key] = revision
            self._write(peers, encode(message))
        for key in [
            k for k in self._last_view if (k[0] == "attendee") == attendees and k not in keys
        ]:
            del self._last_view[key], self._last_rev[key]  # nobody left in that group

    def publish_all_mine(self, state: State, revision: int) -> None:
        """Every attendee's own questions again (after a rollback)."""
        for client in self._of_role("attendee"):
            if not client.stale:
                self._write([client.peer], encode(mine_message(state, revision, client.client_id)))

    def _check_buffer(self, client: Client) -> bool:
        size = client.buffered()
        if size > HARD_BUFFER:
            log.warning(
                "closing a %s client that does not read (%d bytes queued)", client.role, size
            )
            client.peer.abort()
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
        """Tell each room's moderators how many clients of each role are in their room, if
        it changed (a room's presence is not another room's business)."""
        for (role, room), group in list(self._groups.items()):
            if role != "moderator":
                continue
            counts = self.counts(room)
            if self._presence_sent.get(room) == counts:
                continue
            self._presence_sent[room] = counts
            mods = [c.peer for c in group if not c.stale]
            if mods:
                self._write(mods, encode({"type": "presence", "clients": counts}))
