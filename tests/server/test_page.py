"""The attendees' page as HTTP: every file with its content type, caching and a strict
Content-Security-Policy; the QR code; the Origin rules for browsers; --public-url."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import subprocess
import sys

import pytest
import zxingcpp
from PIL import Image
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server import qrcode
from server.app import Running, Settings, start
from server.public import BadUrl, check_url, default_public_url, origin_of, short
from tests.conftest import MOD_TOKEN, UNIT

PAGE_BUDGET = 100 * 1024  # the whole page, uncompressed (issue 15)


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5 * UNIT)
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


async def get(server: Running, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return await asyncio.to_thread(_get, server.port, path, **headers)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "text/css; charset=utf-8"),
        ("/icon.svg", "image/svg+xml"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/qr.svg", "image/svg+xml"),
    ],
)
async def test_each_file_has_its_type_a_strict_policy_and_an_etag(
    server: Running, path: str, kind: str
):
    status, headers, body = await get(server, path)
    assert status == 200 and headers["content-type"] == kind and body
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-cache" and headers["etag"].startswith('"')
    # Asked again with its ETag: 304, no body.
    status, _, body = await get(server, path, **{"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")


async def test_the_page_is_small_has_no_inline_script_and_leaves_nothing_to_other_hosts(
    server: Running,
):
    total = 0
    texts = {}
    for path in ("/", "/app.js", "/app.css", "/icon.svg", "/manifest.webmanifest"):
        _, _, body = await get(server, path)
        total += len(body)
        texts[path] = body.decode()
    assert total < PAGE_BUDGET, total
    html = texts["/"]
    # Scripts only by src (the policy would block inline ones anyway), no inline style.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert " style=" not in html and "<style" not in html
    # No request leaves the LAN: no absolute address in the page or its files.
    for path, text in texts.items():
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "cdn" not in text.lower(), path
    # Server text is only ever put in as text.
    js = texts["/app.js"]
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "eval(" not in js and "new Function" not in js and "document.write" not in js


async def test_the_qr_code_holds_the_public_address(server: Running):
    """/qr.svg is the code of the page's address: decoded back, it is the address."""
    _, _, svg = await get(server, "/qr.svg")
    url = server.page.public_url or ""
    assert f"<title>{url}</title>".encode() in svg
    size = int(re.search(rb'width="(\d+)"', svg).group(1)) // 10  # type: ignore[union-attr]
    matrix = qrcode.matrix(url)
    assert len(matrix) == size  # the SVG's modules, quiet zone included, 10 px each
    image = Image.new("L", (size * 8, size * 8), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * 8, y * 8, x * 8 + 8, y * 8 + 8))
    found = zxingcpp.read_barcodes(image)  # a decoder that is not the encoder
    assert [r.text for r in found] == [server.page.public_url]
    assert server.page.public_url == f"http://127.0.0.1:{server.port}/"


async def test_browsers_may_open_the_websocket_from_the_page_only(server: Running):
    url = f"ws://127.0.0.1:{server.port}/ws"
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{server.port + 1}"):
        with pytest.raises(InvalidStatus) as exc:
            await connect(url, proxy=None, origin=origin)  # type: ignore[arg-type]
        assert exc.value.response.status_code == 403, origin
    for origin in (f"http://127.0.0.1:{server.port}", None):  # the page's own; a tool's none
        async with connect(url, proxy=None, origin=origin) as ws:  # type: ignore[arg-type]
            await ws.send('{"type": "hello", "protocol": 1, "role": "hall"}')
            assert '"welcome"' in await ws.recv()


async def test_allow_origin_and_the_public_address_let_their_pages_in(db_url: str, clock):
    settings = Settings(
        port=0,
        db_url=db_url,
        moderator_token=MOD_TOKEN,
        now=clock,
        public_url="http://podium.example:8080/",
        allow_origins=("https://program.example",),
    )
    running = await start(settings)
    try:
        url = f"ws://127.0.0.1:{running.port}/ws"
        for origin in ("http://podium.example:8080", "https://program.example"):
            async with connect(url, proxy=None, origin=origin) as ws:  # type: ignore[arg-type]
                await ws.send('{"type": "hello", "protocol": 1, "role": "hall"}')
                welcome = json.loads(await ws.recv())
                assert welcome["public_url"] == "http://podium.example:8080/"
        with pytest.raises(InvalidStatus):
            await connect(url, proxy=None, origin="https://evil.example")  # type: ignore[arg-type]
    finally:
        await running.close()


async def test_a_browser_page_cannot_act_as_the_moderator_without_the_token(server: Running):
    """The page's origin gets the attendee role's rights only: a moderator hello without
    the token is refused, and an attendee's moderator command is forbidden."""
    url = f"ws://127.0.0.1:{server.port}/ws"
    origin = f"http://127.0.0.1:{server.port}"
    async with connect(url, proxy=None, origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "moderator"}))
        reply = json.loads(await ws.recv())
        assert reply["type"] == "error" and reply["code"] in ("bad_token", "bad_hello")
    async with connect(url, proxy=None, origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "attendee"}))
        while json.loads(await ws.recv())["type"] != "snapshot":
            pass
        cmd = {"type": "command", "id": "x1", "name": "next", "args": {}}
        await ws.send(json.dumps(cmd))
        while (reply := json.loads(await ws.recv()))["type"] not in ("ack", "error"):
            pass
        assert reply["code"] == "forbidden"
    # The page and its files never hold a token.
    for path in ("/", "/app.js"):
        _, _, body = await get(server, path)
        assert MOD_TOKEN.encode() not in body


def test_public_urls_are_checked():
    assert check_url("http://192.168.1.10:8765") == "http://192.168.1.10:8765/"
    assert check_url(" HTTPS://Podium.Example/salen ") == "https://podium.example/salen/"
    for bad in (
        "ftp://x/",
        "192.168.1.10:8765",
        "http://",
        "http://x/?a=1",
        "http://x/#top",
        "http://user:pw@x/",
        "http://x:port/",
        "http://x/a b",
        "http://x/\x1b[2J",
        "http://" + "x" * 300,
        "",
    ):
        with pytest.raises(BadUrl):
            check_url(bad)
    assert origin_of("http://x:80/a/") == "http://x" and origin_of("https://x:8443/") == (
        "https://x:8443"
    )
    assert short("http://192.168.1.10:8765/") == "192.168.1.10:8765"
    assert default_public_url("127.0.0.1", 8765, False) == "http://127.0.0.1:8765/"
    assert default_public_url("::1", 1, True) == "https://[::1]:1/"
    lan = default_public_url("0.0.0.0", 8765, False)
    assert lan.startswith("http://") and lan.endswith(":8765/") and "0.0.0.0" not in lan


@pytest.mark.parametrize("option", ["--public-url", "--allow-origin"])
def test_serve_refuses_a_bad_address_before_it_starts(tmp_path, option: str):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "x.sqlite3"),
            option,
            "javascript:alert(1)",
        ],
        capture_output=True,
        text=True,
        timeout=30 * UNIT,
    )
    assert proc.returncode == 2
    assert f"Ugyldig {option} 'javascript:alert(1)'" in proc.stderr
    assert not (tmp_path / "x.sqlite3").exists()


def test_the_code_has_its_quiet_zone():
    matrix = qrcode.matrix("http://192.168.1.10:8765/")
    zone = qrcode.QUIET_ZONE
    assert not any(any(row) for row in matrix[:zone] + matrix[-zone:])
    assert not any(any(row[:zone]) or any(row[-zone:]) for row in matrix)
    assert any(matrix[zone])  # the finder pattern begins right after it
