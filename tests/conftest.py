"""Shared fixtures: a real server on a free port with a real SQLite file, real clients."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from websockets.asyncio.client import ClientConnection, connect

from kiosk.link import apply_patch
from server.app import Running, Settings, start
from server.protocol import Limits


def _samples() -> Path:
    """Public sample files (schedules and the official schemas) live beside the project, in
    ../shared/samples (or in a shared/samples of a folder further up): never copied into
    this repository. PODIUM_SAMPLES may point elsewhere."""
    if os.environ.get("PODIUM_SAMPLES"):
        return Path(os.environ["PODIUM_SAMPLES"])
    root = Path(__file__).resolve().parents[1]
    for folder in root.parents:
        if (folder / "shared" / "samples").is_dir():
            return folder / "shared" / "samples"
    return root.parent / "shared" / "samples"


SAMPLES = _samples()


def sample(name: str) -> Path:
    """A public sample file; the test skips (with the reason) where there is none.

    With PODIUM_REQUIRE_SERVICES=1 (set by .ci/run, whose machine has the samples) a
    missing sample is a failure instead, so these tests cannot silently stop running.
    """
    path = SAMPLES / name
    if not path.is_file():
        reason = f"sample {name} not found in {SAMPLES} (set PODIUM_SAMPLES to its folder)"
        if os.environ.get("PODIUM_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


#: One unit of waiting; CI machines may scale it up.
UNIT = float(os.environ.get("PODIUM_TEST_UNIT", "1.0"))
TZ = ZoneInfo("Europe/Copenhagen")
MOD_TOKEN = "mod-secret-token"
STAGE_TOKEN = "stage-secret-token"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw: float) -> None:
        self.t += timedelta(**kw)


class Client:
    """A raw websocket client that keeps every frame it received."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.role = ""  # from the welcome (a patch is ordered for the role)
        self.frames: list[str] = []
        self.welcome: dict[str, Any] = {}
        self.snapshot: dict[str, Any] = {}
        self.latest: dict[str, dict[str, Any]] = {}  # the last message of each type
        self._n = 0

    async def send(self, msg: dict[str, Any] | str) -> None:
        await self.ws.send(msg if isinstance(msg, str) else json.dumps(msg))

    async def recv(self, timeout: float = 5 * UNIT) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            frame = await self.ws.recv()
        assert isinstance(frame, str)
        self.frames.append(frame)
        msg = json.loads(frame)
        if msg.get("type") == "update":
            # An update patches the state at its base revision; tests look at whole snapshots.
            assert self.snapshot and msg["base"] == self.snapshot["revision"], (
                msg["base"],
                self.snapshot.get("revision"),
            )
            state = {**self.snapshot["state"], **msg["state"]}
            live = state["current"]["id"] if state.get("current") else None
            for name, patch in msg.get("patch", {}).items():
                state[name] = apply_patch(state[name], patch, self.role, live)
            msg = {"type": "snapshot", "revision": msg["revision"], "state": state}
        if msg.get("type") == "welcome":
            self.role = msg["role"]
        self.latest[msg.get("type", "")] = msg
        if msg.get("type") == "snapshot":
            self.snapshot = msg
        return msg

    async def expect(
        self,
        kind: str,
        pred: Callable[[dict[str, Any]], bool] = lambda m: True,
        timeout: float = 5 * UNIT,
    ) -> dict[str, Any]:
        """Read until a message of this type that satisfies pred arrives."""
        async with asyncio.timeout(timeout):
            while True:
                msg = await self.recv(timeout)
                if msg.get("type") == kind and pred(msg):
                    return msg

    async def command(self, command: str, /, cid: str | None = None, **args: Any) -> dict[str, Any]:
        """Send a command and return its ack or error."""
        self._n += 1
        cid = cid or f"c{self._n}"
        await self.send({"type": "command", "id": cid, "name": command, "args": args})
        return await self._reply(cid)

    async def _reply(self, cid: str) -> dict[str, Any]:
        async with asyncio.timeout(5 * UNIT):
            while True:
                msg = await self.recv()
                if msg.get("type") in ("ack", "error") and msg.get("id") == cid:
                    return msg

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 9, 25, 11, 40, tzinfo=TZ))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'podium.sqlite3'}"


