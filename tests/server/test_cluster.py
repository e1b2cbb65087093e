"""Several `podium serve` processes on one PostgreSQL database (issue 17): real processes,
the CI machine's PostgreSQL (a fresh schema per test).

- a moderator on process A and halls on B and C see every change, in the same order;
- SIGKILL of A in a burst of questions and moderator commands sent to every process:
  every acked command is stored exactly once, no client's revisions go backwards, and
  the clients of A are served by B or C;
- the clock's changes happen once, not once per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections import Counter
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.storage import Store
from tests.conftest import UNIT
from tests.server.conftest import PG_URL, ServerProcess

LIMITS = [
    "--limit", "questions_per_minute=100000", "--limit", "commands_per_second=100000",
    "--limit", "command_burst=100000", "--limit", "questions_per_minute_per_ip=1000000",
    "--limit", "max_connections_per_ip=100000",
]  # fmt: skip


@pytest.fixture
def pg_url(pg_schema_name: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{pg_schema_name}"


def _serve(spawn: Any, db: str, *extra: str) -> ServerProcess:
    return spawn("--db", db, "--moderator-token", "m", *LIMITS, *extra)


async def _hello(port: int, role: str, **extra: object) -> tuple[ClientConnection, dict]:
    ws = await connect(f"ws://127.0.0.1:{port}/ws", proxy=None, max_size=2**23)
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": role, **extra}))
    welcome = json.loads(await ws.recv())
    assert welcome["type"] == "welcome", welcome
    snap = json.loads(await ws.recv())
    assert snap["type"] == "snapshot", snap
    return ws, snap


class Watcher:
    """A hall that records every revision it is sent, and the hall message at each."""

    def __init__(self, ws: ClientConnection, snap: dict) -> None:
        self.ws = ws
        self.revisions = [snap["revision"]]
        self.messages: list[str | None] = [_text(snap["state"].get("hall_message"))]
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                msg = json.loads(frame)
                if msg.get("type") in ("snapshot", "update"):
                    self.revisions.append(msg["revision"])
                    if "hall_message" in msg["state"]:
                        self.messages.append(_text(msg["state"]["hall_message"]))
        except ConnectionClosed:
            return

    async def wait_for(self, text: str) -> None:
        async with asyncio.timeout(10 * UNIT):
            while text not in self.messages:
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        self.task.cancel()
        await self.ws.close()


def _text(message: Any) -> str | None:
    return message.get("text") if isinstance(message, dict) else None


async def _command(ws: ClientConnection, cid: str, name: str, args: dict) -> dict:
    await ws.send(json.dumps({"type": "command", "id": cid, "name": name, "args": args}))
    while True:
        msg = json.loads(await ws.recv())
        if msg.get("id") == cid and msg.get("type") in ("ack", "error"):
            return msg


async def test_a_moderator_on_one_process_halls_on_two_others_see_every_change_in_order(
    spawn, pg_url: str
):
    a = _serve(spawn, pg_url, "--clock", "2025-09-25T11:40")
    b = _serve(spawn, pg_url, "--clock", "2025-09-25T11:40")
    c = _serve(spawn, pg_url, "--clock", "2025-09-25T11:40")
    mod, _ = await _hello(a.port, "moderator", token="m")
    halls = [Watcher(*await _hello(p.port, "hall")) for p in (b, c)]
    try:
        revisions = []
        for n in range(20):
            ack = await _command(mod, f"m{n}", "set_hall_message", {"text": f"Besked {n}"})
            assert ack["type"] == "ack", ack
            revisions.append(ack["revision"])
        assert revisions == sorted(revisions) and len(set(revisions)) == 20
        for hall in halls:
            await hall.wait_for("Besked 19")
            assert hall.revisions == sorted(hall.revisions)  # never backwards
            seen = [m for m in hall.messages if m and m.startswith("Besked")]
            assert seen == sorted(set(seen), key=lambda t: int(t.split()[1]))
        # The same clock on every process (PostgreSQL's, the stored rehearsal start).
        clocks = []
        for p in (a, b, c):
            _, snap = await _hello(p.port, "hall")
            clocks.append(snap["state"]["clock"])
        assert len({c[:16] for c in clocks}) == 1, clocks
    finally:
        await mod.close()
        for hall in halls:
            await hall.close()


async def _asker(port: int, n: int, acked: dict[str, str], stop: asyncio.Event) -> int:
    """Submit questions until the process dies; the acked ones are remembered."""
    sent = 0
    try:
        ws, _ = await _hello(port, "attendee", client_id=f"k-{n}")
        async with ws:
            while not stop.is_set():
                sent += 1
                cid = f"{port}-{n}-{sent}"
                reply = await _command(
                    ws, cid, "submit_question", {"text": f"Spørgsmål {cid}", "item_id": "unge"}
                )
                if reply["type"] == "ack":
                    acked[cid] = reply["result"]["question_id"]
    except (ConnectionClosed, OSError):
        pass
    return sent


async def _shifter(port: int, acked: list[int], stop: asyncio.Event, tag: str) -> None:
    try:
        ws, _ = await _hello(port, "moderator", token="m")
        async with ws:
            k = 0
            while not stop.is_set():
                k += 1
                reply = await _command(ws, f"{tag}{k}", "shift_delay", {"minutes": 1})
                if reply["type"] == "ack":
                    acked.append(reply["revision"])
    except (ConnectionClosed, OSError):
        pass


async def test_sigkill_of_one_process_in_a_burst_loses_nothing_and_applies_nothing_twice(
    spawn, pg_url: str
):
    procs = [_serve(spawn, pg_url, "--clock", "2025-09-25T11:40") for _ in range(3)]
    a, b, c = procs
    watchers = [Watcher(*await _hello(p.port, "hall")) for p in (b, c)]
    acked: dict[str, str] = {}
    shifts: list[int] = []
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_asker(p.port, n, acked, stop)) for p in procs for n in range(6)]
    tasks += [asyncio.create_task(_shifter(p.port, shifts, stop, f"s{p.port}-")) for p in procs]
    async with asyncio.timeout(30 * UNIT):
        while len(acked) < 300:
            await asyncio.sleep(0.01)
    a.proc.send_signal(signal.SIGKILL)  # commands are in flight on A
    a.proc.wait()
    await asyncio.sleep(1.0)  # B and C go on serving the others
    before_stop = len(acked)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 20 * UNIT)
    assert len(acked) > before_stop  # B and C kept serving after A died

    # A's attendees come back on B with the same client id: what they resend is not doubled.
    ws, _ = await _hello(b.port, "attendee", client_id="k-resend")
    first = await _command(ws, "again-1", "submit_question", {"text": "Én gang", "item_id": "unge"})
    second = await _command(
        ws, "again-1", "submit_question", {"text": "Én gang", "item_id": "unge"}
    )
    await ws.close()
    assert first == second and first["type"] == "ack"

    store = Store(pg_url)
    try:
        state, revision = store.load_state(store.load_programme())  # type: ignore[arg-type]
        log = store.command_log()
    finally:
        store.close()
    missing = [cid for cid, qid in acked.items() if qid not in state.questions]
    assert missing == [], f"{len(missing)} acked questions lost"
    logged = Counter((e.client_key, e.command_id) for e in log)
    assert max(logged.values()) == 1  # nothing applied twice
    asked = [e for e in log if e.name == "submit_question"]
    assert len(asked) == len(state.questions)  # each stored question once, with its log line
    assert sum(1 for q in state.questions.values() if q.text == "Én gang") == 1
    delay = state.live.room("faellessalen").delay_minutes
    assert delay >= len(shifts) and delay == sum(1 for e in log if e.name == "shift_delay")
    revisions = sorted(e.revision for e in log)
    assert len(set(revisions)) == len(revisions)  # one global order: no revision given twice
    for w in watchers:
        assert w.revisions == sorted(w.revisions)  # no client's revisions went backwards
        await w.close()
    assert revision >= revisions[-1]


async def _changes_after(pg_url: str, revision: int) -> list[tuple[int, list]]:
    from sqlmodel import Session, select

    from server.storage.tables import ChangeRow

    store = Store(pg_url)
    try:
        with Session(store.db) as s:
            rows = s.exec(select(ChangeRow).where(ChangeRow.revision > revision))
            return sorted((r.revision, json.loads(r.changes)) for r in rows)
    finally:
        store.close()


async def test_the_clocks_changes_happen_once_across_three_processes(spawn, pg_url: str):
    """Rehearsal speed 300: five minutes of the day pass each second. The welcome (15
    minutes) goes live by hand and overruns after 3 s; from then on the next items'
    expected times move every tick. Three processes: one republish per tick, not three;
    and a hall message of one minute expires once."""
    procs = [
        _serve(spawn, pg_url, "--clock", "2025-09-25T10:15", "--clock-speed", "300")
        for _ in range(3)
    ]
    mod, _ = await _hello(procs[0].port, "moderator", token="m")
    live = await _command(mod, "live", "go_live", {"item_id": "velkommen"})
    assert live["type"] == "ack", live
    ack = await _command(mod, "msg", "set_hall_message", {"text": "Et øjeblik", "expires_in_s": 60})
    assert ack["type"] == "ack", ack
    await mod.close()
    await asyncio.sleep(4.0)  # the message expired; the welcome is overrunning
    start = (await _changes_after(pg_url, ack["revision"]))[-1][0]
    await asyncio.sleep(5.0)  # five ticks of overrun
    rows = await _changes_after(pg_url, start)
    assert all(changes == [] for _, changes in rows), rows  # the clock's alone
    assert 3 <= len(rows) <= 7, rows  # about one a second, not three
    expiries = [r for r in await _changes_after(pg_url, ack["revision"]) if r[1] == [["live"]]]
    assert len(expiries) == 1, expiries


async def test_clients_given_several_servers_move_on_when_theirs_dies(spawn, pg_url: str):
    """A hall and a moderator, each with `--server A,B`, on A; A is killed (SIGKILL) while
    the moderator's command is on its way: both are on B within seconds with the current
    state, and the command is applied exactly once."""
    import time

    from kiosk.link import Link, Snapshot

    a = _serve(spawn, pg_url, "--clock", "2025-09-25T11:40")
    b = _serve(spawn, pg_url, "--clock", "2025-09-25T11:40")
    urls = f"ws://127.0.0.1:{a.port}/ws,ws://127.0.0.1:{b.port}/ws"
    seen: list[Snapshot] = []
    hall = Link(urls, "hall", lambda e: seen.append(e) if isinstance(e, Snapshot) else None)
    mod = Link(urls, "moderator", lambda e: None, token="m", client_id="moderator-failover")
    tasks = [asyncio.create_task(hall.run()), asyncio.create_task(mod.run())]
    try:
        async with asyncio.timeout(10 * UNIT):
            while not (hall.state and mod.state):
                await asyncio.sleep(0.01)
        assert hall.url.endswith(f":{a.port}/ws") and mod.url.endswith(f":{a.port}/ws")
        first = await mod.command("set_hall_message", {"text": "Før"}, "before")
        assert first["type"] == "ack"
        a.proc.send_signal(signal.SIGSTOP)  # A stops answering: the command waits in flight
        sending = asyncio.create_task(
            mod.command("shift_delay", {"minutes": 5}, "in-flight", timeout=20 * UNIT)
        )
        await asyncio.sleep(0.2)
        killed = time.monotonic()
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        reply = await sending
        assert reply["type"] == "ack", reply
        async with asyncio.timeout(10 * UNIT):
            while not (hall.state and hall.state.get("delay_minutes") == 5):
                await asyncio.sleep(0.01)
        moved = time.monotonic() - killed
        assert hall.url.endswith(f":{b.port}/ws") and mod.url.endswith(f":{b.port}/ws")
        assert moved < 10 * UNIT
        revisions = [s.revision for s in seen]
        assert revisions == sorted(revisions)  # never backwards across the move
        print(f"failover: the hall had the current state on B {moved:.2f} s after SIGKILL of A")
    finally:
        hall.stop()
        mod.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
    store = Store(pg_url)
    try:
        log = store.command_log()
    finally:
        store.close()
    assert [e.command_id for e in log if e.name == "shift_delay"] == ["in-flight"]


class CuttableProxy:
    """A TCP proxy to PostgreSQL, in threads of its own (the server under test starts while
    this test's event loop waits), that can cut every connection and refuse new ones."""

    def __init__(self, target_port: int = 5432) -> None:
        import socket
        import threading

        self.target_port = target_port
        self.up = True
        self.socks: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.socks += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: Any, dst: Any) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self) -> None:
        import socket

        self.up = False
        with self.lock:
            for sock in self.socks:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            self.socks.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


