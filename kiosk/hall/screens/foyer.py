"""The foyer screen (`podium hall --mode foyer`): every room's now and next with the
expected times, the announcement meant for all rooms, and the attendees' page as a QR code.

The rooms are laid out as cards (at least 38 columns wide and 7 rows high) in the number
of columns that makes them largest; when they do not all fit, the screen shows them a
page at a time and turns the page every ``PAGE_S`` seconds, saying which page it is.
"""

from __future__ import annotations

import math
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.events import Resize

from kiosk.model import FoyerRoomView, StateView
from kiosk.present import next_line, pause_caption, time_left_s
from kiosk.screen import LiveScreen
from kiosk.text import Strings
from kiosk.widgets.bigtext import BigText
from kiosk.widgets.common import ClockHeader, Plain, StatusLine
from kiosk.widgets.hall import MessageBanner, big_time_left
from kiosk.widgets.qr import QrPanel

CARD_WIDTH = 38
CARD_HEIGHT = 7
PAGE_S = 10.0


class RoomCard(Vertical):
    """One room: its name, what is on (time left) or the break, and the next item."""

    DEFAULT_CLASSES = "foyer-room"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.room: FoyerRoomView | None = None

    def compose(self) -> ComposeResult:
        yield Plain("", classes="foyer-name")
        yield Plain("", classes="foyer-now")
        # In block letters when the card is large enough (normal text otherwise).
        yield BigText(align="left", classes="foyer-title")
        yield Plain("", classes="foyer-next")

    def show(self, room: FoyerRoomView, now: datetime) -> None:
        self.room = room
        self.query_one(".foyer-name", Plain).set(room.name)
        cur = room.current
        title = ""
        if cur is not None and cur.is_pause:
            resume = room.next[0].expected_start if room.next else cur.expected_end
            line = pause_caption(self.t, cur, resume)
        elif cur is not None:
            left = time_left_s(cur, now)
            when = self.t.span(cur.expected_start, cur.expected_end)
            line = f"{self.t('now')} {when} · {big_time_left(self.t, left)}"
            title = cur.title
        elif room.phase == "after":
            line = self.t("foyer_done")
        else:
            line = self.t("foyer_nothing")
        self.query_one(".foyer-now", Plain).set(line)
        box = self.query_one(".foyer-title", BigText)
        box.update(title)
        box.display = bool(title)
        nxt = room.next[0] if room.next else None
        self.query_one(".foyer-next", Plain).set(
            f"{self.t('next')}: {next_line(self.t, nxt, now)}" if nxt is not None else ""
        )
        self.set_class(cur is not None and not cur.is_pause and time_left_s(cur, now) < 0, "-over")


class FoyerScreen(LiveScreen):
    """Every room at once, for the foyer."""

    def __init__(self, text: Strings, qr: bool = True) -> None:
        super().__init__(text)
        self.qr = qr
        self.public_url = ""
        self.page = 0
        self._turned = 0.0

    def compose(self) -> ComposeResult:
        yield ClockHeader(self.t)
        yield MessageBanner(self.t("announcement"), id="foyer-message")
        with Horizontal(id="body-row"):
            with Vertical(id="foyer-body"):
                yield Grid(id="foyer-grid")
                yield Plain("", id="foyer-page")
            yield QrPanel(self.t, id="qr")
        yield StatusLine(self.t)

    def set_public_url(self, url: str) -> None:
        self.public_url = url if self.qr else ""
        self.query_one(QrPanel).show(self.public_url, True)

    def on_resize(self, event: Resize) -> None:
        self.query_one(QrPanel).fit()
        if self.view is not None:
            self.call_after_refresh(self._layout)

    def show(self, view: StateView, now: datetime) -> None:
        self.view = view
        header = self.query_one(ClockHeader)
        header.set_event(view.event.title, self.t("foyer_all_rooms"), now)
        header.set_time(now)
        self.query_one("#foyer-message", MessageBanner).show(view.hall_message, now)
        self.query_one(QrPanel).show(self.public_url, True)
        self._layout()

    def _shape(self) -> tuple[int, int]:
        """(columns, cards a page) for the grid's present size: of the layouts that show
        every room on one page, the one whose cards are largest for a title in block
        letters (a letter is about four columns wide for each row high); when none does,
        as many cards as fit, a page at a time."""
        grid = self.query_one("#foyer-grid", Grid)
        width = grid.size.width or self.size.width
        height = grid.size.height or max(1, self.size.height - 6)
        rooms = len(self.view.foyer_rooms) if self.view else 0
        best: tuple[float, int] | None = None
        for cols in range(1, max(1, rooms) + 1):
            rows = math.ceil(max(1, rooms) / cols)
            card_w, card_h = width / cols, height / rows
            if card_w < CARD_WIDTH or card_h < CARD_HEIGHT:
                continue
            score = min(card_w / 4, card_h)
            if best is None or score > best[0]:
                best = (score, cols)
        if best is not None:
            return best[1], max(1, rooms)
        cols = max(1, min(max(1, rooms), width // CARD_WIDTH))
        return cols, cols * max(1, height // CARD_HEIGHT)

    def _layout(self) -> None:
        """The cards of the page on show, in as many columns as fit."""
        view = self.view
        if view is None:
            return
        rooms = view.foyer_rooms
        cols, per_page = self._shape()
        pages = max(1, math.ceil(len(rooms) / per_page))
        self.page %= pages
        shown = rooms[self.page * per_page : (self.page + 1) * per_page]
        grid = self.query_one("#foyer-grid", Grid)
        grid.styles.grid_size_columns = cols
        grid.styles.grid_size_rows = max(1, math.ceil(len(shown) / cols))
        cards = list(grid.query(RoomCard))
        if len(cards) != len(shown):
            grid.remove_children()
            cards = [RoomCard(self.t) for _ in shown]
            grid.mount_all(cards)
        now = view.clock or datetime.now().astimezone()
        for card, room in zip(cards, shown, strict=True):
            if card.is_mounted:
                card.show(room, now)
            else:
                card.call_after_refresh(card.show, room, now)
        label = self.query_one("#foyer-page", Plain)
        label.set(self.t("foyer_page", n=self.page + 1, of=pages) if pages > 1 else "")
        label.display = pages > 1

    def tick(self, now: datetime) -> None:
        self.query_one(ClockHeader).set_time(now)
        view = self.view
        if view is None:
            return
        self.query_one("#foyer-message", MessageBanner).show(view.hall_message, now)
        _, per_page = self._shape()
        self._turned += 1
        if len(view.foyer_rooms) > per_page and self._turned >= PAGE_S:
            self._turned = 0
            self.page += 1
            self._layout()
            return
        by_id = {r.id: r for r in view.foyer_rooms}
        for card in self.query(RoomCard):
            if card.room is not None and card.room.id in by_id:
                card.show(by_id[card.room.id], now)
