"""``podium serve``: settings, the clock, HTTP routes, the websocket endpoint, signals."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import json
import logging
import os
import signal
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from websockets.asyncio.server import Server, ServerConnection, serve

from server.admission import Gate, counted
from server.cluster import Cluster
from server.handlers import Connection
from server.hub import Hub
from server.page import Page
from server.programme import Programme, default_programme, load_file
from server.protocol import DEFAULT_LIMITS, Limits
from server.public import default_public_url
from server.sequencer import Sequencer
from server.state import State
from server.storage import Store, default_db_url
from server.storage.repository import normalise_url
from server.tokens import Settled, settle
from server.transport import ws_write
from server.web import Exports, routes

log = logging.getLogger("podium.server")
# The websockets library logs every frame at DEBUG, hellos with their tokens included.
# Its logger here never goes below INFO, whatever the root logger is set to.
WS_LOG = logging.getLogger("podium.ws")
WS_LOG.setLevel(logging.INFO)


class Clock:
    """The server's clock, in the event's time zone; optionally started at a set moment and
    running ``speed`` times as fast (a rehearsal of the day in an hour: speed 7)."""

    def __init__(self, tz: ZoneInfo, start: datetime | None = None, speed: float = 1.0) -> None:
        self.tz = tz
        self.speed = speed
        self.began = time.time()
        self.start = self.began
        if start is not None:
            if start.tzinfo is None:
                start = start.replace(tzinfo=tz)
            self.start = start.timestamp()

    #: Seconds to add to this machine's clock (in a cluster: PostgreSQL's clock minus ours).
    skew: Callable[[], float] = staticmethod(lambda: 0.0)

    def now(self) -> datetime:
        wall = time.time() + self.skew()
        return datetime.fromtimestamp(self.start + (wall - self.began) * self.speed, self.tz)


@dataclass
class Settings:
    """Everything ``podium serve`` can be told."""

    host: str = "127.0.0.1"
    port: int = 8765
    db_url: str | None = None
    programme: str | None = None
    clock: datetime | None = None
    clock_speed: float = 1.0  # with ``clock``: how many seconds of the day pass each second
    moderator_token: str | None = None  # else PODIUM_MODERATOR_TOKEN, else the stored hash
    stage_token: str | None = None
    show_tokens: bool = False  # print the tokens (one only known by its hash is replaced)
    limits: Limits = field(default_factory=lambda: DEFAULT_LIMITS)
    compression: bool = False
    lang: str = "da"
    certfile: str | None = None
    keyfile: str | None = None
    tick_s: float = 1.0
    #: Connections the kernel holds while the server accepts them. asyncio's default of 100
    #: makes a thousand phones reconnecting at once (after a Wi-Fi blip) retry for seconds.
    backlog: int = 2048
    #: The address attendees are given (the page, the hall's QR code); None: the LAN's.
    public_url: str | None = None
    #: Browser origins besides the server's own that may open /ws.
    allow_origins: tuple[str, ...] = ()
    #: The other processes on the same PostgreSQL (their public URLs): the attendees' page
    #: learns them in ``welcome`` and moves there when this one goes away; their pages may
    #: open this one's /ws.
    peers: tuple[str, ...] = ()
    #: Room (id or name) -> that room's own moderator token (drives that room only).
    room_tokens: dict[str, str] = field(default_factory=dict)
    #: Tests inject a clock here; otherwise the wall clock (shifted by ``clock``).
    now: Callable[[], datetime] | None = None


@dataclass
class Running:
    """A started server, for the CLI and the tests."""

    server: Server
    sequencer: Sequencer
    gate: Gate
    port: int
    server_ssl: bool
    #: The tokens to print (``tokens.shown``: only those made at this start, or all with
    #: ``show_tokens``) and those known only by their stored hash (``tokens.kept``).
    tokens: Settled
    tasks: list[asyncio.Task[None]]
    exports: Exports
    lock: ServeLock
    page: Page
    #: What the operator should be told at start: (key of server.strings.CLI, moments).
    warnings: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    closed: bool = False

    async def close(self) -> None:
        """Stop: clients see 1001, what was applied is committed, storage is closed. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self.server.close()  # clients see 1001 (going away)
        await self.server.wait_closed()
        with contextlib.suppress(TimeoutError):
            await self.sequencer.drain()  # what was applied is committed before we stop
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self.sequencer.store.close()
        self.lock.release()


#: How long a connection has to send its request and finish the opening handshake.
HANDSHAKE_TIMEOUT_S = 5.0

#: File descriptors kept back from the connection limit: the database, logs, listeners.
FD_RESERVE = 64


