"""The stage monitor: a big countdown, the moderator's message in block letters, the
question on the hall screens, now and next, and the notes."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from kiosk.model import StateView
from kiosk.present import time_left_s
from kiosk.screen import LiveScreen
from kiosk.text import Strings, countdown
from kiosk.widgets.bigtext import BigText
from kiosk.widgets.common import Plain, StatusLine
from kiosk.widgets.hall import OnScreenLine, StageMessage


class StageScreen(LiveScreen):
    """What the speaker and the moderator see on stage."""

    def __init__(self, text: Strings, warn_minutes: int = 5) -> None:
        super().__init__(text)
        self.warn_s = warn_minutes * 60
        self._flash = True  # the first second over time shows red, then it flashes

    def compose(self) -> ComposeResult:
        with Horizontal(id="stage-top"):
            yield Plain("", id="stage-now")
            yield Plain("", id="stage-clock")
        yield Plain("", id="stage-label")
        yield BigText("", id="stage-countdown")
        yield StageMessage(self.t, id="stage-message")
        with Vertical(id="stage-bottom"):
            yield OnScreenLine(self.t, id="stage-question")
            yield Plain("", id="stage-next")
            yield Plain("", id="stage-notes")
        yield StatusLine(self.t)

    def show(self, view: StateView, now: datetime) -> None:
        self.view = view
        cur = view.current
        if cur is not None:
            self.query_one("#stage-now", Plain).set(f"{self.t('now')}: {cur.title}")
        else:
            self.query_one("#stage-now", Plain).set(self.t("nothing_live"))
        nxt = view.next[0] if view.next else None
        self.query_one("#stage-next", Plain).set(
            f"{self.t('next')}: {self.t.at(nxt.expected_start)}  {nxt.title}" if nxt else ""
        )
        note = view.notes.get(cur.id) if cur else None
        self.query_one("#stage-notes", Plain).set(note[0] if note else "")
        self.query_one("#stage-notes", Plain).display = bool(note and note[0])
        self.query_one(StageMessage).show(view.stage_message, now)
        self.query_one(OnScreenLine).show(view.on_screen_question)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        self.query_one("#stage-clock", Plain).set(self.t.at(now))
        view = self.view
        big = self.query_one(BigText)
        label = self.query_one("#stage-label", Plain)
        if view is None or view.current is None:
            big.update("")
            label.set("")
            self.set_class(False, "-warning")
            self.set_class(False, "-over")
            return
        left = time_left_s(view.current, now)
        over = left < 0
        big.update(("+" if over else "") + countdown(left))
        label.set(self.t("over") if over else self.t("remaining"))
        self.set_class(0 <= left <= self.warn_s, "-warning")
        self.set_class(over, "-over")
        self._flash = over and not self._flash
        self.set_class(self._flash, "-flash")
