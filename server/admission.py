"""Who may connect, and who may take a role: connection limits and tokens.

Before a websocket exists: the opening handshake is refused over the limits (503 in
all, 429 per address). After the hello: a role that needs a token must give the right
one (compared in constant time). The sequencer knows nothing of either.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server.protocol import Limits

log = logging.getLogger("podium.server")


class Gate:
    """Counts open connections (in all and per address) and checks tokens."""

    def __init__(self, limits: Limits, tokens: dict[str, str]) -> None:
        self.limits = limits
        self.tokens = tokens
        self.open_connections = 0
        self.per_ip: dict[str, int] = {}
        self._admitted: set[int] = set()

    def admit(self, conn: ServerConnection, request: Request) -> Response | None:
        """Refuse an opening handshake over the connection limits (503, or 429 per address)."""
        ip = peer_ip(conn)
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
        # Given back on every path: a handshake that fails after this (no Upgrade, a bad
        # version, a missing key, a socket closed mid-way) never reaches the handler, but
        # its TCP connection always ends.
        conn.connection_lost_waiter.add_done_callback(lambda _: self.release(conn))
        return None

    def release(self, conn: ServerConnection) -> None:
        if id(conn) not in self._admitted:
            return
        self._admitted.discard(id(conn))
        ip = peer_ip(conn)
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


def peer_ip(conn: ServerConnection) -> str:
    addr = conn.remote_address
    return str(addr[0]) if isinstance(addr, tuple) and addr else "?"


def _digest(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()
