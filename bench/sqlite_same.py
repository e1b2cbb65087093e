"""bench/sqlite_same: one `podium serve` on SQLite, this checkout against an earlier
revision (default: the last one before several processes on PostgreSQL), alternating.

Issue 17 asks that a single process on SQLite stays exactly as fast: the same command
latency (a moderator's command to 10 halls) and the same question throughput, as ratios
within the noise of this machine.

    python -m bench.sqlite_same [--base e035167] [--alternations 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.cluster import path_latency, pct, throughput
from bench.common import ROOT, machine, raise_fd_limit, write_results


def worktree(rev: str) -> Path:
    where = Path(tempfile.mkdtemp(prefix="podium-base-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(where), rev],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return where


async def one(repo: Path) -> tuple[float, float, float]:
    tmp = Path(tempfile.mkdtemp(prefix="podium-bench-"))
    xs = await path_latency(f"sqlite:///{tmp / 'l.sqlite3'}", 1, 100, repo)
    rate, acked, stored = await throughput(f"sqlite:///{tmp / 't.sqlite3'}", 1, 60, 5.0, repo)
    assert acked == stored
    return pct(xs, 50) * 1000, pct(xs, 99) * 1000, rate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base", default="e035167")
    p.add_argument("--alternations", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("bench/results/sqlite_same.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    base = worktree(args.base)
    runs: dict[str, list[tuple[float, float, float]]] = {"now": [], "base": []}
    try:
        for _ in range(args.alternations):
            runs["base"].append(asyncio.run(one(base)))
            runs["now"].append(asyncio.run(one(ROOT)))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)

    def med(side: str, k: int) -> float:
        return statistics.median(r[k] for r in runs[side])

    rows = [
        f"## bench/sqlite_same — one process on SQLite, this checkout against {args.base}",
        "",
        f"Machine: {machine()}. {args.alternations} alternating runs per side, medians. "
        "Latency: a moderator's command to the last of 10 halls (100 rounds); throughput: "
        "60 attendees asking as fast as they are acked, 5 s (every ack checked stored).",
        "",
        f"| what | this checkout | {args.base} | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for k, name, unit in ((0, "command to halls, p50", "ms"), (1, "command to halls, p99", "ms"),
                          (2, "questions acked per second", "/s")):  # fmt: skip
        now, then = med("now", k), med("base", k)
        rows.append(f"| {name} | {now:.1f} {unit} | {then:.1f} {unit} | {now / then:.2f}× |")
    rows.append("")
    return write_results(args.out, rows)


if __name__ == "__main__":
    raise SystemExit(main())
