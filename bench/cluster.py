"""bench/cluster: several `podium serve` processes on one PostgreSQL database (issue 17).

Every figure against a baseline in the same run:

- fan-out: N attendee clients spread over 1, 2 and 4 processes; a moderator on the first
  posts a hall message; each client's time from the send to its arrival. Baselines: the
  same clients on one process, and a bare websockets broadcast of the same bytes;
- the PostgreSQL path: a moderator's command to a hall on the same process, on SQLite
  (publish, then commit) and on PostgreSQL (commit, NOTIFY, publish), and to a hall on
  another process;
- failover: N clients on process A that know B too; A is killed (SIGKILL); the time until
  the last of them has the current state from B;
- write throughput: attendees asking questions as fast as they are acked, on 1, 2 and 4
  processes; every acked question is checked in the database afterwards.

This machine has 2 cores: the harness, the processes and PostgreSQL share them, so more
processes here measure the cost of the cluster, not the capacity of more machines.

    python -m bench.cluster [--clients 1000,5000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from websockets.asyncio.client import ClientConnection, connect

from bench.common import ROOT, machine, raise_fd_limit, write_results
from bench.fanout import run_bare
from server.programme import default_programme
from server.storage import Store

PG = os.environ.get("PODIUM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TIMEOUT = 60.0
LIMITS = [
    "--limit", "max_connections=100000", "--limit", "max_connections_per_ip=100000",
    "--limit", "commands_per_second=100000", "--limit", "command_burst=100000",
    "--limit", "questions_per_minute=100000", "--limit", "questions_per_minute_per_ip=10000000",
]  # fmt: skip


def pct(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] if s else float("nan")


class Schema:
    """A fresh PostgreSQL schema for one configuration, dropped afterwards."""

    def __init__(self) -> None:
        self.name = f"podium_b_{secrets.token_hex(4)}"
        self.admin = create_engine(PG)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        self.url = f"{PG}?options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.admin.dispose()


class Proc:
    """`podium serve` in its own process."""

    def __init__(self, db: str, repo: Path = ROOT) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "serve", "--host", "127.0.0.1", "--port", "0",
             "--db", db, "--clock", "2025-09-25T11:40", "--moderator-token", "bench", *LIMITS],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=repo,
            env={**os.environ, "PYTHONPATH": str(repo)},
        )  # fmt: skip
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        self.port = int(first.split(":")[-1].split("/")[0])
        for line in self.proc.stdout:
            if line.startswith(("Stop med", "Stop with")):
                break
        self.url = f"ws://127.0.0.1:{self.port}/ws"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def cluster(db: str, n: int, repo: Path = ROOT) -> list[Proc]:
    return [Proc(db, repo) for _ in range(n)]


async def hello(url: str, role: str, **extra: object) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(url, proxy=None, compression=None, max_size=2**23, open_timeout=TIMEOUT,
                       ping_interval=None)  # fmt: skip
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": role, **extra}))
    await ws.recv()  # welcome
    return ws, json.loads(await ws.recv())


async def command(
    ws: ClientConnection, cid: str, name: str, args: dict[str, Any]
) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "command", "id": cid, "name": name, "args": args}))
    while True:
        msg: dict[str, Any] = json.loads(await ws.recv())
        if msg.get("id") == cid:
            return msg


class Crowd:
    """Clients whose arrival of a marker after ``arm()`` is timed."""

    def __init__(self) -> None:
        self.conns: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.marker = ""
        self.t0 = 0.0
        self.samples: list[float] = []
        self.pending = 0
        self.done = asyncio.Event()
        self.frame = ""

    async def open(self, urls: list[str], n: int, role: str = "attendee") -> None:
        async def one(i: int) -> None:
            ws, _ = await hello(urls[i % len(urls)], role)
            self.conns.append(ws)

        for start in range(0, n, 100):
            await asyncio.gather(*(one(i) for i in range(start, min(n, start + 100))))
        self.tasks = [asyncio.create_task(self._read(ws)) for ws in self.conns]

    async def _read(self, ws: ClientConnection) -> None:
        async for frame in ws:
            if self.pending and isinstance(frame, str) and self.marker in frame:
                self.frame = frame
                self.samples.append(time.perf_counter() - self.t0)
                self.pending -= 1
                if not self.pending:
                    self.done.set()

    def arm(self, marker: str) -> None:
        self.marker, self.samples, self.pending = marker, [], len(self.conns)
        self.done.clear()
        self.t0 = time.perf_counter()

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*(ws.close() for ws in self.conns), return_exceptions=True)


async def rounds_of_messages(
    url: str, crowd: Crowd, rounds: int, pause: float, *, every: bool
) -> list[float]:
    """A moderator at ``url`` posts a hall message ``rounds`` times (after one to warm up);
    each round's time to every client of ``crowd`` (``every``) or to the last of them."""
    mod, _ = await hello(url, "moderator", token="bench")
    samples: list[float] = []
    for r in range(rounds + 1):
        crowd.arm(f"Runde {r}!")
        await mod.send(json.dumps({"type": "command", "id": f"r{r}", "name": "set_hall_message",
                                   "args": {"text": f"Runde {r}!"}}))  # fmt: skip
        await asyncio.wait_for(crowd.done.wait(), TIMEOUT)
        if r:
            samples += crowd.samples if every else [max(crowd.samples)]
        await asyncio.sleep(pause)
    await mod.close()
    return samples


