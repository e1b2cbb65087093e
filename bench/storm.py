"""bench/storm: every phone reconnects at once (after a Wi-Fi blip), then the first change.

N hall clients open their connections all at once (not paced) against a real `podium serve`
in its own process; the time until the last of them has its first snapshot is one sample,
with the bytes each client received. Then a moderator posts two hall messages, and the
bytes and latency of the first change after the storm are set against the second's.
In the same run: Podium with asyncio's default listen backlog (100, the setting before),
and a bare websockets server (backlog 2048) that answers each hello with the same
snapshot bytes. Sides alternate; medians are compared. Loopback only; every wait bounded.

    python -m bench.storm [--clients 250,500,1000] [--alternations 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.common import ROOT, machine, raise_fd_limit, start_server

TIMEOUT = 60.0
HELLO = json.dumps({"type": "hello", "protocol": 1, "role": "hall"})


async def storm(
    url: str, n: int, hello: str, frames: int
) -> tuple[float, list[ClientConnection], int]:
    """Open n connections at once; seconds until all have ``frames`` frames; the bytes."""
    received = 0

    async def one() -> ClientConnection:
        nonlocal received
        ws = await connect(
            url, proxy=None, compression=None, max_size=2**22, open_timeout=TIMEOUT,
            ping_interval=None,
        )  # fmt: skip
        await ws.send(hello)
        for _ in range(frames):
            size = len(str(await ws.recv()).encode())  # awaited first: += would lose counts
            received += size
        return ws

    t0 = time.perf_counter()
    conns = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(n))), TIMEOUT)
    return time.perf_counter() - t0, list(conns), received


async def change(
    conns: list[ClientConnection], mod: ClientConnection, cid: str
) -> tuple[float, int]:
    """A hall message from the moderator: (p99 seconds until each client has it, bytes each)."""
    sizes: list[int] = []
    times: list[float] = []
    t0 = time.perf_counter()

    async def read(ws: ClientConnection) -> None:
        frame = str(await ws.recv())
        times.append(time.perf_counter() - t0)
        sizes.append(len(frame.encode()))

    readers = [asyncio.create_task(read(ws)) for ws in conns]
    args = {"text": f"Besked {cid}"}
    await mod.send(
        json.dumps({"type": "command", "id": cid, "name": "set_hall_message", "args": args})
    )
    await asyncio.wait_for(asyncio.gather(*readers), TIMEOUT)
    times.sort()
    return times[min(len(times) - 1, round(0.99 * (len(times) - 1)))], round(statistics.mean(sizes))


async def run_podium(n: int, backlog: int) -> dict[str, float]:
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "storm.sqlite3"
    server, port = start_server(
        "--db", str(db), "--clock", "2025-09-25T11:40", "--moderator-token", "bench",
        "--backlog", str(backlog),
        "--limit", "max_connections=100000", "--limit", "max_connections_per_ip=100000",
    )  # fmt: skip
    url = f"ws://127.0.0.1:{port}/ws"
    conns: list[ClientConnection] = []
    try:
        seconds, conns, received = await storm(url, n, HELLO, 2)  # welcome and snapshot
        async with connect(url, proxy=None, compression=None, max_size=2**22) as mod:
            await mod.send(
                json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "bench"})
            )
            await mod.recv()
            await mod.recv()
            first_p99, first_bytes = await change(conns, mod, "first")
            second_p99, second_bytes = await change(conns, mod, "second")
        return {
            "seconds": seconds,
            "bytes_per_client": received / n,
            "first_p99": first_p99,
            "first_bytes": first_bytes,
            "second_p99": second_p99,
            "second_bytes": second_bytes,
        }
    finally:
        await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
        server.terminate()
        server.wait()


async def snapshot_bytes() -> str:
    """The snapshot a hall gets on the seed day at 11.40 (the bare server sends the same)."""
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "snap.sqlite3"
    server, port = start_server("--db", str(db), "--clock", "2025-09-25T11:40")
    try:
        async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None, compression=None) as ws:
            await ws.send(HELLO)
            await ws.recv()
            return str(await ws.recv())
    finally:
        server.terminate()
        server.wait()


async def run_bare(n: int, payload: str) -> float:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bare_server", "--backlog", "2048"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    url = f"ws://127.0.0.1:{port}"
    conns: list[ClientConnection] = []
    try:
        async with connect(url, proxy=None, compression=None, max_size=2**24) as loader:
            await loader.send("load " + payload)
            await asyncio.sleep(0.1)
        seconds, conns, _ = await storm(url, n, "hello", 1)
        return seconds
    finally:
        await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
        proc.terminate()
        proc.wait()


async def measure(clients: list[int], alternations: int) -> list[str]:
    payload = await snapshot_bytes()
    rows = []
    for n in clients:
        podium, before, bare = [], [], []
        for _ in range(alternations):
            podium.append(await run_podium(n, 2048))
            before.append(await run_podium(n, 100))
            bare.append(await run_bare(n, payload))

        def med(runs: list[dict[str, float]], key: str) -> float:
            return statistics.median(r[key] for r in runs)

        secs, base = med(podium, "seconds"), statistics.median(bare)
        met = ("yes" if secs <= 1.0 else "**no**") if n == 1000 else "—"
        rows.append(
            f"| {n:,} | {secs:.2f} s | {med(before, 'seconds'):.2f} s | {base:.2f} s "
            f"| {secs / base:.2f}× | {med(podium, 'bytes_per_client'):,.0f} B "
            f"| {med(podium, 'first_bytes'):,.0f} B / {med(podium, 'first_p99') * 1000:.1f} ms "
            f"| {med(podium, 'second_bytes'):,.0f} B / {med(podium, 'second_p99') * 1000:.1f} ms "
            f"| {met} |"
        )
        print(rows[-1], flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--clients", default="250,500,1000")
    p.add_argument("--alternations", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("bench/results/storm.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    rows = asyncio.run(measure([int(x) for x in args.clients.split(",")], args.alternations))
    lines = [
        "## bench/storm — every client connects at once, then the first change",
        "",
        f"Machine: {machine()}. Hall clients in one process, opened all at once (not paced); "
        f"servers in their own process; {args.alternations} alternating runs per side, medians. "
        "Podium listens with a backlog of 2048 (`serve --backlog`, the default); the column "
        '"backlog 100" is asyncio\'s default, the setting before. The bare server answers each '
        "hello with the same snapshot bytes. Bytes per client: welcome and snapshot (constant in N: "
        "the bytes sent grow linearly). The first and second change after the storm: bytes each "
        "client got, and p99 until the last had it.",
        "",
        "| clients | all have their snapshot | backlog 100 | bare server | ratio | bytes per client "
        "| first change after | second change | ≤ 1 s at 1,000 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
