"""bench/burst: 1,000 attendees each submit one question within one second.

Counts the acks, checks that every acked question is stored (reading the database after
the server has stopped), times how long until a moderator's snapshot holds them all
(target: 2 s), and reads the server's CPU time and peak memory from /proc. The baseline
in the same run is the same burst of 1,000 messages at the bare broadcast server
(which stores nothing): the time until it has received them all.

    python -m bench.burst [--attendees 1000] [--window 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.common import ROOT, cpu_seconds, machine, raise_fd_limit, start_server

TIMEOUT = 60.0


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _open(url: str, n: int) -> list[ClientConnection]:
    conns: list[ClientConnection] = []

    async def one(i: int) -> None:
        ws = await connect(
            url,
            proxy=None,
            compression=None,
            max_size=2**24,
            open_timeout=TIMEOUT,
            ping_interval=None,
        )
        await ws.send(
            json.dumps(
                {"type": "hello", "protocol": 1, "role": "attendee", "client_id": f"burst-{i}"}
            )
        )
        await ws.recv()
        await ws.recv()  # snapshot
        await ws.recv()  # mine
        conns.append(ws)

    for start in range(0, n, 100):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 100))))
    return conns


async def podium_burst(n: int, window: float) -> dict[str, float]:
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "burst.sqlite3"
    server, port = start_server(
        "--db", str(db), "--clock", "2025-09-25T11:40", "--moderator-token", "bench",
        "--limit", "max_connections=100000", "--limit", "max_connections_per_ip=100000",
        # every client is on 127.0.0.1 here: the per-address quota and the moderator's
        # window (issue 12) would stop the burst at 60 and show it 300
        "--limit", "questions_per_minute_per_ip=100000", "--limit", f"moderator_queue_max={n}",
    )  # fmt: skip
    url = f"ws://127.0.0.1:{port}/ws"
    acked: dict[str, str] = {}
    try:
        conns = await _open(url, n)
        mod = await connect(url, proxy=None, compression=None, max_size=2**26)
        await mod.send(
            json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "bench"})
        )
        await mod.recv()
        await mod.recv()
        cpu0 = cpu_seconds(server.pid)
        t0 = time.perf_counter()
        all_seen = asyncio.get_running_loop().create_future()

        async def watch() -> None:  # the moderator's view: when does it hold every question?
            held: set[str] = set()
            async for frame in mod:
                msg = json.loads(frame)
                if msg.get("type") not in ("snapshot", "update"):
                    continue
                # whole lists in a snapshot or an update; a patch of the changed ones
                if "questions" in msg.get("state", {}):
                    held = {q["id"] for q in msg["state"]["questions"]}
                patch = msg.get("patch", {}).get("questions", {})
                held |= {q["id"] for q in patch.get("upsert", [])}
                held -= set(patch.get("remove", []))
                if len(held) >= n:
                    all_seen.set_result(time.perf_counter() - t0)
                    return

        watcher = asyncio.create_task(watch())

        async def ask(i: int, ws: ClientConnection) -> None:
            await asyncio.sleep(random.random() * window)
            await ws.send(
                json.dumps(
                    {
                        "type": "command",
                        "id": "q",
                        "name": "submit_question",
                        "args": {"text": f"Spørgsmål nummer {i}", "item_id": "unge"},
                    }
                )
            )
            async for frame in ws:
                msg = json.loads(frame)
                if msg.get("type") == "ack" and msg.get("id") == "q":
                    acked[f"burst-{i}"] = msg["result"]["question_id"]
                    return
                if msg.get("type") == "error" and msg.get("id") == "q":
                    return

        await asyncio.wait_for(asyncio.gather(*(ask(i, ws) for i, ws in enumerate(conns))), TIMEOUT)
        seen = await asyncio.wait_for(all_seen, TIMEOUT)
        cpu = cpu_seconds(server.pid) - cpu0
        rss = peak_rss_mib(server.pid)
        watcher.cancel()
        await mod.close()
        await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
    finally:
        server.terminate()
        server.wait()
    from server.storage import Store

    store = Store(f"sqlite:///{db}")
    try:
        state, _ = store.load_state(store.load_programme())  # type: ignore[arg-type]
    finally:
        store.close()
    stored_ids = set(state.questions)
    lost = [cid for cid, qid in acked.items() if qid not in stored_ids]
    return {
        "acked": len(acked),
        "stored": len(stored_ids),
        "lost": len(lost),
        "seen_s": seen,
        "cpu_s": cpu,
        "rss": rss,
    }


async def bare_burst(n: int, window: float) -> float:
    """The same 1,000 clients send one message each in the window to the bare server."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bare_server"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    try:
        conns = [
            await connect(f"ws://127.0.0.1:{port}", proxy=None, compression=None) for _ in range(n)
        ]
        t0 = time.perf_counter()

        async def send(ws: ClientConnection) -> None:
            await asyncio.sleep(random.random() * window)
            await ws.send("load " + json.dumps({"text": "Spørgsmål"}))

        await asyncio.gather(*(send(ws) for ws in conns))
        elapsed = time.perf_counter() - t0
        await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
        return elapsed
    finally:
        proc.terminate()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--attendees", type=int, default=1000)
    p.add_argument("--window", type=float, default=1.0)
    p.add_argument("--out", type=Path, default=Path("bench/results/burst.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    r = asyncio.run(podium_burst(args.attendees, args.window))
    bare = asyncio.run(bare_burst(args.attendees, args.window))
    met_seen = "yes" if r["seen_s"] <= 2.0 else "**no**"
    met_lost = "yes" if r["lost"] == 0 and r["acked"] == args.attendees else "**no**"
    lines = [
        f"## bench/burst — {args.attendees:,} questions from {args.attendees:,} attendees within {args.window:g} s",
        "",
        f"Machine: {machine()}. Attendees in one process, the server in its own (SQLite, WAL, synchronous=FULL).",
        "",
        "| figure | value | target | met |",
        "| --- | ---: | --- | --- |",
        f"| acked | {r['acked']:,} of {args.attendees:,} | all | {met_lost} |",
        f"| stored (read back after the server stopped) | {r['stored']:,}; acked but not stored: {r['lost']} | every acked one | {met_lost} |",
        f"| until the moderator's snapshot holds them all | {r['seen_s']:.2f} s (bare server receiving the same burst: {bare:.2f} s, ratio {r['seen_s'] / bare:.2f}×) | ≤ 2 s | {met_seen} |",
        f"| server CPU time during the burst | {r['cpu_s']:.2f} s | — | — |",
        f"| server peak RSS | {r['rss']:.1f} MiB | — | — |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
