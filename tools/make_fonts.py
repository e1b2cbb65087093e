"""Make kiosk/fonts/misc-fixed.txt: the hall's block letters, from the X11 misc-fixed fonts.

The misc-fixed bitmap fonts ("Public domain font. Share and enjoy.", X.Org's
font-misc-misc, in Debian's xfonts-base) are drawn on the hall screen with a terminal's
half blocks: one font pixel is one column wide and half a row high, so a 6x10 font gives
letters 5 rows high. This script takes the characters the hall needs from each size and
writes them in a small text file shipped with the package; it is run by hand when the set
of sizes or characters changes, on Debian:

    python tools/make_fonts.py            # fetches xfonts-base and pcf2bdf with apt-get download

or ``python tools/make_fonts.py DIR`` with the ``.bdf`` files already in DIR.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
from pathlib import Path

#: (file, name): small to large. Bold where misc-fixed has a bold of that size.
SIZES = [("4x6", "4x6"), ("5x8", "5x8"), ("6x10", "6x10"), ("6x13B", "6x13B"),
         ("9x15B", "9x15B"), ("10x20", "10x20")]  # fmt: skip

#: The characters every size must have (Danish, Latin-1, the punctuation of a programme).
REQUIRED = (
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x100)]
    + list("–—‘’‚“”„…•€−→")
)
#: Taken where a size has them.
OPTIONAL = [chr(c) for c in range(0x100, 0x180)] + list("‐‑‒―‹›′″")

OUT = Path(__file__).resolve().parent.parent / "kiosk" / "fonts" / "misc-fixed.txt"


def fetch(into: Path) -> Path:
    """Debian's xfonts-base and pcf2bdf, unpacked in ``into``; the .bdf files made."""
    subprocess.run(["apt-get", "download", "xfonts-base", "pcf2bdf"], cwd=into, check=True)
    for deb in into.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(into / "root")], check=True)
    misc = into / "root" / "usr" / "share" / "fonts" / "X11" / "misc"
    tool = into / "root" / "usr" / "bin" / "pcf2bdf"
    for file, _ in SIZES:
        pcf = into / f"{file}.pcf"
        pcf.write_bytes(gzip.decompress((misc / f"{file}.pcf.gz").read_bytes()))
        subprocess.run([str(tool), "-o", str(into / f"{file}.bdf"), str(pcf)], check=True)
    return into


def glyphs(bdf: Path) -> tuple[int, int, dict[int, list[int]]]:
    """(cell width, height, {code point: rows as bit masks, high bit left})."""
    lines = bdf.read_text(encoding="latin-1").splitlines()
    props = dict(line.split(None, 1) for line in lines if line.startswith("FONT_"))
    ascent, descent = int(props["FONT_ASCENT"]), int(props["FONT_DESCENT"])
    height = ascent + descent
    width = int(next(line for line in lines if line.startswith("FONTBOUNDINGBOX")).split()[1])
    out: dict[int, list[int]] = {}
    i = 0
    while i < len(lines):
        if not lines[i].startswith("STARTCHAR"):
            i += 1
            continue
        code, box, bitmap = -1, [0, 0, 0, 0], []
        while not lines[i].startswith("ENDCHAR"):
            word = lines[i].split()
            if word[0] == "ENCODING":
                code = int(word[1])
            elif word[0] == "BBX":
                box = [int(w) for w in word[1:]]
            elif word[0] == "BITMAP":
                i += 1
                while not lines[i].startswith("ENDCHAR"):
                    bitmap.append(int(lines[i], 16))
                    i += 1
                break
            i += 1
        w, h, xoff, yoff = box
        nbits = ((w + 7) // 8) * 8
        rows = [0] * height
        top = ascent - (yoff + h)
        for r, bits in enumerate(bitmap):
            for c in range(w):
                x, y = xoff + c, top + r
                if bits >> (nbits - 1 - c) & 1 and 0 <= y < height and 0 <= x < width:
                    rows[y] |= 1 << (width - 1 - x)
        out[code] = rows
        i += 1
    return width, height, out


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(argv[0]) if argv else fetch(Path(tmp))
        parts = [
            "# The hall's block letters: characters of the X11 misc-fixed fonts",
            '# ("Public domain font. Share and enjoy.", X.Org font-misc-misc).',
            "# Made by tools/make_fonts.py; do not edit. Per size: 'font NAME WIDTH HEIGHT',",
            "# then one line per character: its code point and its rows, each in hex.",
        ]
        for file, name in SIZES:
            width, height, table = glyphs(src / f"{file}.bdf")
            missing = [c for c in REQUIRED if ord(c) not in table]
            if missing:
                print(f"{file}: no glyph for {''.join(missing)!r}", file=sys.stderr)
                return 1
            digits = (width + 3) // 4
            parts.append(f"font {name} {width} {height}")
            for ch in REQUIRED + [c for c in OPTIONAL if ord(c) in table]:
                rows = " ".join(f"{r:0{digits}x}" for r in table[ord(ch)])
                parts.append(f"{ord(ch):04x} {rows}")
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text("\n".join(parts) + "\n", encoding="utf-8")
        print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