async def test_the_database_cut_mid_burst_fails_commands_visibly_and_loses_nothing(
    spawn, pg_schema_name: str
):
    """The network to PostgreSQL is cut for 2 s in a burst of questions: commands in that
    time get `storage_error` (nothing silent), the process reconnects by itself, and every
    acked question is stored."""
    proxy = CuttableProxy()
    url = (
        f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
        f"?options=-csearch_path%3D{pg_schema_name}&connect_timeout=2"
    )
    p = _serve(spawn, url, "--clock", "2025-09-25T11:40")
    ws, _ = await _hello(p.port, "attendee", client_id="cut-1")
    acked: dict[str, str] = {}
    failed: list[str] = []
    try:
        async with asyncio.timeout(60 * UNIT):
            n = 0
            phase = "before"
            cut_at = restored_at = 0.0
            loop = asyncio.get_running_loop()
            while True:
                n += 1
                cid = f"q{n}"
                reply = await _command(
                    ws, cid, "submit_question", {"text": f"Spørgsmål {cid}", "item_id": "unge"}
                )
                if reply["type"] == "ack":
                    acked[cid] = reply["result"]["question_id"]
                else:
                    assert reply["code"] == "storage_error", reply
                    failed.append(cid)
                if phase == "before" and len(acked) >= 50:
                    proxy.cut()
                    phase, cut_at = "cut", loop.time()
                elif phase == "cut" and loop.time() - cut_at > 2.0:
                    proxy.restore()
                    phase, restored_at = "restored", loop.time()
                elif (
                    phase == "restored"
                    and list(acked)[-1] == cid
                    and loop.time() - restored_at > 0.5
                ):
                    break  # acks again since half a second after the restore
                await asyncio.sleep(0.02)
    finally:
        await ws.close()
    assert failed, "no command failed while the database was away"
    print(f"cut: {len(acked)} acked, {len(failed)} refused with storage_error")
    store = Store(f"{PG_URL}?options=-csearch_path%3D{pg_schema_name}")
    try:
        state, _ = store.load_state(store.load_programme())  # type: ignore[arg-type]
        log = store.command_log()
    finally:
        store.close()
        proxy.close()
    assert [cid for cid, qid in acked.items() if qid not in state.questions] == []
    assert not {e.command_id for e in log} & set(failed)  # a refused one is not stored


