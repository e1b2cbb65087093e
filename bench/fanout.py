"""bench/fanout: how long until every connected client has a moderator's change.

N hall clients (100, 1,000, 2,000) on a real `podium serve` in its own process; a
moderator posts a hall message; each client's time from the send to the arrival of
the new snapshot is one sample. In the same run, the same clients on a bare server
that only calls ``broadcast`` with a message of the same size. The two alternate
(several rounds each) and medians are compared. Loopback only; every loop bounded.

    python -m bench.fanout [--clients 100,1000,2000] [--rounds 10] [--alternations 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.common import ROOT, machine, raise_fd_limit, start_server

TIMEOUT = 30.0


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


class Listeners:
    """N websocket clients whose next frame after ``arm()`` is timed."""

    def __init__(self) -> None:
        self.conns: list[ClientConnection] = []
        self.t0 = 0.0
        self.samples: list[float] = []
        self.pending = 0
        self.done = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.frame = ""
        self.last_frame = ""

    async def open(self, url: str, n: int, hello: str | None) -> None:
        async def one() -> None:
            ws = await connect(
                url,
                proxy=None,
                compression=None,
                max_size=2**22,
                open_timeout=TIMEOUT,
                ping_interval=None,
            )
            if hello:
                await ws.send(hello)
                await ws.recv()  # welcome
                self.frame = str(await ws.recv())  # the first snapshot
            self.conns.append(ws)

        for start in range(0, n, 100):  # connect in steps, not all at once
            await asyncio.gather(*(one() for _ in range(min(100, n - start))))
        self.tasks = [asyncio.create_task(self._read(ws)) for ws in self.conns]
        gc.collect()  # the harness's collector must not pause the listeners mid-round
        gc.freeze()

    async def _read(self, ws: ClientConnection) -> None:
        async for frame in ws:
            if self.pending > 0:
                self.last_frame = str(frame)
                self.samples.append(time.perf_counter() - self.t0)
                self.pending -= 1
                if self.pending == 0:
                    self.done.set()

    def arm(self) -> None:
        self.done.clear()
        self.pending = len(self.conns)
        self.t0 = time.perf_counter()

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*(ws.close() for ws in self.conns), return_exceptions=True)


async def run_podium(n: int, rounds: int) -> tuple[list[float], str]:
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "fanout.sqlite3"
    server, port = start_server(
        "--db", str(db), "--clock", "2025-09-25T11:40", "--moderator-token", "bench",
        "--limit", "max_connections=100000", "--limit", "max_connections_per_ip=100000",
        "--limit", "commands_per_second=100000", "--limit", "command_burst=100000",
    )  # fmt: skip
    url = f"ws://127.0.0.1:{port}/ws"
    listeners = Listeners()
    try:
        await listeners.open(url, n, json.dumps({"type": "hello", "protocol": 1, "role": "hall"}))
        async with connect(url, proxy=None, compression=None, max_size=2**22) as mod:
            await mod.send(
                json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "bench"})
            )
            await mod.recv()
            await mod.recv()
            samples: list[float] = []
            for r in range(rounds + 1):  # the first round warms up
                listeners.samples = []
                listeners.arm()
                await mod.send(
                    json.dumps(
                        {
                            "type": "command",
                            "id": f"r{r}",
                            "name": "set_hall_message",
                            "args": {"text": f"Runde {r}"},
                        }
                    )
                )
                await asyncio.wait_for(listeners.done.wait(), TIMEOUT)
                if r:
                    samples += listeners.samples
        # The bare server sends what the clients really got: an update, not the first snapshot.
        return samples, listeners.last_frame or listeners.frame
    finally:
        await listeners.close()
        server.terminate()
        server.wait()


async def run_bare(n: int, rounds: int, payload: str) -> list[float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bare_server"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    url = f"ws://127.0.0.1:{port}"
    listeners = Listeners()
    try:
        await listeners.open(url, n, None)
        async with connect(url, proxy=None, compression=None, max_size=2**24) as trigger:
            await trigger.send("load " + payload)  # the same bytes as Podium's snapshot
            samples: list[float] = []
            for r in range(rounds + 1):
                listeners.samples = []
                listeners.arm()
                await trigger.send("go")
                await asyncio.wait_for(listeners.done.wait(), TIMEOUT)
                if r:
                    samples += listeners.samples
        return samples
    finally:
        await listeners.close()
        proc.terminate()
        proc.wait()


def summary(xs: list[float]) -> dict[str, float]:
    return {
        "p50": pct(xs, 50) * 1000,
        "p95": pct(xs, 95) * 1000,
        "p99": pct(xs, 99) * 1000,
        "max": max(xs) * 1000,
    }


async def measure(clients: list[int], rounds: int, alternations: int) -> list[str]:
    rows = []
    for n in clients:
        podium_runs, bare_runs = [], []
        payload = ""
        for _ in range(alternations):
            samples, payload = await run_podium(n, rounds)
            podium_runs.append(summary(samples))
            bare_runs.append(summary(await run_bare(n, rounds, payload)))
        size = len(payload.encode())
        med = {
            k: statistics.median(r[k] for r in podium_runs) for k in ("p50", "p95", "p99", "max")
        }
        base = {k: statistics.median(r[k] for r in bare_runs) for k in ("p50", "p95", "p99", "max")}
        ratio = med["p99"] / base["p99"] if base["p99"] else float("nan")
        target = "≤ 1.2× at 1,000" if n == 1000 else "—"
        met = ("yes" if ratio <= 1.2 else "**no**") if n == 1000 else "—"
        rows.append(
            f"| {n:,} | {size:,} B | {med['p50']:.1f} / {med['p95']:.1f} / {med['p99']:.1f} / {med['max']:.1f} "
            f"| {base['p50']:.1f} / {base['p95']:.1f} / {base['p99']:.1f} / {base['max']:.1f} | {ratio:.2f}× | {target} | {met} |"
        )
        print(rows[-1], flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--clients", default="100,1000,2000")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--alternations", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("bench/results/fanout.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    clients = [int(x) for x in args.clients.split(",")]
    rows = asyncio.run(measure(clients, args.rounds, args.alternations))
    lines = [
        "## bench/fanout — a moderator's change to every client, against a bare broadcast",
        "",
        f"Machine: {machine()}. Hall clients in one process, servers in their own; "
        f"{args.rounds} rounds per run, {args.alternations} alternating runs per side; medians of the runs. "
        "Times in ms from the moderator's send (Podium) or the trigger (bare) to each client's arrival.",
        "",
        "| clients | message | Podium p50 / p95 / p99 / max | bare broadcast p50 / p95 / p99 / max | p99 ratio | target | met |",
        "| ---: | ---: | --- | --- | ---: | --- | --- |",
        *rows,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