@pytest.fixture
def limits() -> Limits:
    return Limits(hello_timeout_s=0.5 * UNIT)


async def running_server(db_url: str, clock: FakeClock, **kw: Any) -> AsyncIterator[Running]:
    """A real server on a free port, this test's database and clock (``kw``: more Settings)."""
    settings = Settings(
        port=0,
        db_url=db_url,
        moderator_token=MOD_TOKEN,
        stage_token=STAGE_TOKEN,
        now=clock,
        tick_s=0.05,
        **kw,
    )
    running = await start(settings)
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def server(db_url: str, clock: FakeClock, limits: Limits) -> AsyncIterator[Running]:
    async for running in running_server(db_url, clock, limits=limits):
        yield running


@pytest.fixture
async def restartable(
    db_url: str, clock: FakeClock, limits: Limits
) -> AsyncIterator[Callable[..., Any]]:
    """start(port=0, limits=…) → a server on this test's database and clock; call again with
    the same port to bring it back after closing it (as after a crash or a restart)."""
    started: list[Running] = []

    async def _start(port: int = 0, limits: Limits = limits) -> Running:
        settings = Settings(
            port=port,
            db_url=db_url,
            moderator_token=MOD_TOKEN,
            stage_token=STAGE_TOKEN,
            limits=limits,
            now=clock,
            tick_s=0.05,
        )
        running = await start(settings)
        started.append(running)
        return running

    yield _start
    for running in started:
        await running.close()


#: A made-up one-day conference in two rooms (Meitner, Bohr Auditoriet) on 2 October 2025.
TWO_ROOMS = Path(__file__).resolve().parent / "data" / "two-rooms.toml"


@pytest.fixture
async def two_rooms(db_url: str, clock: FakeClock) -> AsyncIterator[Running]:
    """A server on the two-room programme, its clock at 09.40 (both rooms live)."""
    clock.t = datetime(2025, 10, 2, 9, 40, tzinfo=TZ)
    async for running in running_server(db_url, clock, programme=str(TWO_ROOMS)):
        yield running


async def _connector(server: Running) -> AsyncIterator[Callable[..., Any]]:
    opened: list[Client] = []
    # The server issues client ids: a test names its clients ("alice") and gets the id the
    # server gave "alice" the first time whenever it connects as "alice" again.
    issued: dict[str, str] = {}

    async def _connect(role: str, *, handshake: bool = True, **hello: Any) -> Client:
        ws = await connect(f"ws://127.0.0.1:{server.port}/ws", proxy=None, open_timeout=5 * UNIT)
        client = Client(ws)
        opened.append(client)
        if not handshake:
            return client
        if role == "moderator":
            hello.setdefault("token", MOD_TOKEN)
        if role == "stage":
            hello.setdefault("token", STAGE_TOKEN)
        if role == "attendee":
            hello.setdefault("client_id", f"att-{len(opened)}")
        named = hello.get("client_id")
        if isinstance(named, str) and named in issued:
            hello["client_id"] = issued[named]
        await client.send({"type": "hello", "protocol": 1, "role": role, **hello})
        client.welcome = await client.expect("welcome")
        if isinstance(named, str):
            issued.setdefault(named, client.welcome["client_id"])
        await client.expect("snapshot")
        return client

    yield _connect
    for c in opened:
        await c.ws.close()


@pytest.fixture
async def connect_as(server: Running) -> AsyncIterator[Callable[..., Any]]:
    """connect_as(role, **hello) -> a Client that has read its welcome and snapshot."""
    async for connect_to in _connector(server):
        yield connect_to


@pytest.fixture
async def connect_as_two(two_rooms: Running) -> AsyncIterator[Callable[..., Any]]:
    """connect_as for the two-room server."""
    async for connect_to in _connector(two_rooms):
        yield connect_to
