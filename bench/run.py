"""`make bench`: every benchmark, then bench/RESULTS.md (machine, date, figures, targets).

Within about ten minutes on a 2-core machine; connections only to 127.0.0.1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import (
    attack,
    burst,
    cluster,
    fanout,
    kiosk,
    legibility,
    page,
    rooms,
    sqlite_same,
    storm,
    votes,
)
from bench.common import machine

OUT = Path(__file__).resolve().parent / "RESULTS.md"
RESULTS = OUT.parent / "results"


NAMES = (
    "fanout", "storm", "burst", "votes", "rooms", "cluster", "sqlite_same", "kiosk", "legibility",
    "page", "attack",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Every benchmark, then RESULTS.md; ``--collect``: only RESULTS.md from results/."""
    if "--collect" not in (sys.argv[1:] if argv is None else argv):
        run_all()
    return collect()


def run_all() -> None:
    fanout.main(["--out", str(RESULTS / "fanout.md")])
    storm.main(["--out", str(RESULTS / "storm.md")])
    burst.main(["--out", str(RESULTS / "burst.md")])
    votes.main(["--out", str(RESULTS / "votes.md")])
    rooms.main(["--out", str(RESULTS / "rooms.md")])
    cluster.main(["--rounds", "5", "--out", str(RESULTS / "cluster.md")])
    sqlite_same.main(["--out", str(RESULTS / "sqlite_same.md")])
    kiosk.main(["--idle", "30", "--rounds", "3", "--out", str(RESULTS / "kiosk.md")])
    legibility.main(["--out", str(RESULTS / "legibility.md")])
    page.main(["--out", str(RESULTS / "page.md")])
    attack.main(["--out", str(RESULTS / "attack.md")])


def collect() -> int:
    parts = [
        "# Podium benchmark results",
        "",
        f"Written by `make bench` on {machine()}.",
        "Every figure is set against a baseline measured in the same run where there is one;",
        "runs of the same thing here differ by up to 1.5×, so sides alternate and medians are compared.",
        "",
    ]
    for name in NAMES:
        parts.append((RESULTS / f"{name}.md").read_text(encoding="utf-8"))
    OUT.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
