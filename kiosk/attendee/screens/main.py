"""The attendee's screen: now, the programme, asking the panel, practical information."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Input, Tab, TabbedContent, TabPane, Tabs

from kiosk.model import ItemView, StateView
from kiosk.present import break_caption, session_live
from kiosk.screen import LiveScreen
from kiosk.text import Strings
from kiosk.widgets.common import Plain, StatusLine, cell, fit_column, sync_rows
from kiosk.widgets.hall import MessageBanner, NextList, NowPanel


class AttendeeScreen(LiveScreen):
    """Now / next, the programme, ask the panel, practical information."""

    def __init__(self, text: Strings, max_chars: int = 280) -> None:
        super().__init__(text)
        self.max_chars = max_chars

    def compose(self) -> ComposeResult:
        with Horizontal(id="att-top"):
            yield Plain("", id="att-title")
            yield StatusLine(self.t, id="att-status")
            yield Plain("", id="att-clock")
        with TabbedContent(id="att-tabs"):
            with TabPane(self.t("tab_now"), id="pane-now"), VerticalScroll(id="now-scroll"):
                yield MessageBanner(self.t("announcement"), id="att-message")
                yield Plain("", id="now-phase")
                yield NowPanel(self.t, fit=False, id="att-now")  # the tab scrolls
                yield NextList(self.t, rows=4, id="att-next")
            with TabPane(self.t("tab_programme"), id="pane-programme"), Vertical():
                # Several days: one at a time (a tab a day, today's first).
                yield Tabs(id="att-days")
                yield Plain("", id="late-legend")
                with Horizontal():
                    table: DataTable[RichText] = DataTable(cursor_type="row", id="att-programme")
                    yield table
                    with VerticalScroll(id="details-scroll"):
                        yield Plain("", id="item-details")
            with TabPane(self.t("tab_ask"), id="pane-ask"), VerticalScroll(id="ask-scroll"):
                yield Plain("", id="ask-target")
                yield Input(placeholder=self.t("ask_placeholder"), id="ask-text")
                yield Plain("", id="ask-counter")
                with Horizontal(id="ask-row"):
                    yield Input(
                        placeholder=self.t("name_placeholder"), max_length=80, id="ask-name"
                    )
                    yield Input(placeholder=self.t("org_placeholder"), max_length=80, id="ask-org")
                    yield Button(self.t("send"), id="ask-send", variant="primary")
                yield Plain("", id="ask-error")
                yield Plain(self.t("your_questions"), classes="section-label")
                yield Plain(self.t("unsent_note"), id="unsent-note")
                mine: DataTable[RichText] = DataTable(cursor_type="row", id="mine")
                yield mine
                yield Plain(self.t("vote_questions"), classes="section-label")
                public: DataTable[RichText] = DataTable(cursor_type="row", id="public")
                yield public
            with TabPane(self.t("tab_practical"), id="pane-practical"), VerticalScroll():
                yield Plain("", id="practical")
        yield Footer()

    def on_mount(self) -> None:
        prog = self.query_one("#att-programme", DataTable)
        prog.add_column("", key="live", width=1)
        prog.add_column(self.t("col_time"), key="time", width=11)
        prog.add_column(self.t("col_title"), key="title", width=30)
        mine = self.query_one("#mine", DataTable)
        mine.add_column(self.t("col_status"), key="status", width=30)
        mine.add_column(self.t("col_question"), key="text", width=30)
        public = self.query_one("#public", DataTable)
        public.add_column("", key="voted", width=1)
        public.add_column(self.t("col_votes"), key="votes", width=7)
        public.add_column(self.t("col_question"), key="text", width=30)
        self._count()

    def on_resize(self) -> None:
        width = self.size.width - 2
        fit_column(self.query_one("#mine", DataTable), "text", width)
        fit_column(self.query_one("#public", DataTable), "text", width)
        fit_column(self.query_one("#att-programme", DataTable), "title", width // 2)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "pane-ask":
            box = self.query_one("#ask-text", Input)
            if not box.disabled:
                box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ask-text":
            self._count()

    def _count(self) -> None:
        n = len(self.query_one("#ask-text", Input).value.strip())
        counter = self.query_one("#ask-counter", Plain)
        over = n > self.max_chars
        counter.set(f"{n}/{self.max_chars}" + (f" – {self.t('too_long')}" if over else ""))
        counter.set_class(over, "-over")

    # --- the question being written (the app asks here; it never queries the inputs) ---

    def set_profile(self, name: str, organisation: str) -> None:
        self.query_one("#ask-name", Input).value = name
        self.query_one("#ask-org", Input).value = organisation

    def draft(self) -> tuple[str, str, str] | None:
        """(question, name, organisation) ready to send, or None when there is none. A
        question over the limit is refused with a message and left whole (a paste is never
        cut mid-word)."""
        box = self.query_one("#ask-text", Input)
        text = box.value.strip()
        if not text or box.disabled:
            return None
        if len(text) > self.max_chars:
            self.set_error(self.t("too_long_refused", n=self.max_chars))
            return None
        name = self.query_one("#ask-name", Input).value.strip()
        org = self.query_one("#ask-org", Input).value.strip()
        return text, name, org

    def clear_draft(self) -> None:
        self.query_one("#ask-text", Input).value = ""

    def restore_draft(self, text: str) -> None:
        """Put a refused question back in the box, unless something new is being written."""
        box = self.query_one("#ask-text", Input)
        if not box.value:
            box.value = text

    def show_tab(self, pane: str) -> None:
        """Switch to a tab and put the focus inside it: focus left in the old tab (the
        question box, a table) would pull the old tab back."""
        tabs = self.query_one(TabbedContent)
        tabs.active = pane
        # The day tabs are a switch beside the programme: the table has the focus first.
        inside = [
            w
            for w in tabs.get_pane(pane).query("*")
            if w.focusable and w.display and not isinstance(w, Tabs)
        ]
        if inside:
            inside[0].focus()
        else:
            self.set_focus(None)

    def set_limit(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._count()

    # --- showing ----------------------------------------------------------------

    def show(self, view: StateView, now: datetime) -> None:
        self.view = view
        self.query_one("#att-title", Plain).set(view.event.title)
        self._show_now(view, now)
        self._show_programme(view)
        self._show_practical(view)
        target = view.ask_item
        self.query_one("#ask-target", Plain).set(
            self.t("ask_to", title=target.title) if target else self.t("ask_closed")
        )
        for wid in ("#ask-text", "#ask-send"):
            self.query_one(wid).disabled = target is None
        self.tick(now)

    def _show_now(self, view: StateView, now: datetime) -> None:
        self.query_one("#att-message", MessageBanner).show(view.hall_message, now)
        cur = session_live(view)
        now_panel = self.query_one("#att-now", NowPanel)
        phase = self.query_one("#now-phase", Plain)
        if cur is not None:
            now_panel.display = True
            now_panel.show(cur, now)
            phase.set("")
        else:
            now_panel.display = False
            caption = break_caption(view, self.t)
            if caption:
                phase.set(caption)
            elif view.phase == "after":
                phase.set(f"{self.t('closing')}. {self.t('closing_sub')}")
            elif view.next:
                phase.set(self.t("starts_when", when=self.t.when(view.next[0].expected_start, now)))
            else:
                phase.set("")
        phase.display = bool(str(phase.render()))
        self.query_one("#att-next", NextList).show(view.next, now)

    def _days(self, view: StateView) -> list[str]:
        """The programme's days (ISO dates), and the day tabs to match."""
        days = sorted({it.start.date().isoformat() for it in view.programme})
        tabs = self.query_one("#att-days", Tabs)
        tabs.display = len(days) > 1
        have = [str(tab.id).removeprefix("day-") for tab in tabs.query(Tab)]
        if len(days) > 1 and have != days:
            tabs.clear()
            for d in days:
                tabs.add_tab(
                    Tab(self.t.date(datetime.fromisoformat(d)).rsplit(" ", 1)[0], id=f"day-{d}")
                )
            now = view.clock or datetime.now().astimezone()
            today = now.date().isoformat()
            tabs.active = f"day-{today if today in days else days[0]}"
        return days

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tabs.id == "att-days" and self.view is not None:
            self._show_programme(self.view)

    def _day_items(self, view: StateView) -> tuple[ItemView, ...]:
        """The items of the day on show (all of them for a programme of one day)."""
        days = self._days(view)
        active = self.query_one("#att-days", Tabs).active or ""
        day = active.removeprefix("day-")
        if len(days) < 2 or day not in days:
            return view.programme
        return tuple(it for it in view.programme if it.start.date().isoformat() == day)

    def _show_programme(self, view: StateView) -> None:
        table = self.query_one("#att-programme", DataTable)
        live = view.current.id if view.current else None
        first_fill = table.row_count == 0
        rows = []
        for it in self._day_items(view):
            time = f"{it.start:%H.%M}–{it.end:%H.%M}"
            if it.late_minutes:
                time = f"{it.expected_start:%H.%M}*"
            title = it.title
            if len(view.event.rooms) > 1:  # every room's items, each with its room
                title = f"{view.event.rooms.get(it.room, it.room)} · {it.title}"
            cells = [
                cell("●" if it.id == live else ""),
                cell(time),
                cell(title, overflow="ellipsis", no_wrap=True),
            ]
            rows.append((it.id, cells))
        sync_rows(table, rows)
        legend = self.query_one("#late-legend", Plain)  # what the * means, when there is one
        late = max((it.late_minutes for it in view.programme), default=0)
        legend.set(self.t("late_legend", n=late) if late > 0 else "")
        legend.display = late > 0
        if first_fill and live is not None and any(key == live for key, _ in rows):
            table.move_cursor(row=next(n for n, (key, _) in enumerate(rows) if key == live))
        self._details()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "att-programme":
            self._details()

    def _details(self) -> None:
        view = self.view
        table = self.query_one("#att-programme", DataTable)
        if view is None or not view.programme or table.row_count == 0:
            return
        items = self._day_items(view)
        if not items:
            return
        it = items[min(table.cursor_row, len(items) - 1)]
        lines = [self.t.span(it.start, it.end), it.title]
        if len(view.event.rooms) > 1:
            lines.insert(1, view.event.rooms.get(it.room, it.room))
        if it.late_minutes:
            lines.append(self.t("expected", time=self.t.clock(it.expected_start)))
        lines += [f"• {s.line()}" for s in it.speakers]
        if it.description:
            lines += ["", it.description]
        if it.insights:
            lines += ["", self.t("insights"), *[f"• {i}" for i in it.insights]]
        self.query_one("#item-details", Plain).set("\n".join(lines))

    def _show_practical(self, view: StateView) -> None:
        ev = view.event
        parts = [ev.title]
        if ev.date:
            try:
                day = datetime.fromisoformat(ev.date)
                parts.append(self.t.date(day))
            except ValueError:
                pass
        for label, value in (
            (self.t("venue"), ev.venue),
            (self.t("entrance"), ev.entrance),
            ("", "\n".join(ev.practical)),
            (self.t("accessibility"), ev.accessibility),
            (self.t("price"), ev.price),
            (self.t("registration"), ev.registration),
            (self.t("contact"), ev.contact),
        ):
            if value:
                parts.append(f"{label}\n{value}" if label else value)
        if ev.moderator:
            parts.append(self.t("moderator", name=ev.moderator))
        if ev.organiser_about:
            parts.append(ev.organiser_about)
        self.query_one("#practical", Plain).set("\n\n".join(parts))

    def tick(self, now: datetime) -> None:
        self.query_one("#att-clock", Plain).set(self.t.at(now))
        if self.view is not None:  # an announcement goes when it expires
            self.query_one("#att-message", MessageBanner).show(self.view.hall_message, now)
        cur = session_live(self.view) if self.view is not None else None
        if cur is not None:
            self.query_one("#att-now", NowPanel).tick(cur, now)

    def set_error(self, message: str) -> None:
        err = self.query_one("#ask-error", Plain)
        err.set(message)
        err.display = bool(message)

    def fill_mine(self, rows: list[tuple[str, str, str]]) -> None:
        """(key, status text, question) rows for the attendee's own questions."""
        cells = [
            (key, [cell(status), cell(text, overflow="ellipsis", no_wrap=True)])
            for key, status, text in rows
        ] or [("__none__", [cell(""), cell(self.t("no_own"))])]
        sync_rows(self.query_one("#mine", DataTable), cells)

    def fill_public(self, rows: list[tuple[str, bool, int, str]]) -> None:
        """(question id, voted, votes, text) rows of the approved questions."""
        cells = [
            (
                qid,
                [
                    cell("♥" if voted else ""),
                    cell(str(votes), justify="right"),
                    cell(text, overflow="ellipsis", no_wrap=True),
                ],
            )
            for qid, voted, votes, text in rows
        ] or [("__none__", [cell(""), cell(""), cell(self.t("no_public"))])]
        sync_rows(self.query_one("#public", DataTable), cells)

    def selected_key(self, table_id: str) -> str | None:
        table = self.query_one(f"#{table_id}", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return None if key in (None, "__none__") else str(key)
