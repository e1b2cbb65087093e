"""Block letters for the hall: text as large as a box allows, in a terminal.

The letters are the X11 misc-fixed bitmap fonts (public domain; ``kiosk/fonts``, made by
``tools/make_fonts.py``), drawn with half blocks: a font pixel is one column wide and half
a row high, so a 6x10 font gives letters 5 rows high and 6 columns wide, and every size can
be doubled, tripled … for the largest screens. :func:`fit` picks the largest face in which
the whole text fits a box, wrapped at word boundaries; a text with a character no face has
(emoji, right-to-left script, a stray combining mark) gets no face at all: the caller shows
it as normal text, the whole of it, never a letter with a hole.

Pure functions on strings: no Textual here (the widget is ``kiosk.widgets.bigtext``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from server.contract import CONTROL_CHARS

_UNSAFE = re.compile(f"[{CONTROL_CHARS}]")
ELLIPSIS = "…"
#: The tallest face tried, in rows (a 4K screen in a small font has ~130 rows).
MAX_ROWS = 120


@dataclass(frozen=True)
class Face:
    """One font at one scale."""

    name: str
    width: int  # pixels per character (the cell, spacing included)
    height: int  # pixels per line
    glyphs: Mapping[str, tuple[int, ...]]  # rows as bit masks, the high bit left
    scale: int = 1

    @property
    def rows(self) -> int:
        """Terminal rows per line of text."""
        return (self.height * self.scale + 1) // 2

    @property
    def tracking(self) -> int:
        """Pixels between characters: a bold glyph may fill its whole cell."""
        return 1 if self.name.endswith("B") else 0

    @property
    def cols(self) -> int:
        """Terminal columns per character."""
        return (self.width + self.tracking) * self.scale

    def has(self, text: str) -> bool:
        return all(c in self.glyphs for c in text)

    def draw(self, line: str) -> list[str]:
        """``line`` in block letters: :attr:`rows` strings of ``len(line) * cols``."""
        k, w, space = self.scale, self.width, [False] * (self.tracking * self.scale)
        pixels: list[list[bool]] = []
        for y in range(self.height):
            row: list[bool] = []
            for ch in line:
                bits = self.glyphs[ch][y]
                for x in range(w):
                    row.extend([bool(bits >> (w - 1 - x) & 1)] * k)
                row.extend(space)
            pixels.extend([row] * k)
        if len(pixels) % 2:
            pixels.append([False] * (len(line) * self.cols))
        return [
            "".join(_HALF[(a, b)] for a, b in zip(top, bottom, strict=True))
            for top, bottom in zip(pixels[::2], pixels[1::2], strict=True)
        ]


_HALF = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


#: The font drawn larger than the largest native size (bold, with a fine outline).
SCALED = "6x13B"


@cache
def faces() -> tuple[Face, ...]:
    """Every face, smallest first: each font at its own size (3 to 10 rows), then the bold
    6x13 doubled, tripled … (13, 20, 26 … rows). A font scaled up is blockier than a
    larger font, so scaling starts where the fonts end."""
    fonts = _load(resources.files("kiosk").joinpath("fonts", "misc-fixed.txt").read_text("utf-8"))
    out = sorted(fonts, key=lambda f: (f.rows, f.cols))
    base = next(f for f in fonts if f.name == SCALED)
    for k in range(2, MAX_ROWS):
        face = Face(base.name, base.width, base.height, base.glyphs, k)
        if face.rows > MAX_ROWS:
            break
        out.append(face)
    return tuple(out)


def _load(text: str) -> list[Face]:
    fonts: list[Face] = []
    glyphs: dict[str, tuple[int, ...]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        word = line.split()
        if word[0] == "font":
            glyphs = {}
            fonts.append(Face(word[1], int(word[2]), int(word[3]), glyphs))
        else:
            glyphs[chr(int(word[0], 16))] = tuple(int(r, 16) for r in word[1:])
    return fonts


@dataclass(frozen=True)
class Fitted:
    """Text fitted to a box: its face and lines (``face`` None: normal text)."""

    face: Face | None
    lines: tuple[str, ...]

    @property
    def rows(self) -> int:
        """The height of the letters in rows (1 for normal text)."""
        return self.face.rows if self.face else 1

    @property
    def height(self) -> int:
        """The rows the whole text takes, the gaps between lines included."""
        return height_of(self.face, len(self.lines)) if self.face else len(self.lines)

    def draw(self) -> list[str]:
        """The rows that draw the text, the gaps included (normal text: its lines)."""
        if self.face is None:
            return list(self.lines)
        rows: list[str] = []
        for i, line in enumerate(self.lines):
            rows.extend([""] * (gap(self.face) if i else 0) + self.face.draw(line))
        return rows


def clean(text: str) -> str:
    """One line of words: composed (NFC), without anything a terminal could act on (as
    every screen drops it), every run of white space one space."""
    return " ".join(_UNSAFE.sub("", unicodedata.normalize("NFC", text)).split())


def wrap(words: Iterable[str], per_line: int, cut: bool = False) -> list[str] | None:
    """Words in lines of at most ``per_line`` characters, broken between words only. A
    word longer than a line: None, or with ``cut`` the word cut with "…"."""
    lines: list[str] = []
    line = ""
    for word in words:
        if len(word) > per_line:
            if not cut or per_line < 2:
                return None
            word = word[: per_line - 1] + ELLIPSIS
        if line and len(line) + 1 + len(word) <= per_line:
            line += " " + word
        else:
            if line:
                lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def gap(face: Face) -> int:
    """Rows between lines: the fonts' own leading for small faces, one row for large."""
    return 1 if face.rows >= 7 else 0


def height_of(face: Face, lines: int) -> int:
    return lines * face.rows + max(0, lines - 1) * gap(face)


@lru_cache(maxsize=256)
def fit(
    text: str, width: int, height: int, *, min_rows: int = 3, max_rows: int = MAX_ROWS
) -> Fitted:
    """The largest face (between ``min_rows`` and ``max_rows`` rows high) in which the
    whole of ``text`` fits ``width`` x ``height``; else normal text, wrapped, cut with "…"
    where it does not fit."""
    text = clean(text)
    words = text.split(" ") if text else []
    if words and width > 0 and height > 0:
        usable = [f for f in faces() if min_rows <= f.rows <= max_rows and f.has(text)]
        for face in reversed(usable):
            lines = wrap(words, width // face.cols)
            if lines is not None and height_of(face, len(lines)) <= height:
                return Fitted(face, tuple(lines))
    return Fitted(None, tuple(plain_lines(words, width, height)))


def plain_lines(words: list[str], width: int, height: int) -> list[str]:
    """Normal text in at most ``height`` lines of ``width``; what is left out ends in "…"."""
    if width <= 0 or height <= 0:
        return []
    lines = wrap(words, width, cut=True) or []
    if len(lines) > height:
        lines = lines[:height]
        last = lines[-1]
        lines[-1] = (last if len(last) < width else last[: width - 1]) + ELLIPSIS
    return lines
