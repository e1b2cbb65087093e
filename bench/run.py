"""`make bench`: run every benchmark; write bench/RESULTS.md (machine, date, figures, targets)."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import kiosk
from bench.common import machine

OUT = Path(__file__).resolve().parent / "RESULTS.md"
RESULTS = OUT.parent / "results"


def main() -> int:
    kiosk.main(["--out", str(RESULTS / "kiosk.md")])
    parts = [
        "# Podium benchmark results",
        "",
        f"Written by `make bench` on {machine()}.",
        "Every figure is set against a baseline measured in the same run.",
        "",
    ]
    for section in sorted(RESULTS.glob("*.md")):
        parts.append(section.read_text(encoding="utf-8"))
    OUT.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
