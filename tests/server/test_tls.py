"""`podium serve --certfile/--keyfile` serves wss://, and the clients connect to it."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme
from websockets.asyncio.client import connect

from kiosk.attendee.app import make_app as make_attendee
from kiosk.hall.app import make_app as make_hall
from kiosk.moderator.app import make_app as make_moderator
from server.app import Running, Settings, start
from tests.conftest import MOD_TOKEN, STAGE_TOKEN, FakeClock
from tests.kiosk.helpers import wait_for


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def tls_server(ca: trustme.CA, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Running]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = tmp_path / "server.pem", tmp_path / "server.key"
    cert.private_key_pem.write_to_path(str(keyfile))
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in cert.cert_chain_pems[1:]:
        with certfile.open("ab") as f:
            f.write(extra.bytes())
    settings = Settings(
        port=0,
        db_url=f"sqlite:///{tmp_path / 'tls.sqlite3'}",
        moderator_token=MOD_TOKEN,
        stage_token=STAGE_TOKEN,
        now=clock,
        certfile=str(certfile),
        keyfile=str(keyfile),
    )
    running = await start(settings)
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
def cafile(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


async def test_plain_wss_client(tls_server: Running, cafile: str):
    """A websocket client that trusts the CA says hello over wss:// and gets the snapshot."""
    ctx = ssl.create_default_context(cafile=cafile)
    async with connect(f"wss://127.0.0.1:{tls_server.port}/ws", ssl=ctx, proxy=None) as ws:
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "hall"}))
        assert json.loads(await ws.recv())["type"] == "welcome"
        assert json.loads(await ws.recv())["state"]["current"]["id"] == "unge"


async def test_plain_ws_is_refused_on_a_tls_port(tls_server: Running):
    """Without TLS the handshake fails (nothing is served in the clear)."""
    with pytest.raises(Exception):  # noqa: B017 - any handshake failure will do
        async with connect(f"ws://127.0.0.1:{tls_server.port}/ws", proxy=None, open_timeout=3):
            pass


@pytest.mark.parametrize("which", ["hall", "moderator", "attendee"])
async def test_every_client_accepts_wss(
    tls_server: Running, cafile: str, which: str, tmp_path: Path
):
    """The hall, the moderator console and the attendee client connect over wss://."""
    url = f"wss://127.0.0.1:{tls_server.port}/ws"
    if which == "hall":
        app = make_hall(server=url, cafile=cafile)
    elif which == "moderator":
        app = make_moderator(server=url, token=MOD_TOKEN, cafile=cafile)
    else:
        app = make_attendee(server=url, cafile=cafile, config_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.view is not None and app.link.status.state == "online")
        assert app.view.current is not None and app.view.current.id == "unge"  # type: ignore[union-attr]


async def test_untrusted_certificate_keeps_retrying_without_crashing(tls_server: Running):
    """Without the CA the hall does not connect; it says so and keeps trying."""
    app = make_hall(server=f"wss://127.0.0.1:{tls_server.port}/ws")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.link.status.state == "reconnecting")
        assert app.view is None and app.is_running
