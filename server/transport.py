"""The hub's connections made real: websockets' connections as peers, and their writer.

The only module besides the connection handler that knows websockets' connection
type. ``broadcast`` encodes a frame once and writes it to every connection without
waiting; a connection that is closing is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from websockets.asyncio.server import ServerConnection, broadcast

from server.hub import Peer


class WsPeer:
    """A websocket connection as the hub sees it."""

    __slots__ = ("ws",)

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws

    def buffered(self) -> int:
        transport = self.ws.transport
        return transport.get_write_buffer_size() if transport is not None else 0

    def abort(self) -> None:
        self.ws.transport.abort()


def ws_write(peers: Sequence[Peer], frame: str) -> None:
    """Write one frame to every peer (each a :class:`WsPeer`) without waiting."""
    broadcast([p.ws for p in peers if isinstance(p, WsPeer)], frame)
