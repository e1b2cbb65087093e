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

from kiosk.text import Strings
from server.contract import CONTROL_CHARS

# Anything a terminal could act on is dropped before display, whatever the server let through.
_UNSAFE = re.compile(f"[{CONTROL_CHARS}]")


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

    def __init__(self, text: Strings, **kw: object) -> None:
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

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__("", markup=False, **kw)  # type: ignore[arg-type]
        self.t = text

    def show(self, state: str, age_s: float | None, extra: str = "", url: str = "") -> None:
        """``url``: the server being tried, said while no connection was ever made."""
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
            if url:  # nothing yet: say where it is looking (a wrong address shows at once)
                label = f"◌ {self.t('connecting_to', url=url)}"
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


Row = tuple[str, list[RichText]]


def sync_rows(table: DataTable[RichText], rows: list[Row]) -> None:
    """Make ``table`` show ``rows`` (key, cells), in place where it can.

    When the keys are in the same order as shown, only the cells that changed are
    updated: the cursor and the scroll position stay where the user left them (a storm
    of votes changes counts, not the moderator's place). When rows come, go or move,
    the table is refilled and the cursor put back on the row it was on, by key, and
    the scroll position kept.
    """
    keys = [k for k, _ in rows]
    shown = [r.key.value for r in table.ordered_rows]
    columns = [c.key for c in table.ordered_columns]
    if shown == keys:
        for key, cells in rows:
            for column, value in zip(columns, cells, strict=False):
                if table.get_cell(key, column) != value:
                    table.update_cell(key, column, value)
        return
    selected = shown[table.cursor_row] if shown and 0 <= table.cursor_row < len(shown) else None
    row, scroll = table.cursor_row, table.scroll_y
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if not keys:
        return
    target = keys.index(selected) if selected in keys else min(row, len(keys) - 1)
    table.move_cursor(row=target, scroll=False)
    table.scroll_to(y=scroll, animate=False, immediate=True)
