"""Text in block letters as large as its box allows (``kiosk.bigtype`` does the fitting).

Full blocks are drawn as spaces painted with the text colour (solid in every terminal
font and placed by cell in SVG screenshots); half blocks as the characters ▀ and ▄. A text
that no face can draw (a character the fonts lack, a word too long) is shown as normal
bold text, wrapped and cut with "…", in the same box.
"""

from __future__ import annotations

from itertools import groupby

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from kiosk.bigtype import MAX_ROWS, Fitted, clean, fit


class BigText(Widget):
    """Block letters that fill the widget's box."""

    DEFAULT_CSS = """
    BigText { height: 1fr; width: 1fr; }
    """

    def __init__(
        self,
        text: str = "",
        *,
        min_rows: int = 3,
        max_rows: int = MAX_ROWS,
        align: str = "center",
        share: float | None = None,
        **kw: object,
    ) -> None:
        """``share``: with ``height: auto``, the part of the screen's height the text may
        take; the widget is then as tall as the letters chosen for it."""
        super().__init__(**kw)  # type: ignore[arg-type]
        self._text = text
        self.min_rows = min_rows
        self.max_rows = max_rows
        self.align = align
        self.share = share
        # Rows the letters may take, set by a parent that knows what is spare (else share).
        self.budget: int | None = None
        self._rows: tuple[tuple[str, int, int], list[str], bool] | None = None

    @property
    def text(self) -> str:
        """The text as it is drawn (on one line; nothing a terminal could act on)."""
        return clean(self._text)

    @property
    def fitted(self) -> Fitted:
        """How the text is drawn at the widget's present size."""
        return self._fit(self.size.width, self.size.height)

    def _fit(self, width: int, height: int) -> Fitted:
        return fit(self._text, width, height, min_rows=self.min_rows, max_rows=self.max_rows)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.share is None:
            return container.height
        return self._fit(width, self.budget or self.base_budget()).height

    def base_budget(self) -> int:
        """The rows its share of the screen gives (0 without a share)."""
        return max(1, int(self.screen.size.height * self.share)) if self.share else 0

    def height_in(self, width: int, rows: int) -> int:
        """How tall the text is when it may take ``rows`` rows of ``width``."""
        return self._fit(width, rows).height

    def update(self, text: str) -> None:
        """Show ``text`` (with an auto height, the layout follows)."""
        if text != self._text:
            self._text = text
            self.refresh(layout=self.share is not None)

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        key = (self._text, width, height)
        if self._rows is None or self._rows[0] != key:
            fitted = self.fitted
            self._rows = (key, fitted.draw(), fitted.face is not None)
        _, rows, blocks = self._rows
        style = self.rich_style
        top = max(0, (height - len(rows)) // 2)
        i = y - top
        if not 0 <= i < len(rows):
            return Strip([Segment(" " * width, style)], width)
        row = rows[i]
        left = max(0, (width - cell_len(row)) // 2) if self.align == "center" else 0
        if not blocks:  # normal text may hold wide characters (emoji): measured in cells
            strip = Strip([Segment(" " * left, style), Segment(row, style + Style(bold=True))])
            return strip.adjust_cell_length(width, style)
        line = (" " * left + row)[:width].ljust(width)
        solid = style + Style(bgcolor=style.color) if style.color else style + Style(reverse=True)
        segments = [
            Segment(" " * len(run), solid) if run[0] == "█" else Segment(run, style)
            for run in _runs(line)
        ]
        return Strip(segments, width)


def _runs(text: str) -> list[str]:
    """Runs of one character ("██▀▀  ▄" → "██", "▀▀", "  ", "▄")."""
    return ["".join(run) for _, run in groupby(text)]
