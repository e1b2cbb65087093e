"""``podium serve``: settings, the clock, HTTP routes, the websocket endpoint, signals."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import signal
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from server.admission import Gate
from server.handlers import Connection
from server.hub import Hub
from server.programme import Programme, default_programme, load_file
from server.programme.ical import export_ics
from server.programme.native_export import dumps
from server.programme.schedule_export import Times, export_json, export_xml
from server.protocol import DEFAULT_LIMITS, Limits
from server.sequencer import Sequencer
from server.storage import Store, default_db_url
from server.transport import ws_write

log = logging.getLogger("podium.server")
# The websockets library logs every frame at DEBUG, hellos with their tokens included.
# Its logger here never goes below INFO, whatever the root logger is set to.
WS_LOG = logging.getLogger("podium.ws")
WS_LOG.setLevel(logging.INFO)


class Clock:
    """The server's clock, in the event's time zone; optionally started at a set moment."""

    def __init__(self, tz: ZoneInfo, start: datetime | None = None) -> None:
        self.tz = tz
        self.offset = 0.0
        if start is not None:
            if start.tzinfo is None:
                start = start.replace(tzinfo=tz)
            self.offset = start.timestamp() - time.time()

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self.offset, self.tz)


@dataclass
class Settings:
    """Everything ``podium serve`` can be told."""

    host: str = "127.0.0.1"
    port: int = 8765
    db_url: str | None = None
    programme: str | None = None
    clock: datetime | None = None
    moderator_token: str | None = None
    stage_token: str | None = None
    limits: Limits = field(default_factory=lambda: DEFAULT_LIMITS)
    compression: bool = False
    lang: str = "da"
    certfile: str | None = None
    keyfile: str | None = None
    tick_s: float = 1.0
    #: Connections the kernel holds while the server accepts them. asyncio's default of 100
    #: makes a thousand phones reconnecting at once (after a Wi-Fi blip) retry for seconds.
    backlog: int = 2048
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
    tokens: dict[str, str]
    generated: set[str]
    tasks: list[asyncio.Task[None]]
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


def _json_response(conn: ServerConnection, status: HTTPStatus, body: object) -> Response:
    resp = conn.respond(status, json.dumps(body, ensure_ascii=False) + "\n")
    resp.headers = Headers(
        [(k, v) for k, v in resp.headers.raw_items() if k.lower() != "content-type"]
        + [("Content-Type", "application/json; charset=utf-8")]
    )
    return resp


def _toml(programme: Programme, times: Times) -> str:
    return dumps(programme)


#: Path -> (content type, renderer). The live expected times go into the calendar and schedules.
EXPORTS: dict[str, tuple[str, Callable[[Programme, Times], str]]] = {
    "/programme.ics": ("text/calendar; charset=utf-8", export_ics),
    "/schedule.json": ("application/json; charset=utf-8", export_json),
    "/schedule.xml": ("application/xml; charset=utf-8", export_xml),
    "/programme.toml": ("application/toml; charset=utf-8", _toml),
}


def _routes(
    sequencer: Sequencer, gate: Gate, running_ok: Callable[[], bool]
) -> Callable[[ServerConnection, Request], Response | None]:
    def process_request(conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == "/ws":
            return gate.admit(conn, request)
        if path == "/healthz":
            ok = running_ok()
            body = {
                "status": "ok" if ok else "error",
                "revision": sequencer.revision,
                "clients": sequencer.presence(),
                "failures": sequencer.failures,
            }
            status = HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE
            return _json_response(conn, status, body)
        if path in EXPORTS:
            content_type, render = EXPORTS[path]
            now = sequencer.now()
            text = render(sequencer.state.programme, sequencer.expected_times(now))
            resp = conn.respond(HTTPStatus.OK, text)
            resp.headers = Headers(
                [(k, v) for k, v in resp.headers.raw_items() if k.lower() != "content-type"]
                + [("Content-Type", content_type), ("Cache-Control", "no-cache")]
            )
            return resp
        return _json_response(
            conn, HTTPStatus.NOT_FOUND, {"error": "not found", "websocket": "/ws"}
        )

    return process_request


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
    store, programme = await asyncio.to_thread(open_store, settings)
    clock = Clock(programme.event.tz, settings.clock)
    state, revision = store.load_state(programme)
    tokens: dict[str, str] = {}
    generated: set[str] = set()
    for role, given in (
        ("moderator", settings.moderator_token or os.environ.get("PODIUM_MODERATOR_TOKEN")),
        ("stage", settings.stage_token or os.environ.get("PODIUM_STAGE_TOKEN")),
    ):
        tokens[role], new = store.token(role, given)
        if new:
            generated.add(role)
    limits = fit_to_descriptors(settings.limits, raise_descriptor_limit())
    if limits != settings.limits:
        log.warning(
            "only %d connections fit in this process's open-file limit: max_connections %d, "
            "max_connections_per_ip %d (raise `ulimit -n` for more)",
            limits.max_connections,
            limits.max_connections,
            limits.max_connections_per_ip,
        )
    hub = Hub(ws_write)
    sequencer = Sequencer(store, state, revision, settings.now or clock.now, hub, limits)
    gate = Gate(limits, tokens)
    writer = asyncio.create_task(sequencer.run())

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
        server = await _listen(settings, handler, tls, sequencer, gate, writer)
    except BaseException:
        writer.cancel()
        raise
    port = next(iter(server.sockets)).getsockname()[1]

    async def ticker() -> None:
        while True:
            await asyncio.sleep(settings.tick_s)
            try:
                await sequencer.tick()
            except Exception:
                log.exception("tick failed")

    tasks = [writer, asyncio.create_task(ticker())]
    return Running(server, sequencer, gate, port, tls is not None, tokens, generated, tasks)


async def _listen(
    settings: Settings,
    handler: Callable[[ServerConnection], Awaitable[None]],
    tls: ssl.SSLContext | None,
    sequencer: Sequencer,
    gate: Gate,
    writer: asyncio.Task[None],
) -> Server:
    return await serve(
        handler,
        settings.host,
        settings.port,
        ssl=tls,
        logger=WS_LOG,
        # /healthz says "error" (503) when the writer has stopped: a screen may look fine
        # while no command is served.
        process_request=_routes(sequencer, gate, lambda: not writer.done()),
        max_size=settings.limits.max_frame_bytes * 4,
        compression="deflate" if settings.compression else None,
        ping_interval=20,
        ping_timeout=20,
        backlog=settings.backlog,
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
