"""A block-letter countdown that grows with its box (the stage monitor's timer)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

# 3x5 glyphs: '#' is a filled cell.
GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    ":": (" ", "#", " ", "#", " "),
    ".": (" ", " ", " ", " ", "#"),
    "+": ("   ", " # ", "###", " # ", "   "),
    "-": ("   ", "   ", "###", "   ", "   "),
    " ": ("  ", "  ", "  ", "  ", "  "),
}


def layout(text: str) -> list[str]:
    """The five rows of the text in the block font (one space between glyphs)."""
    glyphs = [GLYPHS.get(c, GLYPHS[" "]) for c in text]
    return [" ".join(g[row] for g in glyphs) for row in range(5)]


class BigText(Widget):
    """Text in block letters, scaled to the largest whole size that fits."""

    DEFAULT_CSS = """
    BigText { height: 1fr; width: 1fr; }
    """

    def __init__(self, text: str = "", **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self._text = text

    def update(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.refresh()

    @property
    def text(self) -> str:
        return self._text

    def render_line(self, y: int) -> Strip:
        rows = layout(self._text)
        width, height = self.size.width, self.size.height
        cols = max((len(r) for r in rows), default=1)
        # Terminal cells are about twice as tall as wide: scale x twice as much as y.
        scale = max(1, min(height // 5, width // max(1, cols * 2)))
        sx, sy = scale * 2, scale
        top = max(0, (height - 5 * sy) // 2)
        style = self.rich_style
        row = (y - top) // sy
        if y < top or row >= 5:
            return Strip([Segment(" " * width, style)], width)
        line = "".join(("█" if c == "#" else " ") * sx for c in rows[row])
        left = max(0, (width - len(line)) // 2)
        text = (" " * left + line)[:width].ljust(width)
        # Blocks are spaces painted with the text colour as background: solid in every
        # terminal font, and placed by cell in exported screenshots (SVG).
        block = style + Style(bgcolor=style.color) if style.color else style + Style(reverse=True)
        segments = [
            Segment(" " * len(run), block if run[0] == "█" else style) for run in _runs(text)
        ]
        return Strip(segments, width)


def _runs(text: str) -> list[str]:
    runs: list[str] = []
    for ch in text:
        if runs and runs[-1][0] == ch:
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs
