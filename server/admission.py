"""Who may connect, and who may take a role: connection limits, client ids and tokens.

Before a websocket exists: a TCP connection is counted as soon as it is accepted, and
refused over the limits (503 in all, 429 per address). At the hello: the client id is the
one this server issued (signed) or a new one; a role that needs a token must give the
right one (checked against its stored hash, one check at a time per address). The
sequencer knows nothing of any of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection

from server.protocol import Limits
from server.tokens import verify

log = logging.getLogger("podium.server")

#: How long a wrong token holds its address (no fast guessing, however many connections).
WRONG_TOKEN_DELAY_S = 1.0


class Gate:
    """Counts open connections (in all and per address) and checks tokens."""

    def __init__(self, limits: Limits, tokens: dict[str, str], id_key: bytes = b"") -> None:
        self.limits = limits
        self.tokens = tokens
        self._id_key = id_key or secrets.token_bytes(32)
        self._guards: dict[str, _Guard] = {}  # address -> one token check at a time
        self._wrong: dict[str, list[float]] = {}  # address -> times of its wrong tokens
        self.open_connections = 0
        self.per_ip: dict[str, int] = {}
        self._admitted: set[int] = set()
        self.refused = 0  # connections refused over the limits

    def opened(self, conn: ServerConnection) -> bytes | None:
        """Count a TCP connection the moment it is accepted, before it sends anything (a
        socket that never sends a request holds a descriptor too). Over the limits: the
        HTTP answer to write before closing it (503 in all, 429 per address)."""
        ip = peer_ip(conn)
        if self.open_connections >= self.limits.max_connections:
            self._refused(f"{self.open_connections} open in all")
            return _refusal(HTTPStatus.SERVICE_UNAVAILABLE, "Podium: too many connections\n")
        if self.per_ip.get(ip, 0) >= self.limits.max_connections_per_ip:
            self._refused(f"{self.per_ip[ip]} open from {ip}")
            return _refusal(
                HTTPStatus.TOO_MANY_REQUESTS, "Podium: too many connections from your address\n"
            )
        self.open_connections += 1
        self.per_ip[ip] = self.per_ip.get(ip, 0) + 1
        self._admitted.add(id(conn))
        # Given back on every path: a handshake that fails (no Upgrade, a bad version, a
        # missing key, a socket closed mid-way, one that never sends a request and times
        # out) never reaches the handler, but its TCP connection always ends.
        conn.connection_lost_waiter.add_done_callback(lambda _: self.release(conn))
        return None

    def _refused(self, why: str) -> None:
        self.refused += 1
        log.warning("refusing a connection: %s", why)

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

    async def moderator_scope(self, token: str | None, room: str, address: str) -> str | None:
        """What a moderator's token drives: "*" (every room: the moderator token), the
        room (its own room token, for a hello naming that room), "!ROOM" (a room token for
        another room than the hello's), or None (a wrong token). Checked as ``try_token``
        checks: one at a time per address, a wrong one holding the address a second."""

        def which() -> str | None:
            if verify(token, self.tokens.get("moderator")):
                return "*"
            if verify(token, self.tokens.get(f"moderator:{room}")):
                return room
            others = (
                (key, stored)
                for key, stored in self.tokens.items()
                if key.startswith("moderator:") and key != f"moderator:{room}"
            )
            for key, stored in others:
                if verify(token, stored):
                    return "!" + key.split(":", 1)[1]
            return None

        return await self._guarded("moderator", which, address)

    async def try_token(self, role: str, token: str | None, address: str) -> bool:
        """Check a hello's token. One check at a time per address, and a wrong one holds
        that address for a second: guessing from one address is one guess a second however
        many connections it opens. Wrong tokens are logged (never the token)."""

        def right() -> str | None:
            return "*" if self.check_token(role, token) else None

        return await self._guarded(role, right, address) is not None

    async def _guarded(
        self, role: str, check: Callable[[], str | None], address: str
    ) -> str | None:
        """Run ``check`` (in a worker thread: each hash is about 40 ms) under the address's
        guard; a None answer is a wrong token: logged and held for a second."""
        guard = self._guards.setdefault(address, _Guard())
        guard.users += 1
        try:
            async with guard.lock:
                answer = await asyncio.to_thread(check)
                if answer is not None:
                    return answer
                now = time.monotonic()
                recent = [t for t in self._wrong.get(address, []) if t > now - 600] + [now]
                self._wrong[address] = recent[-100:]
                if len(self._wrong) > 10_000:  # many addresses: forget the quiet ones
                    self._wrong = {a: ts for a, ts in self._wrong.items() if ts[-1] > now - 600}
                log.warning(
                    "wrong %s token from %s (%d in the last 10 minutes)", role, address, len(recent)
                )
                await asyncio.sleep(WRONG_TOKEN_DELAY_S)
                return None
        finally:
            guard.users -= 1
            if not guard.users:
                del self._guards[address]

    def check_token(self, role: str, token: str | None) -> bool:
        """Whether ``token`` is the role's (against its stored hash: about 40 ms, so call it
        from a worker thread)."""
        return verify(token, self.tokens.get(role))

    # --- client ids ---------------------------------------------------------------

    def client_id(self, role: str, asked: str | None) -> str:
        """The id a client is known by: the one it asked for if this server issued it (it
        carries the server's signature), else a new one. A client cannot make up ids, so a
        thousand votes take a thousand connections, each counted against its address."""
        if asked and hmac.compare_digest(asked, self._sign(asked.rsplit("-", 1)[0])):
            return asked
        return self._sign(f"{role[:3]}-{secrets.token_hex(8)}")

    def _sign(self, stem: str) -> str:
        mac = hmac.new(self._id_key, stem.encode(), hashlib.sha256).hexdigest()[:16]
        return f"{stem}-{mac}"


def _refusal(status: HTTPStatus, text: str) -> bytes:
    body = text.encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def counted(gate: Gate) -> type[ServerConnection]:
    """The websocket server's connection class: each is counted by ``gate`` as soon as it
    is accepted, and one over the limits is answered and closed at once."""

    class Counted(ServerConnection):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            refusal = gate.opened(self)
            if refusal is not None:
                assert isinstance(transport, asyncio.Transport)
                transport.write(refusal)
                transport.close()

    return Counted


class _Guard:
    """One address's token checks, one at a time; forgotten when nobody waits."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


def peer_ip(conn: ServerConnection) -> str:
    addr = conn.remote_address
    return str(addr[0]) if isinstance(addr, tuple) and addr else "?"
