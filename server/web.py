"""The plain HTTP side of ``podium serve``: the attendees' page, /healthz, the programme
exports, the QR code, and refusals.

Everything here answers before a websocket exists, on the event loop that also serves
the screens, so nothing here may take long: an export is rendered in a worker thread,
once per revision and minute (the expected times move with the clock), and every
address may fetch exports only so often. Only GET (and HEAD, without a body) is served;
a browser page from another site may not open /ws (its Origin is checked).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from server.admission import Gate, peer_ip
from server.page import Page
from server.programme import Programme
from server.programme.ical import export_ics
from server.programme.native_export import dumps
from server.programme.schedule_export import Times, export_json, export_xml
from server.quotas import Quotas
from server.sequencer import Sequencer

log = logging.getLogger("podium.server")


def _toml(programme: Programme, times: Times) -> str:
    return dumps(programme)


#: Path -> (content type, renderer). The live expected times go into the calendar and schedules.
EXPORTS: dict[str, tuple[str, Callable[[Programme, Times], str]]] = {
    "/programme.ics": ("text/calendar; charset=utf-8", export_ics),
    "/schedule.json": ("application/json; charset=utf-8", export_json),
    "/schedule.xml": ("application/xml; charset=utf-8", export_xml),
    "/programme.toml": ("application/toml; charset=utf-8", _toml),
}


def response(
    status: HTTPStatus,
    body: str | bytes,
    content_type: str = "text/plain; charset=utf-8",
    *,
    head: bool = False,
    extra: list[tuple[str, str]] | None = None,
) -> Response:
    """A complete response; for HEAD the same headers and no body."""
    data = body.encode() if isinstance(body, str) else body
    headers = Headers(
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(data))),
            ("Connection", "close"),
            ("X-Content-Type-Options", "nosniff"),
            *(extra or []),
        ]
    )
    return Response(status.value, status.phrase, headers, b"" if head else data)


def json_response(status: HTTPStatus, body: object, *, head: bool = False) -> Response:
    text = json.dumps(body, ensure_ascii=False) + "\n"
    return response(status, text, "application/json; charset=utf-8", head=head)


class Exports:
    """Each export rendered once per (revision, minute), in a worker thread; requests that
    arrive while it renders wait for that one rendering."""

    def __init__(self, sequencer: Sequencer) -> None:
        self.sequencer = sequencer
        self._done: dict[str, tuple[tuple[int, int], str]] = {}
        self._rendering: dict[tuple[str, int, int], asyncio.Task[str]] = {}
        self.renders = 0  # how many times an export was rendered (tests, bench)

    async def get(self, path: str) -> tuple[str, str]:
        """(the text, its ETag)."""
        now = self.sequencer.now()
        key = (self.sequencer.revision, int(now.timestamp()) // 60)
        etag = f'"{key[0]}-{key[1]}"'
        done = self._done.get(path)
        if done is not None and done[0] == key:
            return done[1], etag
        task = self._rendering.get((path, *key))
        if task is None:
            _, render = EXPORTS[path]
            programme = self.sequencer.state.programme
            times = self.sequencer.expected_times(now)

            async def rendering() -> str:
                text = await asyncio.to_thread(render, programme, times)
                # Kept before the task ends: a request arriving between the end and its
                # waiters' turn finds it, and does not render it again.
                self._done[path] = (key, text)
                return text

            task = asyncio.ensure_future(rendering())
            self._rendering[(path, *key)] = task
            task.add_done_callback(lambda _: self._rendering.pop((path, *key), None))
            self.renders += 1
        return await asyncio.shield(task), etag


def routes(
    sequencer: Sequencer,
    gate: Gate,
    running_ok: Callable[[], bool],
    exports_per_minute_per_ip: int,
    exports: Exports,
    page: Page | None = None,
) -> Callable[[ServerConnection, Request], Awaitable[Response | None]]:
    """The ``process_request`` of the websocket server: every plain HTTP request."""
    quotas = Quotas({"exports": exports_per_minute_per_ip})
    served = 0

    async def process_request(conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        method = request.method
        if method not in ("GET", "HEAD"):  # methods are case-sensitive: "get" is not GET
            return response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "Podium: only GET\n",
                extra=[("Allow", "GET, HEAD")],
            )
        head = method == "HEAD"
        if path == "/ws":
            if head:
                return response(HTTPStatus.METHOD_NOT_ALLOWED, "", extra=[("Allow", "GET")])
            if not allowed_origin(request.headers, page.origins if page else frozenset()):
                log.warning("refusing a websocket from another site (%s)", peer_ip(conn))
                return response(HTTPStatus.FORBIDDEN, "Podium: cross-origin websocket refused\n")
            return None  # counted (and over the limits refused) when it was accepted
        if path == "/healthz":
            ok = running_ok()
            body: dict[str, object] = {
                "status": "ok" if ok else "error",
                "revision": sequencer.revision,
                "failures": sequencer.failures,
                "refused": sequencer.refused,
            }
            cluster = sequencer.cluster
            if cluster is not None:  # several processes on PostgreSQL
                body["database"] = "ok" if cluster.healthy else "unreachable"
                body["ticker"] = cluster.leader
                body["clock_offset_ms"] = round(cluster.offset_s * 1000, 1)
                if not cluster.healthy:
                    ok = False
                    body["status"] = "error"
            # Who is connected (is the moderator there?) only for the moderator's token.
            auth = request.headers.get("Authorization", "")
            if auth.startswith("Bearer ") and await asyncio.to_thread(
                gate.check_token, "moderator", auth.removeprefix("Bearer ").strip()
            ):
                body["clients"] = sequencer.presence()
            status = HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE
            return json_response(status, body, head=head)
        if page is not None and page.serves(path):
            return page.get(path, request, head=head)
        if path in EXPORTS:
            address = peer_ip(conn)
            if not quotas.allows("exports", address):
                return response(
                    HTTPStatus.TOO_MANY_REQUESTS,
                    "Podium: too many requests from your address\n",
                    extra=[("Retry-After", "60")],
                )
            quotas.charge("exports", address)
            nonlocal served
            served += 1
            if served % 1000 == 0:  # addresses that stopped asking are forgotten
                quotas.forget_idle()
            text, etag = await exports.get(path)
            extra = [("Cache-Control", "no-cache"), ("ETag", etag)]
            if etag in request.headers.get("If-None-Match", ""):
                resp = response(HTTPStatus.NOT_MODIFIED, "", extra=extra, head=True)
                return resp
            return response(HTTPStatus.OK, text, EXPORTS[path][0], head=head, extra=extra)
        return json_response(
            HTTPStatus.NOT_FOUND, {"error": "not found", "websocket": "/ws"}, head=head
        )

    return process_request


def allowed_origin(headers: Headers, origins: frozenset[str] = frozenset()) -> bool:
    """No Origin (Podium's own clients, any non-browser tool), the page's own host, or an
    origin listed (the public address, ``--allow-origin``): a page on another site must
    not drive the attendee role with a visitor's browser."""
    origin = headers.get("Origin")
    if origin is None:
        return True
    if origin.lower().rstrip("/") in origins:
        return True
    host = headers.get("Host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()
