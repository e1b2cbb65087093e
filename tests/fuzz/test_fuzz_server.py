"""Random frames at a real server: it answers with an error or ignores them, keeps its state,
and the other clients keep receiving updates."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from server.app import Running, Settings, start
from server.protocol import Limits
from tests.conftest import MOD_TOKEN, STAGE_TOKEN, UNIT
from tests.fuzz.test_fuzz_rules import JSON, TEXT

FRAMES = 250


class ThreadServer:
    """A real server on its own loop in a thread, for synchronous (hypothesis) tests."""

    def __init__(self, db: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.running: Running | None = None
        self.db = db
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(20 * UNIT)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        limits = Limits(commands_per_second=10_000, command_burst=10_000, max_errors=10**9)
        settings = Settings(
            port=0,
            db_url=f"sqlite:///{self.db}",
            moderator_token=MOD_TOKEN,
            stage_token=STAGE_TOKEN,
            limits=limits,
        )
        self.running = self.loop.run_until_complete(start(settings))
        self.ready.set()
        self.loop.run_forever()

    def call(self, fn: Any) -> Any:
        async def wrapper() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(10 * UNIT)

    def stop(self) -> None:
        assert self.running is not None
        asyncio.run_coroutine_threadsafe(self.running.close(), self.loop).result(20 * UNIT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10 * UNIT)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    server = ThreadServer(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3")
    yield server
    server.stop()


def _hello(port: int, role: str, **kw: Any) -> ClientConnection:
    ws = connect(f"ws://127.0.0.1:{port}/ws", proxy=None, open_timeout=5 * UNIT, legacy=True)
    ws.send(json.dumps({"type": "hello", "protocol": 1, "role": role, **kw}))
    assert json.loads(ws.recv(5 * UNIT))["type"] == "welcome"
    return ws


class Fuzzer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.ws = _hello(port, "attendee", client_id="fuzzer")
        self.sent = 0

    def send(self, frame: str | bytes) -> None:
        for _ in range(2):
            try:
                self.ws.send(frame)
                self.sent += 1
                return
            except ConnectionClosed:
                self.ws = _hello(self.port, "attendee", client_id="fuzzer")


COMMANDISH = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["command", "resync", "hello", "ping", "x"]),
        "id": st.one_of(TEXT, st.integers()),
        "name": st.one_of(
            TEXT, st.sampled_from(["submit_question", "vote", "unvote", "next", "go_live"])
        ),
        "args": JSON,
    }
)


@pytest.mark.timeout_heavy
def test_random_frames_at_a_real_server(live: ThreadServer):
    """Garbage, wrong types, huge numbers and odd Unicode from an attendee change nothing a hall sees
    except what an attendee may do, and the hall keeps getting updates."""
    assert live.running is not None
    port = live.running.port
    fuzzer = Fuzzer(port)
    hall = _hello(port, "hall")
    hall.recv(5 * UNIT)  # its first snapshot
    mod = _hello(port, "moderator", token=MOD_TOKEN)

    @settings(
        max_examples=FRAMES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        st.one_of(TEXT, COMMANDISH.map(json.dumps), JSON.map(json.dumps), st.binary(max_size=200))
    )
    def fire(frame: Any) -> None:
        tried.append(1)
        fuzzer.send(frame)

    tried: list[int] = []

    fire()
    live_before = live.call(lambda: live.running.sequencer.state.live)  # type: ignore[union-attr]
    # The moderator's change still reaches the hall, and nothing an attendee may not do happened.
    mod.send(
        json.dumps(
            {
                "type": "command",
                "id": "after-fuzz",
                "name": "set_hall_message",
                "args": {"text": "Stadig her"},
            }
        )
    )
    deadline = 10 * UNIT
    seen = False
    while not seen:
        msg = json.loads(hall.recv(deadline))
        # An update since the hall's first snapshot (or a whole snapshot after a resync).
        seen = (
            msg.get("type") in ("snapshot", "update")
            and (msg["state"].get("hall_message") or {}).get("text") == "Stadig her"
        )
    assert seen
    assert (
        live_before.rooms == {} and live_before.hall_message is None
    )  # attendees cannot drive the day
    assert len(tried) >= FRAMES * 0.8 and fuzzer.sent >= len(tried) * 0.9
    for ws in (fuzzer.ws, hall, mod):
        ws.close()
