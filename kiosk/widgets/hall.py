"""The hall's widgets: now, next, the break, the welcome and closing screens,
the question on screen and the hall message. Each shows a parsed StateView."""

from __future__ import annotations

import textwrap
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Container, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from kiosk.model import ItemView, MessageView, QuestionView, StateView
from kiosk.present import next_line, pause_caption, time_left_s
from kiosk.text import Strings, countdown
from kiosk.widgets.bigtext import BigText
from kiosk.widgets.common import Plain, plain


class ProgressLine(Static):
    """A bar of elapsed time with the time left; amber near the end, red when over."""

    DEFAULT_CLASSES = "progress-line"

    def __init__(self, text: Strings, warn_minutes: int = 5, **kw: object) -> None:
        super().__init__("", markup=False, **kw)  # type: ignore[arg-type]
        self.t = text
        self.warn_s = warn_minutes * 60
        self._last: tuple[int, int, int] | None = None
        self._shown: tuple[ItemView, datetime] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:  # the bar's width follows the screen at once
            self.show(*self._shown)

    def show(self, item: ItemView, now: datetime) -> None:
        self._shown = (item, now)
        total = max(1, int((item.expected_end - item.expected_start).total_seconds()))
        left = time_left_s(item, now)
        width = max(10, self.size.width - 22)
        key = (left, total, width)
        if key == self._last:
            return
        self._last = key
        self.set_class(0 <= left <= self.warn_s, "-warning")
        self.set_class(left < 0, "-over")
        done = min(1.0, max(0.0, 1 - left / total))
        filled = round(done * width)
        bar = "█" * filled + "░" * (width - filled)
        if left < 0:
            label = self.t("over_time", time=countdown(-left))
        elif left < 60:
            label = self.t("seconds_left", n=left)
        else:
            minutes = (left + 59) // 60
            label = self.t("minute_left") if minutes == 1 else self.t("minutes_left", n=minutes)
        self.update(plain(f"{bar}  {label}"))