async def fanout(db: str, procs: int, clients: int, rounds: int) -> tuple[list[float], str]:
    ps = cluster(db, procs)
    crowd = Crowd()
    try:
        await crowd.open([p.url for p in ps], clients)
        # Each client's time; 0.3 s between rounds: past the attendees' coalescing window.
        samples = await rounds_of_messages(ps[0].url, crowd, rounds, 0.3, every=True)
        return samples, crowd.frame
    finally:
        await crowd.close()
        for p in ps:
            p.stop()


async def path_latency(db: str, procs: int, rounds: int, repo: Path = ROOT) -> list[float]:
    """A moderator on the first process, 10 halls on the last: send to arrival."""
    ps = cluster(db, procs, repo)
    crowd = Crowd()
    try:
        await crowd.open([ps[-1].url], 10, role="hall")
        return await rounds_of_messages(ps[0].url, crowd, rounds, 0.02, every=False)
    finally:
        await crowd.close()
        for p in ps:
            p.stop()


async def failover(db: str, clients: int) -> tuple[float, float]:
    """Seconds from SIGKILL of A until the last of its clients has B's current state
    (median client, last client)."""
    a, b = cluster(db, 2)
    done: list[float] = []
    killed = asyncio.Event()
    t_kill = [0.0]
    target = [0]

    async def client(i: int) -> None:
        ws, _ = await hello(a.url, "hall")
        try:
            async for _ in ws:
                pass
        except Exception:
            pass
        await killed.wait()
        while True:  # to B, as a Link with both addresses does at once
            try:
                ws2, snap = await hello(b.url, "hall")
                break
            except Exception:
                await asyncio.sleep(0.05)
        while snap.get("revision", -1) < target[0]:
            snap = json.loads(await ws2.recv())
        done.append(time.perf_counter() - t_kill[0])
        await ws2.close()

    try:
        tasks = []
        for start in range(0, clients, 100):
            batch = [
                asyncio.create_task(client(i)) for i in range(start, min(clients, start + 100))
            ]
            tasks += batch
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        mod, _ = await hello(a.url, "moderator", token="bench")
        ack = await command(mod, "last", "set_hall_message", {"text": "Sidst før nedbruddet"})
        target[0] = ack["revision"]
        t_kill[0] = time.perf_counter()
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        killed.set()
        await asyncio.wait_for(asyncio.gather(*tasks), TIMEOUT)
        return statistics.median(done), max(done)
    finally:
        a.stop()
        b.stop()


async def throughput(
    db: str, procs: int, askers: int, seconds: float, repo: Path = ROOT
) -> tuple[float, int, int]:
    """Questions acked per second, and (acked, stored) for the check."""
    ps = cluster(db, procs, repo)
    acked: dict[str, str] = {}
    stop = asyncio.Event()

    async def ask(i: int) -> None:
        ws, _ = await hello(ps[i % len(ps)].url, "attendee")
        n = 0
        while not stop.is_set():
            n += 1
            cid = f"{i}-{n}"
            reply = await command(ws, cid, "submit_question",
                                  {"text": f"Spørgsmål {cid}", "item_id": "unge"})  # fmt: skip
            if reply.get("type") == "ack":
                acked[cid] = reply["result"]["question_id"]
        await ws.close()

    try:
        tasks = [asyncio.create_task(ask(i)) for i in range(askers)]
        await asyncio.sleep(1.0)  # connected and warm
        start_n, t0 = len(acked), time.perf_counter()
        await asyncio.sleep(seconds)
        rate = (len(acked) - start_n) / (time.perf_counter() - t0)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), TIMEOUT)
    finally:
        for p in ps:
            p.stop()
    store = Store(db)
    try:
        state, _ = store.load_state(store.load_programme() or default_programme())
    finally:
        store.close()
    stored = sum(1 for qid in acked.values() if qid in state.questions)
    return rate, len(acked), stored


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def ms(xs: Sequence[float]) -> str:
    return f"{pct(xs, 50) * 1000:.1f} / {pct(xs, 99) * 1000:.1f}"