def fit_to_descriptors(limits: Limits, soft: int) -> Limits:
    """The connection limits, lowered to what ``soft`` open files allow (each connection is
    one descriptor). Over it, accept() fails in a tight loop instead of answering 503."""
    room = max(1, soft - FD_RESERVE)
    if limits.max_connections <= room and limits.max_connections_per_ip <= room:
        return limits
    return dataclasses.replace(
        limits,
        max_connections=min(limits.max_connections, room),
        max_connections_per_ip=min(limits.max_connections_per_ip, room),
    )


def raise_descriptor_limit() -> int:
    """Raise the soft limit on open files to the hard one; the soft limit now."""
    try:
        import resource  # Unix only
    except ImportError:
        return 1 << 20
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < want:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
    return soft


def _rewinds(state: State, now: datetime) -> datetime | None:
    """The latest moment the stored state has lived through, if it is after ``now``."""
    seen = [q.created_at for q in state.questions.values()]
    seen += [rl.since for rl in state.live.rooms.values() if rl.since is not None]
    latest = max(seen, default=None)
    return latest if latest is not None and latest > now else None


def ws_url(public: str) -> str:
    """The websocket address of a server's public page address (http://b:8765/ -> ws://b:8765/ws)."""
    scheme, rest = public.split("://", 1)
    return ("wss" if scheme == "https" else "ws") + "://" + rest.split("/", 1)[0] + "/ws"


def share_clock(store: Store, clock: Clock, cluster: Cluster) -> None:
    """Every process of a cluster tells the same time: PostgreSQL's clock (its offset from
    this machine's, measured now and every half minute), and in a rehearsal (``--clock``)
    the same start, stored in the database by the first process that began it."""
    cluster.offset_s, cluster.offset_bound_s = store.clock_offset()
    clock.skew = lambda: cluster.offset_s
    if clock.start == clock.began:
        return  # the wall clock
    key = "rehearsal_clock"
    want = {"start": clock.start, "speed": clock.speed}
    stored = store.get_meta(key)
    anchor = json.loads(stored) if stored else None
    if anchor and anchor.get("start") == want["start"] and anchor.get("speed") == want["speed"]:
        clock.began = float(anchor["began"])  # the same rehearsal, begun by another process
        return
    clock.began = time.time() + cluster.offset_s
    store.set_meta(key, json.dumps({**want, "began": clock.began}))


