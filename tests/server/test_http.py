"""Plain HTTP on the websocket port: methods, HEAD, exports cached and rate-limited, Origin."""

from __future__ import annotations

import asyncio
import http.client
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server import web
from server.app import Running
from server.protocol import Limits
from tests.conftest import UNIT

EXPORTS_PER_MINUTE = 40


@pytest.fixture
def limits() -> Limits:
    return Limits(hello_timeout_s=2 * UNIT, exports_per_minute_per_ip=EXPORTS_PER_MINUTE)


def _request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5 * UNIT)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = b"" if method == "HEAD" else r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


# The test's HTTP clients block in threads of their own: the server (in this test's loop)
# renders exports in the loop's default pool, which thirty waiting clients would fill.
_CLIENTS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="http-client")


async def _call(server: Running, method: str, path: str, **headers: str):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_CLIENTS, _request, server.port, method, path, headers)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "TRACE", "get", "PATCH"])
async def test_only_get_and_head_are_served(server: Running, method: str):
    """Other methods (and a lowercase get) are 405 with Allow, on every path (before: as GET)."""
    for path in ("/healthz", "/programme.ics", "/ws", "/nope"):
        status, headers, _ = await _call(server, method, path)
        assert status == 405 and headers["allow"].startswith("GET"), (method, path)


async def test_head_has_the_headers_and_no_body(server: Running):
    """HEAD answers like GET with Content-Length and no body (before: a body)."""
    status, _, body = await _call(server, "GET", "/schedule.json")
    h_status, h_headers, _ = await asyncio.to_thread(_raw_head, server.port, "/schedule.json")
    assert (status, h_status) == (200, 200)
    assert h_headers["content-length"] == str(len(body)) and h_headers[""] == ""


def _raw_head(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """HEAD over a bare socket: whatever follows the headers is what the server sent."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5 * UNIT) as s:
        s.sendall(f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    headers[""] = rest.decode()  # the body: must be empty
    return int(lines[0].split()[1]), headers, rest


async def test_an_export_is_rendered_once_per_revision_off_the_loop(
    server: Running, connect_as, monkeypatch
):
    """Thirty requests at once render the calendar once, in a worker thread; a change
    renders it again; an unchanged one answers 304 to its ETag."""
    threads: list[str] = []
    _, render = web.EXPORTS["/programme.ics"]

    def recording(programme, times):
        threads.append(threading.current_thread().name)
        return render(programme, times)

    monkeypatch.setitem(web.EXPORTS, "/programme.ics", ("text/calendar", recording))
    results = await asyncio.gather(*(_call(server, "GET", "/programme.ics") for _ in range(30)))
    assert {r[0] for r in results} == {200} and len({r[2] for r in results}) == 1
    assert len(threads) == 1 and threads[0] != threading.main_thread().name
    etag = results[0][1]["etag"]
    status, _, body = await _call(server, "GET", "/programme.ics", **{"If-None-Match": etag})
    assert status == 304 and body == b""
    mod = await connect_as("moderator")
    await mod.command("set_delay", minutes=10)
    status, headers, _ = await _call(server, "GET", "/programme.ics", **{"If-None-Match": etag})
    assert status == 200 and headers["etag"] != etag and len(threads) == 2


async def test_exports_are_limited_per_address(server: Running):
    """Past the address's exports a minute: 429 with Retry-After; /healthz still answers."""
    statuses = [
        (await _call(server, "GET", "/schedule.xml"))[0] for _ in range(EXPORTS_PER_MINUTE + 3)
    ]
    assert statuses.count(200) == EXPORTS_PER_MINUTE and statuses[-3:] == [429] * 3
    status, headers, _ = await _call(server, "GET", "/programme.toml")
    assert status == 429 and headers["retry-after"] == "60"
    assert (await _call(server, "GET", "/healthz"))[0] == 200


async def test_a_page_from_another_site_cannot_open_the_websocket(server: Running):
    """An Origin that is not the server's own host is refused (403); no Origin (Podium's
    clients, tools) or the same host is let in."""
    url = f"ws://127.0.0.1:{server.port}/ws"
    with pytest.raises(InvalidStatus) as exc:
        await connect(url, proxy=None, origin="http://evil.example")  # type: ignore[arg-type]
    assert exc.value.response.status_code == 403
    async with connect(url, proxy=None, origin=f"http://127.0.0.1:{server.port}"):  # type: ignore[arg-type]
        pass
    async with connect(url, proxy=None):
        pass