async def test_when_the_ticker_dies_another_process_takes_over(spawn, pg_url: str):
    """/healthz says which process runs the clock's changes; SIGKILL it and another one
    does within a few seconds."""
    import urllib.request

    def health(p: ServerProcess) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{p.port}/healthz", timeout=5) as r:
            return dict(json.loads(r.read()))

    procs = [_serve(spawn, pg_url) for _ in range(3)]
    async with asyncio.timeout(10 * UNIT):
        while not any(health(p)["ticker"] for p in procs):
            await asyncio.sleep(0.2)
    tickers = [p for p in procs if health(p)["ticker"]]
    assert len(tickers) == 1 and all(health(p)["database"] == "ok" for p in procs)
    tickers[0].proc.send_signal(signal.SIGKILL)
    tickers[0].proc.wait()
    rest = [p for p in procs if p is not tickers[0]]
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with asyncio.timeout(10 * UNIT):
        while not any(health(p)["ticker"] for p in rest):
            await asyncio.sleep(0.1)
    assert sum(health(p)["ticker"] for p in rest) == 1
    print(f"ticker: taken over {loop.time() - t0:.2f} s after SIGKILL")


async def test_every_process_tells_the_same_time_within_50_ms(spawn, pg_url: str):
    """Three processes started a second or more apart, in one rehearsal (`--clock`): the
    server time each gives in `welcome` agrees within 50 ms (PostgreSQL's clock and the
    rehearsal's start stored by the first)."""
    import time
    from datetime import datetime

    procs = [_serve(spawn, pg_url, "--clock", "2025-09-25T11:40") for _ in range(3)]
    offsets: dict[int, list[float]] = {}
    for _ in range(3):
        for p in procs:
            async with connect(f"ws://127.0.0.1:{p.port}/ws", proxy=None) as ws:
                t0 = time.time()
                await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "hall"}))
                welcome = json.loads(await ws.recv())
                t1 = time.time()
            told = datetime.fromisoformat(welcome["server_time"]).timestamp()
            offsets.setdefault(p.port, []).append(told - (t0 + t1) / 2)
    typical = [sorted(v)[1] for v in offsets.values()]  # the median of three
    assert max(typical) - min(typical) < 0.05, offsets


