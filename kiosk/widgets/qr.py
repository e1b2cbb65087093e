"""The attendees' page as a QR code on the hall screen, with its address in words.

Each module is one column wide and half a row high (a terminal cell is about twice as
high as it is wide, so a module is square), drawn with half blocks in black on white,
whatever the theme: a camera wants dark modules on a light ground, quiet zone included.
The code is made as large as the room it is given allows (k columns a module); on a
screen too small for it at one column a module it is not shown at all.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from kiosk.text import Strings
from kiosk.widgets.common import Plain
from server.contract import short

#: As the server's /qr.svg (server/qrcode.py): error correction M, a quiet zone of four.
QUIET_ZONE = 4

INK = Style(color="#000000", bgcolor="#ffffff")
HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


@lru_cache(maxsize=8)
def modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules, quiet zone included (True: dark)."""
    import segno  # a maintained encoder; loaded when a code is first drawn

    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix_iter(border=QUIET_ZONE))


def draw(url: str, scale: int) -> list[str]:
    """The code in half blocks, ``scale`` columns (and half rows) a module."""
    rows = [
        tuple(m for m in row for _ in range(scale)) for row in modules(url) for _ in range(scale)
    ]
    if len(rows) % 2:
        rows.append(tuple(False for _ in rows[0]))  # the quiet zone goes on: light
    return [
        "".join(HALF[(a, b)] for a, b in zip(up, down, strict=True))
        for up, down in zip(rows[::2], rows[1::2], strict=True)
    ]


def size_at(url: str, scale: int) -> Size:
    n = len(modules(url)) * scale
    return Size(n, (n + 1) // 2)


def best_scale(url: str, width: int, height: int) -> int:
    """The most columns a module that fit ``width`` x ``height`` (0: it does not fit)."""
    scale = 0
    while size_at(url, scale + 1).width <= width and size_at(url, scale + 1).height <= height:
        scale += 1
    return scale


class QrCode(Widget):
    """The code itself, at a given scale."""

    DEFAULT_CSS = "QrCode { width: auto; height: auto; }"

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.url = ""
        self.scale = 1
        self._lines: list[str] = []

    def set(self, url: str, scale: int) -> None:
        if (url, scale) != (self.url, self.scale) or not self._lines:
            self.url, self.scale = url, scale
            self._lines = draw(url, scale) if url and scale else []
            self.refresh(layout=True)

    @property
    def lines(self) -> list[str]:
        """The rows as drawn (tests decode them)."""
        return list(self._lines)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len(self._lines[0]) if self._lines else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        if not 0 <= y < len(self._lines):
            return Strip.blank(self.size.width)
        line = self._lines[y]
        return Strip([Segment(line, INK)], len(line)).adjust_cell_length(self.size.width)


class QrPanel(Vertical):
    """ "Stil et spørgsmål": the code and the address in words, as large as fits a part of
    the screen's width; hidden where it would not fit or there is no address."""

    DEFAULT_CLASSES = "qr-panel"
    #: The most of the screen's width the code may take.
    SHARE = 0.3

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.url = ""
        self.wanted = False  # the phase of the day asks for it

    def compose(self) -> ComposeResult:
        yield Plain(self.t("qr_label"), classes="qr-label")
        yield QrCode()
        yield Plain("", classes="qr-address")

    def show(self, url: str, wanted: bool) -> None:
        self.url, self.wanted = url, wanted
        self.fit()

    def on_mount(self) -> None:
        self.fit()

    def fit(self) -> None:
        """Show the code, as large as the screen allows, where it is wanted and fits."""
        screen = self.screen.size
        rows = screen.height - 8  # the header, the label, the address, margins
        scale = best_scale(self.url, int(screen.width * self.SHARE), rows) if self.url else 0
        shown = self.wanted and scale > 0
        self.display = shown
        if shown:
            self.query_one(QrCode).set(self.url, scale)
            self.query_one(".qr-address", Plain).set(short(self.url))
