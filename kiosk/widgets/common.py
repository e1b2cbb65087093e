"""Small building blocks: literal text, the header with the clock, the status line.

User text (questions, names, messages, programme texts) is always shown as
:class:`~textual.content.Content` built from the plain string: never parsed as
markup, so ``[@click=app.quit]`` or ``[/]`` are just characters.
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Digits, Static

from kiosk.text import Text

# Anything a terminal could act on is dropped before display, whatever the server let through.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> Content:
    """Text shown exactly as written (no markup, no control characters)."""
    return Content(_UNSAFE.sub("", text))


def cell(text: str, **kw: object) -> RichText:
    """A table cell of user text: literal (Rich ``Text`` is never markup) and without
    control characters (Rich keeps ESC, which a terminal would act on)."""
    return RichText(_UNSAFE.sub("", text), **kw)  # type: ignore[arg-type]


def styled(text: str, style: str) -> Content:
    return Content.styled(_UNSAFE.sub("", text), style)


class Plain(Static):
    """A Static that never parses markup."""

    def __init__(self, text: str = "", **kw: object) -> None:
        super().__init__(plain(text), markup=False, **kw)  # type: ignore[arg-type]

    def set(self, text: str) -> None:
        self.update(plain(text))


class ClockHeader(Horizontal):
    """Event title, room and date on the left; a large clock on the right."""

    DEFAULT_CLASSES = "clock-header"

    def __init__(self, text: Text, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self._time = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="header-left"):
            yield Plain("", id="header-title")
            yield Plain("", id="header-sub")
        yield Plain("", id="header-clock-small")
        yield Digits("", id="header-clock")

    def set_event(self, title: str, room: str, when: datetime | None) -> None:
        self.query_one("#header-title", Plain).set(title)
        date = self.t.date(when) if when else ""
        self.query_one("#header-sub", Plain).set(" · ".join(p for p in (room, date) if p))

    def set_time(self, now: datetime) -> None:
        value = self.t.clock(now)
        if value != self._time:
            self._time = value
            self.query_one("#header-clock", Digits).update(value)
            self.query_one("#header-clock-small", Plain).set(self.t.at(now))


class StatusLine(Static):
    """Connection health: online, reconnecting, and how old the picture is."""

    DEFAULT_CLASSES = "status-line"

    def __init__(self, text: Text, **kw: object) -> None:
        super().__init__("", markup=False, **kw)  # type: ignore[arg-type]
        self.t = text

    def show(self, state: str, age_s: float | None, extra: str = "") -> None:
        self.remove_class("-online", "-offline")
        if state == "online":
            self.add_class("-online")
            label = f"● {self.t('online')}"
        elif state == "failed":
            self.add_class("-offline")
            label = f"✕ {extra}"
            extra = ""
        else:
            self.add_class("-offline")
            key = "connecting" if state == "connecting" else "reconnecting"
            label = f"◌ {self.t(key)}"
            if age_s is not None:
                label += f" · {self.t('updated_ago', n=int(age_s))}"
        self.update(plain(f"{label}   {extra}" if extra else label))


def fit_column(table: DataTable[object], key: str, width: int) -> None:
    """Give one column of a table what the other columns leave of ``width``.

    Each column pads one cell on either side; long cells are cut with an ellipsis.
    """
    others = sum(c.width for k, c in table.columns.items() if k.value != key)
    room = max(12, width - others - 2 * len(table.columns) - 2)
    column = table.columns.get(key)  # type: ignore[call-overload]
    if column is not None and column.width != room:
        column.width = room
        column.auto_width = False
        table.refresh()
