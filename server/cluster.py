"""Several ``podium serve`` processes on one PostgreSQL database.

PostgreSQL is the one source of order, and nothing else is: no consensus of our own, no
broker.

- **Order.** Each process applies its commands inside a transaction that holds the
  revision row (``Store.locked``): the row lock queues the processes, so the commands of
  all of them get one global order of revisions. Inside it, the process first reads what
  the others committed since its own revision, then applies, writes and commits.
- **News.** A commit names the records it changed (``podium_change``) and sends a NOTIFY
  on the database's channel; every process LISTENs, reads those records and publishes the
  new revision to its own clients. A poll once a second catches what a dropped listening
  connection missed.
- **One clock, one ticker.** Every process reads PostgreSQL's clock (its offset from the
  local one, measured with the round trip) and, in a rehearsal, the same stored start.
  The changes the clock makes (an announcement expires, the next item goes live) are
  written by one process only: the holder of a session advisory lock, which PostgreSQL
  releases when that process or its connection dies, so another takes over within a tick.
- **Losing the database.** A process that cannot reach PostgreSQL refuses commands
  (``storage_error``) at once and, after :data:`LOST_AFTER_S`, closes its clients' connections
  so that they move to another process; /healthz says 503 meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg

log = logging.getLogger("podium.cluster")

#: A process that has not reached the database for this long sends its clients away.
LOST_AFTER_S = 5.0
#: How often the clock's offset from PostgreSQL's is measured again.
CLOCK_EVERY_S = 30.0


def libpq_url(sqlalchemy_url: str) -> str:
    """The database URL as psycopg takes it (without SQLAlchemy's ``+psycopg``)."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


class Cluster:
    """This process's part in the cluster: the channel it listens on, whether it holds the
    ticker's lock, the offset of PostgreSQL's clock, and whether the database answers."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = libpq_url(url)
        self.channel = channel
        self.lock_key = int.from_bytes(hashlib.sha256(channel.encode()).digest()[:8], "big") >> 1
        self.leader = False
        self.offset_s = 0.0  # PostgreSQL's clock minus ours
        self.offset_bound_s = 0.0  # half the round trip of the last measurement
        self._last_ok = time.monotonic()
        self._lost = False
        self.on_news: Callable[[], None] = lambda: None
        self.on_lost: Callable[[], None] = lambda: None

    # --- health -------------------------------------------------------------------

    def ok(self) -> None:
        """The database answered."""
        self._last_ok = time.monotonic()
        if self._lost:
            log.warning("the database answers again")
        self._lost = False

    @property
    def healthy(self) -> bool:
        return time.monotonic() - self._last_ok < LOST_AFTER_S

    def check(self) -> None:
        """Once a tick: after :data:`LOST_AFTER_S` without the database, send clients away."""
        if not self.healthy and not self._lost:
            self._lost = True
            log.error(
                "no answer from the database for %.0f s: sending clients to another server",
                LOST_AFTER_S,
            )
            self.on_lost()

    # --- listening, the ticker's lock, the clock -------------------------------------

    async def run(self) -> None:
        """Listen for news and hold (or try for) the ticker's lock; reconnect when the
        connection drops. Runs until cancelled."""
        backoff = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=5
                ) as conn:
                    await conn.execute(f'LISTEN "{self.channel}"')
                    await self._measure_clock(conn)
                    self.ok()
                    self.on_news()  # whatever was missed while not listening
                    backoff = 0.5
                    await self._listen(conn)
            except (psycopg.Error, OSError) as exc:
                if self.leader:
                    log.warning("lost the ticker's lock with the connection: %s", exc)
                self.leader = False
                log.warning("listening connection to the database failed: %s", exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        clock_due = time.monotonic() + CLOCK_EVERY_S
        check_due = time.monotonic()
        while True:
            wait = max(0.05, check_due - time.monotonic())
            async for _ in conn.notifies(timeout=wait):
                self.on_news()
                if time.monotonic() >= check_due:
                    break
            if time.monotonic() < check_due:
                continue
            # Once a second, busy or not: the connection still answers? Hold or take the
            # ticker's lock (a process that died freed it).
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_key,))
            row = await cur.fetchone()
            held = bool(row and row[0])
            if held and not self.leader:
                log.info("this process runs the clock's changes (ticker lock taken)")
            self.leader = held
            self.ok()
            check_due = time.monotonic() + 1.0
            if time.monotonic() >= clock_due:
                await self._measure_clock(conn)
                clock_due = time.monotonic() + CLOCK_EVERY_S

    async def _measure_clock(self, conn: psycopg.AsyncConnection[Any]) -> None:
        t0 = time.time()
        cur = await conn.execute("SELECT extract(epoch FROM clock_timestamp())")
        row = await cur.fetchone()
        t1 = time.time()
        if row is not None:
            self.offset_s = float(row[0]) - (t0 + t1) / 2
            self.offset_bound_s = (t1 - t0) / 2


class Wakeup:
    """Coalesces requests for a catch-up: any number of them while one runs make one more."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._done = asyncio.Condition()
        self.rounds = 0
        self.running = False

    def request(self) -> None:
        self._event.set()

    async def wait_round(self) -> None:
        """Ask for a catch-up and wait until one that began after the asking has ended."""
        async with self._done:
            # A round already running began before this request: wait for the one after.
            target = self.rounds + (2 if self.running else 1)
            self.request()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await self._done.wait_for(lambda: self.rounds >= target)

    async def serve(self, work: Callable[[], Any]) -> None:
        """Run ``work`` (a coroutine function) whenever asked; runs until cancelled."""
        while True:
            await self._event.wait()
            self._event.clear()
            self.running = True
            try:
                await work()
            except Exception:
                log.exception("catch-up failed")
            finally:
                self.running = False
            async with self._done:
                self.rounds += 1
                self._done.notify_all()
