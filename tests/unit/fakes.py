"""In-memory stand-ins for the server's I/O seams: peers for the hub."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from server.hub import Client, Peer


class FakePeer:
    """A connection that keeps every frame written to it, with a settable backlog."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.queued = 0
        self.aborted = False

    def buffered(self) -> int:
        return self.queued

    def abort(self) -> None:
        self.aborted = True

    def types(self) -> list[str]:
        return [f["type"] for f in self.frames]

    def take(self) -> list[dict[str, Any]]:
        """The frames so far, forgetting them."""
        out, self.frames = self.frames, []
        return out


def fake_write(peers: Sequence[Peer], frame: str) -> None:
    """The hub's writer for fake peers: each gets the decoded frame."""
    msg = json.loads(frame)
    for p in peers:
        assert isinstance(p, FakePeer)
        p.frames.append(msg)


def fake_client(role: str, client_id: str = "c1", room: str | None = None) -> Client:
    return Client(FakePeer(), role, room, client_id)


def peer(client: Client) -> FakePeer:
    assert isinstance(client.peer, FakePeer)
    return client.peer
