"""A burst of commands, SIGKILL in the middle, a restart: every acked change is there,
and nothing un-acked is half-applied. On SQLite and, when reachable, PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.programme import default_programme
from server.storage import Store
from tests.conftest import UNIT
from tests.server.conftest import PG_URL, ServerProcess

ATTENDEES = 20
LIMITS = [
    "--limit",
    "questions_per_minute=100000",
    "--limit",
    "commands_per_second=100000",
    "--limit",
    "command_burst=100000",
    "--limit",
    "questions_per_minute_per_ip=1000000",
]


async def _attendee(port: int, n: int, acked: dict[str, str], stop: asyncio.Event) -> None:
    """Submit questions one after the other until the server dies; remember the acked ones."""
    try:
        async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None) as ws:
            await ws.send(
                json.dumps(
                    {"type": "hello", "protocol": 1, "role": "attendee", "client_id": f"burst-{n}"}
                )
            )
            k = 0
            while not stop.is_set():
                k += 1
                cid = f"{n}-{k}"
                await ws.send(
                    json.dumps(
                        {
                            "type": "command",
                            "id": cid,
                            "name": "submit_question",
                            "args": {"text": f"Spørgsmål {cid}", "item_id": "unge"},
                        }
                    )
                )
                while True:
                    msg = json.loads(await ws.recv())
                    if msg.get("type") == "ack" and msg.get("id") == cid:
                        acked[cid] = msg["result"]["question_id"]
                        break
                    if msg.get("type") == "error" and msg.get("id") == cid:
                        raise AssertionError(msg)
    except (ConnectionClosed, OSError):
        return


async def _moderator(port: int, acked: list[int], stop: asyncio.Event) -> None:
    """Shift the delay by one minute at a time; remember how many shifts were acked."""
    try:
        async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None) as ws:
            await ws.send(
                json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "m"})
            )
            k = 0
            while not stop.is_set():
                k += 1
                await ws.send(
                    json.dumps(
                        {
                            "type": "command",
                            "id": f"d{k}",
                            "name": "shift_delay",
                            "args": {"minutes": 1},
                        }
                    )
                )
                while True:
                    msg = json.loads(await ws.recv())
                    if msg.get("type") == "ack" and msg.get("id") == f"d{k}":
                        acked.append(k)
                        break
    except (ConnectionClosed, OSError):
        return


async def _burst_and_kill(spawn: Any, db: str) -> tuple[dict[str, str], list[int], ServerProcess]:
    p = spawn("--db", db, "--clock", "2025-09-25T11:40", "--moderator-token", "m", *LIMITS)
    acked: dict[str, str] = {}
    shifts: list[int] = []
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_attendee(p.port, n, acked, stop)) for n in range(ATTENDEES)]
    tasks.append(asyncio.create_task(_moderator(p.port, shifts, stop)))
    async with asyncio.timeout(30 * UNIT):
        while len(acked) < 300:
            await asyncio.sleep(0.01)
    p.proc.send_signal(signal.SIGKILL)  # in the middle of the burst: commands are in flight
    p.proc.wait()
    stop.set()
    await asyncio.gather(*tasks)
    return acked, shifts, p


def _check(store: Store, acked: dict[str, str], shifts: list[int]) -> tuple[int, int]:
    state, _ = store.load_state(store.load_programme() or default_programme())
    missing = [cid for cid, qid in acked.items() if qid not in state.questions]
    assert missing == [], f"{len(missing)} acked questions lost"
    for q in state.questions.values():  # nothing half-applied: every stored question is whole
        assert q.text.startswith("Spørgsmål ") and q.item_id == "unge" and q.status == "pending"
        assert q.client_id.startswith("att-")  # an id the server issued
    log = store.command_log()
    logged = [r for r in log if r.name == "submit_question"]
    assert len(logged) == len(
        state.questions
    )  # each stored question has its log line, and only those
    delay = state.live.room("faellessalen").delay_minutes
    print(
        f"crash: {len(acked)} questions acked, {len(state.questions)} stored; {len(shifts)} shifts acked, {delay} stored"
    )
    assert delay >= len(shifts)  # every acked shift is there (un-acked ones may be too)
    assert delay == sum(1 for r in log if r.name == "shift_delay" and r.ok)
    return len(acked), len(state.questions)


async def test_sigkill_in_a_burst_loses_nothing_acked_sqlite(spawn, tmp_path: Path):
    """SQLite: 20 attendees and a moderator in a burst, SIGKILL, restart: every ack holds."""
    db = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    acked, shifts, _ = await _burst_and_kill(spawn, db)
    store = Store(db)
    try:
        n_acked, n_stored = _check(store, acked, shifts)
    finally:
        store.close()
    assert n_acked >= 300 and n_stored >= n_acked
    # and the restarted server serves them
    again = spawn("--db", db, "--moderator-token", "m", *LIMITS)
    async with connect(f"ws://127.0.0.1:{again.port}/ws", proxy=None) as ws:
        await ws.send(
            json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "m"})
        )
        await ws.recv()
        snap = json.loads(await ws.recv())
        shown = snap["state"]["questions"]  # the newest, and a count of the rest
        assert len(shown) + snap["state"]["questions_hidden"] == n_stored


@pytest.fixture
def pg_url(pg_schema_name: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{pg_schema_name}"


async def test_sigkill_in_a_burst_loses_nothing_acked_postgres(spawn, pg_url: str):
    """PostgreSQL: the same burst, SIGKILL and restart."""
    acked, shifts, _ = await _burst_and_kill(spawn, pg_url)
    store = Store(pg_url)
    try:
        n_acked, n_stored = _check(store, acked, shifts)
    finally:
        store.close()
    assert n_acked >= 300 and n_stored >= n_acked