async def measure(clients: list[int], rounds: int) -> list[str]:
    out = [
        "## bench/cluster — several processes on one PostgreSQL database",
        "",
        f"Machine: {machine()}. Harness, server processes and PostgreSQL on the same 2 cores; "
        f"times in ms (p50 / p99), {rounds} rounds.",
        "",
        "### Fan-out: a moderator's hall message to every attendee",
        "",
        row(
            "attendees",
            "1 process",
            "2 processes",
            "4 processes",
            "bare broadcast",
            "4 processes / 1",
            "1 process / bare",
        ),
        row("---:", "---", "---", "---", "---", "---:", "---:"),
    ]
    for n in clients:
        got: dict[int, list[float]] = {}
        payload = ""
        for procs in (1, 2, 4):
            schema = Schema()
            try:
                got[procs], frame = await fanout(schema.url, procs, n, rounds)
                payload = payload or frame
            finally:
                schema.drop()
        bare = await run_bare(n, rounds, payload)
        ratio = pct(got[4], 99) / pct(got[1], 99)
        vs_bare = pct(got[1], 99) / pct(bare, 99)
        out.append(row(f"{n:,}", ms(got[1]), ms(got[2]), ms(got[4]), ms(bare),
                       f"{ratio:.2f}×", f"{vs_bare:.2f}×"))  # fmt: skip
        print(out[-1], flush=True)
    out += [
        "",
        "### The PostgreSQL path: a moderator's command to 10 halls (the last of them)",
        "",
        row("where", "p50 / p99", "against SQLite"),
        row("---", "---", "---:"),
    ]
    tmp = Path(tempfile.mkdtemp(prefix="podium-bench-"))
    sqlite = await path_latency(f"sqlite:///{tmp / 'one.sqlite3'}", 1, rounds * 5)
    out.append(row("SQLite, one process (publish, then commit)", ms(sqlite), "1.00×"))
    for procs, label in ((1, "PostgreSQL, the same process"), (2, "PostgreSQL, another process")):
        schema = Schema()
        try:
            xs = await path_latency(schema.url, procs, rounds * 5)
        finally:
            schema.drop()
        out.append(row(f"{label} (commit, NOTIFY, publish)", ms(xs),
                       f"{pct(xs, 50) / pct(sqlite, 50):.2f}× p50"))  # fmt: skip
        print(out[-1], flush=True)
    out += ["", "### Failover: SIGKILL of A, its halls move to B", "",
            row("halls on A", "median client", "last client"), row("---:", "---:", "---:")]  # fmt: skip
    for n in (100, min(1000, max(clients))):
        schema = Schema()
        try:
            med, last = await failover(schema.url, n)
        finally:
            schema.drop()
        out.append(row(f"{n:,}", f"{med:.2f} s", f"{last:.2f} s"))
        print(out[-1], flush=True)
    out += ["", "### Write throughput: questions acked per second (60 askers, 5 s)", "",
            row("processes", "questions/s", "acked", "stored", "against 1 process"),
            row("---:", "---:", "---:", "---:", "---:")]  # fmt: skip
    base = 0.0
    for procs in (1, 2, 4):
        schema = Schema()
        try:
            rate, n_acked, stored = await throughput(schema.url, procs, 60, 5.0)
        finally:
            schema.drop()
        base = base or rate
        out.append(row(procs, f"{rate:.0f}", n_acked, stored, f"{rate / base:.2f}×"))
        print(out[-1], flush=True)
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--clients", default="1000,5000")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--out", type=Path, default=Path("bench/results/cluster.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    try:
        create_engine(PG).connect().close()
    except Exception as exc:  # no PostgreSQL here: say so in the results, do not fail
        rows = ["## bench/cluster", "", f"Not run: PostgreSQL not reachable at {PG} ({exc})."]
    else:
        rows = asyncio.run(measure([int(c) for c in args.clients.split(",")], args.rounds))
    return write_results(args.out, rows)


if __name__ == "__main__":
    raise SystemExit(main())
