"""bench/kiosk: the hall display's first frame, idle CPU and memory, against a minimal clock app.

Both run in a real pseudo-terminal, alternately, several times; medians are compared.
Targets (DESIGN.md): first frame under 1 s, idle under 2 % of one core.

    python -m bench.kiosk [--idle 60] [--rounds 3] [--out bench/results/kiosk.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import PtyApp, cpu_seconds, machine, median, rss_mib, start_server


def measure(argv: list[str], marker: bytes, idle: float) -> tuple[float, float, float]:
    """(seconds to first frame, % of one core while idle, RSS MiB) of one run."""
    app = PtyApp(argv)
    try:
        first = app.wait_for(marker)
        app.pump(2.0)  # settle: the first ticks and the snapshot
        c0 = cpu_seconds(app.proc.pid)
        app.pump(idle)
        cpu = (cpu_seconds(app.proc.pid) - c0) / idle * 100
        return first, cpu, rss_mib(app.proc.pid)
    finally:
        app.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--idle", type=float, default=60.0, help="seconds of idle measured per run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("bench/results/kiosk.md"))
    args = p.parse_args(argv)
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "kiosk.sqlite3"
    server, port = start_server("--db", str(db), "--clock", "2025-09-25T11:40")
    hall_cmd = [sys.executable, "-m", "kiosk.cli", "hall", "--server", f"127.0.0.1:{port}"]
    base_cmd = [sys.executable, "-m", "bench.baseline_clock"]
    hall: list[tuple[float, float, float]] = []
    base: list[tuple[float, float, float]] = []
    try:
        for _ in range(args.rounds):  # alternate, so that noise hits both sides
            # The speakers' line: the title itself is drawn in block letters.
            hall.append(measure(hall_cmd, b"Mary Fonden", args.idle))
            base.append(measure(base_cmd, "╶".encode(), args.idle))
    finally:
        server.terminate()
        server.wait()
    h = [median([r[i] for r in hall]) for i in range(3)]
    b = [median([r[i] for r in base]) for i in range(3)]
    rows = [
        ("time to first frame (s)", h[0], b[0], "< 1 s", h[0] < 1.0),
        ("CPU while idle (% of one core)", h[1], b[1], "< 2 %", h[1] < 2.0),
        ("RSS (MiB)", h[2], b[2], "—", None),
    ]
    lines = [
        "## bench/kiosk — the hall display against a minimal Textual clock",
        "",
        f"Machine: {machine()}. {args.rounds} alternating rounds, "
        f"{args.idle:.0f} s idle each; medians.",
        "",
        "| figure | hall display | baseline clock app | ratio | target | met |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name, hv, bv, target, met in rows:
        ratio = hv / bv if bv else float("nan")
        verdict = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {hv:.2f} | {bv:.2f} | {ratio:.2f}× | {target} | {verdict} |")
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