async def test_a_process_cut_from_the_database_sends_its_clients_to_another(
    spawn, pg_schema_name: str
):
    """A split between process A and PostgreSQL (B still reaches it): A refuses commands at
    once, after 5 s closes its clients' connections and fails its health check; a hall
    that knows both addresses is then on B."""
    import time
    import urllib.error
    import urllib.request

    from kiosk.link import Link

    proxy = CuttableProxy()
    via_proxy = (
        f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
        f"?options=-csearch_path%3D{pg_schema_name}&connect_timeout=2"
    )
    direct = f"{PG_URL}?options=-csearch_path%3D{pg_schema_name}"
    a = _serve(spawn, via_proxy, "--clock", "2025-09-25T11:40")
    b = _serve(spawn, direct, "--clock", "2025-09-25T11:40")
    urls = f"ws://127.0.0.1:{a.port}/ws,ws://127.0.0.1:{b.port}/ws"
    hall = Link(urls, "hall", lambda e: None)
    task = asyncio.create_task(hall.run())
    try:
        async with asyncio.timeout(10 * UNIT):
            while hall.state is None:
                await asyncio.sleep(0.01)
        assert hall.url.endswith(f":{a.port}/ws")
        proxy.cut()
        cut = time.monotonic()
        async with asyncio.timeout(20 * UNIT):
            while not hall.url.endswith(f":{b.port}/ws") or hall.status.state != "online":
                await asyncio.sleep(0.05)
        moved = time.monotonic() - cut
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(f"http://127.0.0.1:{a.port}/healthz", timeout=5)
        assert exc.value.code == 503
        assert json.loads(exc.value.read())["database"] == "unreachable"
        assert 4.0 < moved < 12.0, moved
        print(f"split: the hall left A for B {moved:.1f} s after A lost its database")
    finally:
        hall.stop()
        await asyncio.gather(task, return_exceptions=True)
        proxy.close()
