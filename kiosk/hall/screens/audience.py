"""The audience screen: what the whole room looks at."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import ContentSwitcher

from kiosk.model import StateView
from kiosk.present import following_session, resume_time
from kiosk.screen import LiveScreen
from kiosk.text import Strings
from kiosk.widgets.common import ClockHeader, Plain, StatusLine
from kiosk.widgets.hall import (
    AnnouncementStage,
    ClosingView,
    NextList,
    NowPanel,
    PauseView,
    QuestionStage,
    WelcomeView,
)
from kiosk.widgets.qr import QrPanel

LARGE_WIDTH = 150
LARGE_HEIGHT = 40


class AudienceScreen(LiveScreen):
    """Now, next, breaks, the welcome and closing screens, questions and messages."""

    def __init__(self, text: Strings, warn_minutes: int = 5, qr: bool = True) -> None:
        super().__init__(text)
        self.warn_minutes = warn_minutes
        self.phase_view = "waiting"  # the body's view for the phase of the day
        self.qr = qr  # the attendees' page as a QR code where it helps (hall --no-qr: never)
        self.public_url = ""

    def compose(self) -> ComposeResult:
        yield ClockHeader(self.t)
        with Horizontal(id="body-row"):
            with ContentSwitcher(initial="waiting", id="body"):
                yield Plain(self.t("waiting"), id="waiting")
                with Vertical(id="live"):
                    yield NowPanel(self.t, self.warn_minutes, big=True)
                    yield NextList(self.t)
                yield PauseView(self.t, id="pause")
                yield WelcomeView(self.t, id="before")
                yield ClosingView(self.t, id="after")
                with Vertical(id="between"):
                    yield Plain("", id="between-title")
                    yield NextList(self.t, id="between-next")
                # What takes the stage: an announcement over everything, then the question.
                yield QuestionStage(self.t, id="question")
                yield AnnouncementStage(self.t, id="announcement")
            # Beside the body, right: the attendees' page as a code, where it helps.
            yield QrPanel(self.t, id="qr")
        yield StatusLine(self.t)

    def set_public_url(self, url: str) -> None:
        """The attendees' page (from the server's welcome)."""
        self.public_url = url if self.qr else ""
        if self.view is not None:
            self._qr(self.view)

    def _qr(self, view: StateView) -> None:
        """The code on the welcome, the break and between items, and during an item that
        takes questions; not when a question or an announcement has the stage."""
        shown = self.query_one("#body", ContentSwitcher).current
        wanted = shown in ("before", "pause", "between") or (
            shown == "live" and view.current is not None and view.current.questions_open
        )
        url = self.public_url
        if url and len(view.event.rooms) > 1:  # the page opens on this hall's room
            url += "?room=" + quote(view.room, safe="")
        self.query_one(QrPanel).show(url, wanted)

    def on_resize(self, event: Resize) -> None:
        self.set_class(
            event.size.width >= LARGE_WIDTH and event.size.height >= LARGE_HEIGHT, "-large"
        )
        self.set_class(event.size.height < 30, "-small")
        if self.query(QrPanel):
            self.query_one(QrPanel).fit()

    def show(self, view: StateView, now: datetime) -> None:
        """Show a new snapshot."""
        self.view = view
        header = self.query_one(ClockHeader)
        header.set_event(view.event.title, view.room_name, now)
        header.set_time(now)
        switcher = self.query_one("#body", ContentSwitcher)
        phase = view.phase
        if phase in ("live", "break") and view.current is None:
            phase = "between"
        if phase == "between" and view.next and _opens_a_day(view):
            phase = "before"  # between two days: the next day's welcome
        if phase == "live" and view.current is not None:
            self.query_one(NowPanel).show(view.current, now)
            self.query_one("#live NextList", NextList).show(view.next, now)
            switcher.current = "live"
        elif phase == "break":
            self.query_one(PauseView).show(view.current, following_session(view), now)
            switcher.current = "pause"
        elif phase == "before":
            self.query_one(WelcomeView).show(view, now)
            switcher.current = "before"
        elif phase == "after":
            self.query_one(ClosingView).show(view)
            switcher.current = "after"
        else:
            first = view.next[0] if view.next else None
            # The evening before a second day: "Næste punkt begynder i morgen kl. 10.00".
            when = self.t.when(first.expected_start, now) if first else ""
            title = self.t("between_when", when=when) if first else ""
            self.query_one("#between-title", Plain).set(title)
            self.query_one("#between-next", NextList).show(view.next, now)
            switcher.current = "between"
        self.phase_view = switcher.current
        self._stage(view, now)

    def _stage(self, view: StateView, now: datetime) -> None:
        """An announcement, or else the question on screen, takes the stage from the
        phase's view (and gives it back when it goes)."""
        switcher = self.query_one("#body", ContentSwitcher)
        msg = view.hall_message
        if msg is not None and msg.active(now):
            self.query_one(AnnouncementStage).show(msg)
            switcher.current = "announcement"
        elif view.on_screen_question is not None:
            self.query_one(QuestionStage).show(view.on_screen_question, view.current, now)
            switcher.current = "question"
        else:
            switcher.current = self.phase_view
        self._qr(view)

    def tick(self, now: datetime) -> None:
        """Once a second: the clock, the countdowns, message expiry."""
        self.query_one(ClockHeader).set_time(now)
        view = self.view
        if view is None:
            return
        current = self.phase_view
        if current == "live" and view.current is not None:
            self.query_one(NowPanel).tick(view.current, now)
        elif current == "pause":
            self.query_one(PauseView).tick(resume_time(view, now), now)
        elif current == "before":
            self.query_one(WelcomeView).tick(view.next[0] if view.next else None, now)
        self._stage(view, now)  # an announcement's time may be up; the question's line


def _opens_a_day(view: StateView) -> bool:
    """Whether the next item is the first of its day in this room (a programme of several
    days: the evening before and the morning of a later day show that day's welcome)."""
    first = view.next[0]
    day = first.start.date()
    same_day = [i.start for i in view.programme if i.start.date() == day and i.room == first.room]
    return (
        bool(same_day)
        and min(same_day) == first.start
        and any(i.start.date() < day for i in view.programme)
    )