class NowPanel(Vertical):
    """NU: the live item with its time, speakers, description and progress."""

    DEFAULT_CLASSES = "now-panel"

    def __init__(
        self,
        text: Strings,
        warn_minutes: int = 5,
        *,
        fit: bool = True,
        big: bool = False,
        **kw: object,
    ) -> None:
        """``fit``: a screen that does not scroll fits the text to its room; ``big``: the
        title and the time left in block letters (the hall)."""
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.warn_minutes = warn_minutes
        self.item: ItemView | None = None
        self.fit = fit
        self.big = big
        if big:
            self.add_class("-big")

    def compose(self) -> ComposeResult:
        yield Plain(self.t("now"), classes="section-label")
        yield Plain("", classes="now-time")
        if self.big:
            yield BigText(share=0.3, max_rows=20, classes="now-title-big")
        else:
            yield Plain("", classes="now-title")
        yield Plain("", classes="now-speakers")
        if self.big:
            yield BigText(share=0.22, max_rows=26, classes="now-left-big")
        yield ProgressLine(self.t, self.warn_minutes)
        yield Plain("", classes="now-description")

    def show(self, item: ItemView, now: datetime) -> None:
        self.query_one(".now-time", Plain).set(self.t.span(item.expected_start, item.expected_end))
        if self.big:
            self.query_one(".now-title-big", BigText).update(item.title)
        else:
            self.query_one(".now-title", Plain).set(item.title)
        speakers = item.speakers_line()
        self.query_one(".now-speakers", Plain).set(
            f"v. {speakers}" if speakers and self.t.lang == "da" else speakers
        )
        self.item = item
        self._fit_description()
        self.tick(item, now)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_description)

    def _fit_description(self) -> None:
        """The description and "Du får indblik i" as far as the room allows: on a small
        screen the points come before the description, and what does not fit ends in a
        line that says so (never a heading without its points)."""
        item = self.item
        box = self.query_one(".now-description", Plain)
        if item is None:
            return
        insights = [self.t("insights"), *(f"• {i}" for i in item.insights)] if item.insights else []
        full = "\n\n".join(p for p in (item.description, "\n".join(insights)) if p)
        width, height = box.size.width, box.size.height
        if self.big and width and self._give_spare_rows(box.size.height, _rows(full, width)):
            return  # laid out again: this runs again once the letters have their room
        if not self.fit or not width or not height or _rows(full, width) <= height:
            box.set(full)
            return
        if insights and _rows("\n".join(insights), width) <= height:
            box.set("\n".join(insights))  # the points, whole; the description is in the app
            return
        kept: list[str] = []
        for line in insights or [item.description]:
            if _rows("\n".join([*kept, line]), width) > height - 1:
                break
            kept.append(line)
        left = len(insights) - len(kept) if insights else 0
        more = (
            (self.t("more_point") if left == 1 else self.t("more_points", n=left)) if left else "…"
        )
        box.set("\n".join([*kept, more]) if kept else more)

    def tick(self, item: ItemView, now: datetime) -> None:
        self.query_one(ProgressLine).show(item, now)
        if self.big:
            left = time_left_s(item, now)
            big = self.query_one(".now-left-big", BigText)
            big.update(big_time_left(self.t, left))
            big.set_class(0 <= left <= self.warn_minutes * 60, "-warning")
            big.set_class(left < 0, "-over")

    def _give_spare_rows(self, box_rows: int, wanted: int) -> bool:
        """On a screen with rows to spare under the description, give them to the block
        letters (the title three parts, the time left two) so nothing big stays empty.
        Worked out from what the three share, which a new layout does not change: the
        answer is the same each time (no back and forth). True when it changed the layout."""
        title = self.query_one(".now-title-big", BigText)
        left = self.query_one(".now-left-big", BigText)
        width = title.size.width
        if not width:
            return False
        if self.screen.has_class("-small"):
            return self._small_time_left(left, box_rows, wanted)
        if not left.display and self.item is not None:  # the screen grew: letters again
            left.display, left.budget = True, None
            left.refresh(layout=True)
            self.call_after_refresh(self._fit_description)
            return True
        pool = box_rows + title.size.height + (left.size.height if left.display else 0)
        base_title, base_left = title.base_budget(), left.base_budget() if left.display else 0
        used = title.height_in(width, base_title) + (
            left.height_in(width, base_left) if left.display else 0
        )
        spare = max(0, pool - used - wanted)
        budgets = (base_title + spare * 3 // 5, base_left + spare * 2 // 5 if left.display else 0)
        if (title.budget, left.budget) == budgets or (spare == 0 and title.budget is None):
            return False
        title.budget, left.budget = budgets
        title.refresh(layout=True)
        left.refresh(layout=True)
        self.call_after_refresh(self._fit_description)
        return True

    def _small_time_left(self, left: BigText, box_rows: int, wanted: int) -> bool:
        """On a low screen the time left is in letters only in rows the description
        leaves (three rows and the margin at least). True when the layout changed."""
        pool = box_rows + (left.size.height + 1 if left.display else 0)
        spare = pool - wanted - 1  # the margin above the letters
        # Letters are at least three rows high; normal text (one row) is not worth it.
        show = spare >= 3 and left.height_in(left.size.width or self.size.width, spare) >= 3
        budget = spare if show else None
        if (left.display, left.budget) == (show, budget):
            return False
        left.display, left.budget = show, budget
        left.refresh(layout=True)
        self.call_after_refresh(self._fit_description)
        return True


def big_time_left(t: Strings, left: int) -> str:
    """The time left, short enough for block letters: "44 min.", "40 sek.", "+3 min."."""
    if left < 0:
        return "+" + t("minutes_short", n=(-left + 59) // 60)
    if left < 60:
        return t("seconds_short", n=left)
    return t("minutes_short", n=(left + 59) // 60)


def _top(widget: Widget, ancestor: Widget) -> int:
    """Where ``widget`` starts in ``ancestor``'s content (its rows, scrolled or not)."""
    top = 0
    node: Widget | None = widget
    while node is not None and node is not ancestor:
        top += node.virtual_region.y
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return top


def _rows(text: str, width: int) -> int:
    """How many screen rows ``text`` takes when wrapped at words to ``width``."""
    return sum(
        max(1, len(textwrap.wrap(line, width, break_long_words=True))) for line in text.split("\n")
    )


class NextList(Vertical):
    """NÆSTE: the next items with planned start, and the expected start when late."""

    DEFAULT_CLASSES = "next-list"

    def __init__(self, text: Strings, rows: int = 3, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Plain(self.t("next"), classes="section-label")
        for _ in range(self.rows):
            yield Plain("", classes="next-row")

    def show(self, items: tuple[ItemView, ...], now: datetime | None = None) -> None:
        self.display = bool(items)  # no heading over nothing (during the last item)
        rows = list(self.query(".next-row").results(Plain))
        for n, row in enumerate(rows):
            if n < len(items):
                row.set(next_line(self.t, items[n], now))
                row.display = True
            else:
                row.display = False


class PauseView(Vertical):
    """The break screen: when we start again, a countdown, and what comes next."""

    DEFAULT_CLASSES = "pause-view"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield BigText(share=0.3, max_rows=20, classes="pause-title")
        yield BigText(share=0.45, classes="pause-countdown")
        # "Derefter" over the next item, left-aligned, the two centred as one block.
        with Vertical(classes="pause-then-box"), Vertical(classes="pause-then-block"):
            yield Plain("", classes="pause-then-label")
            yield Plain("", classes="pause-then")

    def show(self, pause: ItemView | None, following: ItemView | None, now: datetime) -> None:
        resume = following.expected_start if following else (pause.expected_end if pause else now)
        self.query_one(".pause-title", BigText).update(pause_caption(self.t, pause, resume))
        if following:
            self.query_one(".pause-then-label", Plain).set(self.t("then"))
            speakers = following.speakers_line()
            when = f"{self.t.at(following.expected_start)}  "
            if speakers and self.t.lang == "da":
                speakers = f"v. {speakers}"  # as under NU
            # The speakers line up under the title, not under the time.
            self.query_one(".pause-then", Plain).set(
                f"{when}{following.title}" + (f"\n{' ' * len(when)}{speakers}" if speakers else "")
            )
        self.tick(resume, now)

    def tick(self, resume: datetime, now: datetime) -> None:
        self.query_one(".pause-countdown", BigText).update(
            countdown(max(0, int((resume - now).total_seconds())))
        )


class WelcomeView(VerticalScroll):
    """Before the day: welcome, when we begin, the programme and practical information.

    The rows the practical information and the programme leave go to the block letters
    (the title three parts, "Dagen begynder kl. 10.15" two), so a large screen has no
    empty half; on a wide screen the two sit side by side under the letters."""

    DEFAULT_CLASSES = "welcome-view"
    WIDE = 150  # columns from which practical information and programme sit side by side

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.can_focus = False
        self.view: StateView | None = None
        self._practical = ""

    def compose(self) -> ComposeResult:
        yield Plain(self.t("welcome"), classes="welcome-label")
        yield BigText(share=0.22, max_rows=26, align="left", classes="welcome-title")
        yield Plain("", classes="welcome-subtitle")
        yield BigText(share=0.14, max_rows=26, align="left", classes="welcome-starts")
        yield Plain("", classes="welcome-starts-in")
        with Container(classes="welcome-info"):
            with Vertical(classes="welcome-practical-box"):
                yield Plain("", classes="welcome-practical")
            with Vertical(classes="welcome-programme-box"):
                yield Plain(self.t("programme"), classes="section-label")
                yield Plain("", classes="welcome-programme")

    def show(self, view: StateView, now: datetime) -> None:
        ev = view.event
        self.set_class(self.size.width >= self.WIDE, "-wide")
        self.query_one(".welcome-title", BigText).update(ev.title)
        subtitle = self.query_one(".welcome-subtitle", Plain)
        subtitle.set(ev.subtitle)
        subtitle.display = bool(ev.subtitle)
        first = view.next[0] if view.next else None
        self.tick(first, now)
        practical = [p for p in (ev.venue, ev.entrance, *ev.practical) if p]
        self._practical = "\n".join(practical)
        self.query_one(".welcome-practical", Plain).set(self._practical)
        self.query_one(".welcome-practical-box").display = bool(practical)
        self.view = view
        self._list(fit=False)
        self.call_after_refresh(self._list)

    def _lines(self) -> list[str]:
        """The programme of the day (of this hall's room), a line per item."""
        view = self.view
        if view is None:
            return []
        return [f"{self.t.span(i.start, i.end):<18} {i.title}" for i in self._items()]

    def _items(self) -> list[ItemView]:
        """This hall's room's items of the day that begins next (a programme of several
        days: that day's only)."""
        view = self.view
        if view is None:
            return []
        items = [i for i in view.programme if not view.room or i.room in ("", view.room)]
        if view.next:
            day = view.next[0].start.date()
            items = [i for i in items if i.start.date() == day]
        return items

    def _list(self, fit: bool = True) -> None:
        """The programme, in the room the big letters leave (after they are laid out)."""
        view = self.view
        if view is None:
            return
        ev = view.event
        if fit and self._give_spare_rows():
            return  # laid out again: this runs again once the letters have their room
        items = self._items()
        lines = self._lines()
        # A screen too low for the whole day shows what fits and says what is left: the
        # afternoon must not vanish without a sign (each line ends in "…" when too wide).
        box = self.query_one(".welcome-programme", Plain)
        room = self.size.height - _top(box, self) - (1 if ev.caveat else 0)
        if fit and 0 < room < len(lines):
            shown, rest = lines[: max(room - 1, 1)], items[max(room - 1, 1) :]
            more = self.t("more_items", n=len(rest), end=self.t.clock(rest[-1].end))
            lines = [*shown, more]
        if ev.caveat:
            lines.append(f"({ev.caveat})")
        box.set("\n".join(lines))

    def _info_rows(self) -> int:
        """The rows practical information and the whole programme want."""
        practical = self.query_one(".welcome-practical", Plain)
        caveat = 1 if self.view is not None and self.view.event.caveat else 0
        programme = 1 + len(self._lines()) + caveat
        text = self._practical
        rows = _rows(text, practical.size.width or self.size.width) + 1 if text else 0
        return max(rows, programme) if self.has_class("-wide") else rows + programme

    def _give_spare_rows(self) -> bool:
        """Give the rows below the programme to the letters; worked out from the letters'
        own shares, so the answer is the same each time. True when the layout changed."""
        title = self.query_one(".welcome-title", BigText)
        starts = self.query_one(".welcome-starts", BigText)
        info = self.query_one(".welcome-info")
        width, height = title.size.width, self.size.height
        if not width or not height:
            return False
        base_t = title.height_in(width, title.base_budget())
        base_s = starts.height_in(width, starts.base_budget())
        # Where everything ends with the letters at their own share.
        end = info.virtual_region.y + self._info_rows()
        end += base_t + base_s - title.size.height - starts.size.height
        pool = base_t + base_s + max(0, height - end)
        want_t = base_t + (pool - base_t - base_s) * 3 // 5
        h_t = title.height_in(width, want_t)
        h_s = starts.height_in(width, pool - h_t)
        h_t = title.height_in(width, pool - h_s)  # what the starts line cannot use
        budgets = (h_t, pool - h_t) if pool > base_t + base_s else (None, None)
        if (title.budget, starts.budget) == budgets:
            return False
        title.budget, starts.budget = budgets
        title.refresh(layout=True)
        starts.refresh(layout=True)
        self.call_after_refresh(self._list)
        return True

    def on_resize(self) -> None:
        if self.view is not None:
            self.show(self.view, self.view.clock or datetime.now().astimezone())

    def tick(self, first: ItemView | None, now: datetime) -> None:
        if first is None:
            return
        left = int((first.expected_start - now).total_seconds())
        line = self.t("starts_when", when=self.t.when(first.expected_start, now))
        self.query_one(".welcome-starts", BigText).update(line)
        soon = self.t("starts_in", duration=self.t.duration(left)) if 0 < left < 86400 else ""
        self.query_one(".welcome-starts-in", Plain).set(soon)


class ClosingView(Vertical):
    """After the last item."""

    DEFAULT_CLASSES = "closing-view"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield BigText(self.t("closing"), classes="closing-title")
        yield Plain(self.t("closing_sub"), classes="closing-sub")
        yield Plain("", classes="closing-event")

    def show(self, view: StateView) -> None:
        self.query_one(".closing-event", Plain).set(view.event.title)


class QuestionPanel(Vertical):
    """The panel question on screen, with the asker's name and organisation."""

    DEFAULT_CLASSES = "question-panel"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield Plain(self.t("question"), classes="question-label")
        yield Plain("", classes="question-text")
        yield Plain("", classes="question-asker")

    def show(self, q: QuestionView | None) -> None:
        self.display = q is not None
        if q is None:
            return
        self.query_one(".question-text", Plain).set(q.text)
        asker = q.asker()
        self.query_one(".question-asker", Plain).set(f"— {asker}" if asker else "")


class MessageBanner(Vertical):
    """The moderator's hall message: impossible to miss."""

    DEFAULT_CLASSES = "message-banner"

    def __init__(self, label: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.label = label

    def compose(self) -> ComposeResult:
        yield Plain(self.label, classes="message-label")
        yield Plain("", classes="message-text")

    def show(self, msg: MessageView | None, now: datetime) -> None:
        visible = msg is not None and msg.active(now)
        self.display = visible
        if msg is not None and visible:
            self.query_one(".message-text", Plain).set(msg.text)


class QuestionStage(Vertical):
    """The question on the hall screens takes the stage: its text as large as it fits,
    the asker's name smaller beneath, and a line of what is on and the time left."""

    DEFAULT_CLASSES = "question-stage"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield Plain(self.t("question"), classes="question-stage-label")
        yield BigText(classes="question-stage-text")
        yield BigText(share=0.1, max_rows=5, classes="question-stage-asker")
        yield Plain("", classes="question-stage-now")

    def show(self, q: QuestionView, item: ItemView | None, now: datetime) -> None:
        self.query_one(".question-stage-text", BigText).update(q.text)
        asker = q.asker()
        box = self.query_one(".question-stage-asker", BigText)
        box.update(f"— {asker}" if asker else "")
        box.display = bool(asker)
        self.tick(item, now)

    def tick(self, item: ItemView | None, now: datetime) -> None:
        line = ""
        if item is not None:
            left = time_left_s(item, now)
            line = f"{self.t('now')}: {item.title} · {big_time_left(self.t, left)}"
        self.query_one(".question-stage-now", Plain).set(line)


class AnnouncementStage(Vertical):
    """The moderator's hall announcement, over everything but the clock."""

    DEFAULT_CLASSES = "announcement-stage"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield Plain(self.t("announcement"), classes="announcement-label")
        yield BigText(classes="announcement-text")

    def show(self, msg: MessageView) -> None:
        self.query_one(".announcement-text", BigText).update(msg.text)


class StageMessage(Vertical):
    """The moderator's message on the stage monitor: in block letters, impossible to miss;
    it blinks once (a second in reverse) when a new one arrives."""

    DEFAULT_CLASSES = "stage-message"
    BLINK_S = 1.0

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self._shown: str | None = None  # None: nothing shown yet (a message there at start
        # or after a reconnect is not news: no blink)

    def compose(self) -> ComposeResult:
        yield Plain(self.t("stage_message"), classes="stage-message-label")
        yield BigText(share=0.3, max_rows=13, classes="stage-message-text")

    def show(self, msg: MessageView | None, now: datetime) -> None:
        text = msg.text if msg is not None and msg.active(now) else ""
        self.display = bool(text)
        self.query_one(BigText).update(text)
        if text and self._shown is not None and text != self._shown:
            self.add_class("-arrived")
            self.set_timer(self.BLINK_S, lambda: self.remove_class("-arrived"))
        self._shown = text


class OnScreenLine(Plain):
    """On the stage monitor: the question the hall shows now, so the panel can answer it."""

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__("", **kw)
        self.t = text

    def show(self, q: QuestionView | None) -> None:
        self.display = q is not None
        if q is not None:
            asker = q.asker()
            self.set(self.t("on_hall_screen", text=q.text + (f" — {asker}" if asker else "")))