class StartError(Exception):
    """``serve`` cannot start; ``key`` names the message in server.strings.CLI."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params


class ServeLock:
    """One ``podium serve`` per SQLite file: two writers would overwrite each other's live
    state. An advisory lock on ``<db>.lock`` (released by the system if the process dies).
    PostgreSQL is shared by design (the several-servers work coordinates it)."""

    def __init__(self, url: str) -> None:
        self.path: Path | None = None
        self._fd: int | None = None
        url = normalise_url(url)
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            self.path = Path(url.removeprefix("sqlite:///") + ".lock")

    def acquire(self) -> None:
        if self.path is None or not self.path.parent.is_dir():
            return  # no folder: opening the database says why
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StartError("db_in_use", db=str(self.path)[: -len(".lock")], pid=holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def check_port(host: str, port: int) -> None:
    """Refuse at once, before any file is made, when the port is taken."""
    if port == 0:
        return
    for family, kind, proto, _, addr in socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio does
            try:
                probe.bind(addr)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise StartError("port_in_use", port=port) from None
                raise


def open_store(settings: Settings) -> tuple[Store, Programme]:
    """Open the database and make sure it holds a programme (``--programme`` or the seed)."""
    url = settings.db_url or os.environ.get("PODIUM_DB") or default_db_url()
    store = Store(url)
    store.check_writable(datetime.now(ZoneInfo("Europe/Copenhagen")))
    programme = load_file(settings.programme, settings.lang) if settings.programme else None
    stored = store.load_programme()
    if programme is None:
        programme = stored or default_programme()
    if programme != stored:
        store.save_programme(programme, datetime.now(ZoneInfo(programme.event.timezone)))
    return store, programme


async def start(settings: Settings) -> Running:
    """Open storage, load the state and start listening. ``port=0`` picks a free port."""
    check_port(settings.host, settings.port)
    url = settings.db_url or os.environ.get("PODIUM_DB") or default_db_url()
    lock = ServeLock(url)
    lock.acquire()
    try:
        return await _start(settings, lock)
    except BaseException:
        lock.release()
        raise


async def _start(settings: Settings, lock: ServeLock) -> Running:
    store, programme = await asyncio.to_thread(open_store, settings)
    clock = Clock(programme.event.tz, settings.clock, settings.clock_speed)
    cluster: Cluster | None = None
    if store.shared:  # PostgreSQL: other processes may serve the same database
        cluster = Cluster(store.url, await asyncio.to_thread(store.notify_channel))
        await asyncio.to_thread(share_clock, store, clock, cluster)
    state, revision = store.load_state(programme)
    warnings: list[tuple[str, datetime, datetime]] = []
    if settings.clock is not None:
        rewound = _rewinds(state, clock.now())
        if rewound is not None:
            log.warning(
                "--clock %s is before what this database already lived through (%s): the day "
                "rewinds under the stored state; use a new --db for a new rehearsal",
                clock.now().isoformat(timespec="minutes"),
                rewound.isoformat(timespec="minutes"),
            )
            warnings.append(("clock_rewinds", clock.now(), rewound))
    given = {
        "moderator": settings.moderator_token or os.environ.get("PODIUM_MODERATOR_TOKEN"),
        "stage": settings.stage_token or os.environ.get("PODIUM_STAGE_TOKEN"),
    }
    for name, token in settings.room_tokens.items():
        room = programme.find_room(name)
        if room is None:
            store.close()
            raise StartError("room_token_unknown", room=name, rooms=programme.room_list())
        given[f"moderator:{room}"] = token
    tokens = await asyncio.to_thread(settle, store, given, show=settings.show_tokens)
    limits = fit_to_descriptors(settings.limits, raise_descriptor_limit())
    if limits != settings.limits:
        log.warning(
            "only %d connections fit in this process's open-file limit: max_connections %d, "
            "max_connections_per_ip %d (raise `ulimit -n` for more)",
            limits.max_connections,
            limits.max_connections,
            limits.max_connections_per_ip,
        )
    hub = Hub(ws_write, limits.moderator_queue_max)
    sequencer = Sequencer(
        store,
        state,
        revision,
        settings.now or clock.now,
        hub,
        limits,
        rehearsal=settings.clock is not None,
        cluster=cluster,
    )
    gate = Gate(limits, tokens.hashes, store.secret("client_ids"))
    writer = asyncio.create_task(sequencer.run())
    exports = Exports(sequencer)
    page = Page(settings.allow_origins, settings.peers)

    async def handler(ws: ServerConnection) -> None:
        try:
            await Connection(sequencer, gate, ws).run()
        finally:
            gate.release(ws)

    tls = None
    if settings.certfile:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(settings.certfile, settings.keyfile)
    try:
        server = await _listen(settings, handler, tls, sequencer, gate, writer, exports, page)
    except BaseException:
        writer.cancel()
        store.close()
        raise
    port = next(iter(server.sockets)).getsockname()[1]
    public_url = settings.public_url or default_public_url(settings.host, port, tls is not None)
    page.publish(public_url)
    sequencer.public_url = public_url
    sequencer.servers = [ws_url(u) for u in (public_url, *settings.peers)]

    async def ticker() -> None:
        while True:
            await asyncio.sleep(settings.tick_s)
            try:
                await sequencer.tick()
            except Exception:
                log.exception("tick failed")

    tasks = [writer, asyncio.create_task(ticker())]
    if cluster is not None and sequencer.wakeup is not None:
        cluster.on_news = sequencer.wakeup.request

        closing: set[asyncio.Task[None]] = set()

        def send_away() -> None:
            for conn in list(server.connections):
                task = asyncio.create_task(
                    conn.close(1012, "database unreachable: try another server")
                )
                closing.add(task)
                task.add_done_callback(closing.discard)

        cluster.on_lost = send_away
        tasks += [
            asyncio.create_task(cluster.run()),
            asyncio.create_task(sequencer.wakeup.serve(sequencer.catch_up)),
        ]
    return Running(
        server, sequencer, gate, port, tls is not None, tokens, tasks, exports, lock, page, warnings
    )


async def _listen(
    settings: Settings,
    handler: Callable[[ServerConnection], Awaitable[None]],
    tls: ssl.SSLContext | None,
    sequencer: Sequencer,
    gate: Gate,
    writer: asyncio.Task[None],
    exports: Exports,
    page: Page,
) -> Server:
    return await serve(
        handler,
        settings.host,
        settings.port,
        ssl=tls,
        logger=WS_LOG,
        # /healthz says "error" (503) when the writer has stopped: a screen may look fine
        # while no command is served.
        process_request=routes(
            sequencer,
            gate,
            lambda: not writer.done(),
            settings.limits.exports_per_minute_per_ip,
            exports,
            page,
        ),
        max_size=settings.limits.max_frame_bytes * 4,
        compression="deflate" if settings.compression else None,
        ping_interval=20,
        ping_timeout=20,
        backlog=settings.backlog,
        # Counted from accept(), and at most this long to finish the opening handshake:
        # sockets that never send a request cannot pile up.
        create_connection=counted(gate),
        open_timeout=HANDSHAKE_TIMEOUT_S,
    )


async def run(settings: Settings, announce: Callable[[Running], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then close every connection with 1001."""
    loop = asyncio.get_running_loop()
    stop: asyncio.Future[None] = loop.create_future()

    def request_stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    running = await start(settings)
    if announce:
        announce(running)
    try:
        await stop
    finally:
        await running.close()
