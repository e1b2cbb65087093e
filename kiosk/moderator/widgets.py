"""The moderator console's panels: live control, notes, the hall preview, questions, programme.

Cells and labels are rich ``Text`` or ``Content`` built from plain strings: a question's
``[@click=app.quit]`` is shown as typed.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Tab, Tabs

from kiosk.model import ItemView, QuestionView, StateView
from kiosk.present import break_caption, next_line, session_live, time_left_s
from kiosk.text import Strings
from kiosk.widgets.common import Plain, cell, fit_column, plain, sync_rows
from kiosk.widgets.hall import MessageBanner, NextList, NowPanel, QuestionPanel

STATUS_ORDER = ("pending", "approved", "on_screen", "answered", "rejected", "all")


class LivePanel(Vertical):
    """What is live, for how long, and who is in control."""

    DEFAULT_CLASSES = "live-panel"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.view: StateView | None = None

    def compose(self) -> ComposeResult:
        yield Plain("", id="live-now")
        yield Plain("", id="live-timing")
        yield Plain("", id="live-mode")
        yield Plain("", id="live-next")
        yield Plain("", id="live-messages")
        yield Plain("", id="live-rooms")

    def show(self, view: StateView, now: datetime) -> None:
        self.view = view
        cur = view.current
        if cur is None:
            phase = {"before": "welcome", "after": "closing"}.get(view.phase)
            self.query_one("#live-now", Plain).set(
                f"{self.t('now')}: " + (self.t(phase) if phase else self.t("nothing_live"))
            )
        else:
            self.query_one("#live-now", Plain).set(
                f"{self.t('now')}: {self.t.span(cur.expected_start, cur.expected_end)}  {cur.title}"
            )
        mode = self.t("mode_manual") if view.mode == "manual" else self.t("mode_clock")
        delay = self.t("delay", n=view.delay_minutes) if view.delay_minutes else self.t("no_delay")
        q = ""
        if cur is not None and not cur.is_pause:
            q = " · " + (self.t("q_open") if cur.questions_open else self.t("q_closed"))
        self.query_one("#live-mode", Plain).set(f"{mode} · {delay}{q}")
        self.set_class(view.mode == "manual", "-manual")
        nxt = view.next[0] if view.next else None
        # The same line as the hall's NÆSTE: planned time, and the expected one when late.
        line = f"{self.t('next')}: {next_line(self.t, nxt, now)}" if nxt is not None else ""
        box = self.query_one("#live-next", Plain)
        box.set(line)
        box.display = bool(line)  # no empty line after the last item
        self._messages(view, now)
        self.tick(now)

    def _messages(self, view: StateView, now: datetime) -> None:
        """What the hall and the stage are told besides the programme, and for how long:
        the console shows it at every size (the hall preview is left out at 80x24)."""
        lines = []
        hall = view.hall_message
        if hall is not None and hall.active(now):
            until = self.t("msg_until", time=self.t.at(hall.expires_at)) if hall.expires_at else ""
            key = "msg_hall_all" if hall.all_rooms else "msg_hall"
            lines.append(self.t(key, text=hall.text, until=until))
        stage = view.stage_message
        if stage is not None:
            until = self.t("msg_until_item") if stage.until_item else ""
            lines.append(self.t("msg_stage", text=stage.text, until=until))
        box = self.query_one("#live-messages", Plain)
        box.set("\n".join(lines))
        box.display = bool(lines)
        self._rooms(view)

    def _rooms(self, view: StateView) -> None:
        """The other rooms, a line each: what is on, how late, what waits."""
        lines = []
        for r in view.rooms_live:
            if r.id == view.room:
                continue
            if r.current:
                line = self.t("room_line_live", room=r.name, title=r.current)
            elif r.next and r.next_start is not None:
                line = self.t(
                    "room_line_next", room=r.name, time=self.t.at(r.next_start), title=r.next
                )
            else:
                line = self.t("room_line_idle", room=r.name)
            extra = []
            if r.delay_minutes:
                extra.append(self.t("room_delay", n=r.delay_minutes))
            if r.pending:
                extra.append(self.t("room_pending", n=r.pending))
            if r.hall_message:
                extra.append(self.t("room_message"))
            lines.append(" · ".join([line, *extra]))
        box = self.query_one("#live-rooms", Plain)
        box.set("\n".join([self.t("other_rooms"), *lines]) if lines else "")
        box.display = bool(lines)

    def tick(self, now: datetime) -> None:
        cur = self.view.current if self.view else None
        timing = self.query_one("#live-timing", Plain)
        timing.display = cur is not None
        if cur is None:
            timing.set("")
            self.set_class(False, "-over")
            return
        elapsed = int((now - cur.expected_start).total_seconds())
        left = time_left_s(cur, now)
        parts = [self.t("elapsed", d=self.t.duration(max(0, elapsed)))]
        if left < 0:
            parts.append(self.t("over_by", d=self.t.duration(-left)))
        else:  # the same rounding as the hall's progress bar
            parts.append(self.t("left", d=self.t.duration(left, round_up=True)))
        timing.set(" · ".join(parts))
        self.set_class(left < 0, "-over")


class NotesPanel(Vertical):
    """The live item's notes, on the main screen without a keystroke."""

    DEFAULT_CLASSES = "notes-panel"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield Plain("", id="notes-text")

    def show(self, item: ItemView | None, note: tuple[str, str] | None) -> None:
        self.border_title = (
            self.t("notes_for", title=item.title) if item else self.t("notes_for", title="—")
        )
        if note and note[0]:
            marker = self.t("note_stage") if note[1] == "stage" else self.t("note_moderator")
            self.query_one("#notes-text", Plain).set(f"{note[0]}\n{marker}")
        else:
            self.query_one("#notes-text", Plain).set(self.t("no_notes"))


class Preview(Vertical):
    """A compact copy of the hall screen, from the hall display's own widgets."""

    DEFAULT_CLASSES = "preview"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text

    def compose(self) -> ComposeResult:
        yield MessageBanner(self.t("announcement"))
        yield Plain("", id="preview-phase")
        yield NowPanel(self.t)
        yield NextList(self.t, rows=2)
        yield QuestionPanel(self.t)

    def on_mount(self) -> None:
        self.border_title = self.t("preview")
        self.query_one(MessageBanner).display = False
        self.query_one(QuestionPanel).display = False

    def show(self, view: StateView, now: datetime) -> None:
        cur = session_live(view)
        now_panel = self.query_one(NowPanel)
        phase = self.query_one("#preview-phase", Plain)
        if cur is not None:
            now_panel.display = True
            phase.display = False
            now_panel.show(cur, now)
        else:
            now_panel.display = False
            phase.display = True
            caption = break_caption(view, self.t)
            if caption:
                phase.set(caption)
            elif view.phase == "before":
                phase.set(self.t("welcome"))
            elif view.phase == "after":
                phase.set(self.t("closing"))
            else:
                phase.set("")
        self.query_one(NextList).show(view.next, now)
        self.query_one(QuestionPanel).show(view.on_screen_question)
        self.query_one(MessageBanner).show(view.hall_message, now)

    def tick(self, view: StateView | None, now: datetime) -> None:
        if view is None:
            return
        cur = session_live(view)
        if cur is not None:
            self.query_one(NowPanel).tick(cur, now)
        self.query_one(MessageBanner).show(view.hall_message, now)


def sort_questions(qs: tuple[QuestionView, ...], status: str) -> list[QuestionView]:
    """Pending newest first, approved by votes, the rest newest first."""
    chosen = [q for q in qs if status == "all" or q.status == status]
    if status == "approved":
        return sorted(chosen, key=lambda q: (-q.votes, q.created_at or datetime.min))
    return sorted(
        chosen, key=lambda q: q.created_at.timestamp() if q.created_at else 0, reverse=True
    )


class QuestionTable(Vertical):
    """The question queue with a tab per status and counts."""

    DEFAULT_CLASSES = "question-table"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.status = "pending"
        self.questions: tuple[QuestionView, ...] = ()
        self.titles: dict[str, str] = {}
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield Tabs(
            *(Tab(self.t(f"st_{s}"), id=f"tab-{s}") for s in STATUS_ORDER), id="question-tabs"
        )
        table: DataTable[RichText] = DataTable(
            cursor_type="row", zebra_stripes=True, id="questions"
        )
        yield table
        yield Plain("", id="question-detail")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        """The selected question in full (a table cell cuts it), with the original if edited."""
        q = self.selected()
        text = ""
        if q is not None:
            text = q.text
            if q.asker():
                text += f"\n— {q.asker()}"
            if q.original_text and q.original_text != q.text:
                text += f"\n({q.original_text})"
            title = self.titles.get(q.item_id)
            if title:
                text += f"\n→ {title}"
            if q.source:
                text += "\n" + self.t("question_source", address=q.source, client=q.client)
            elif q.client:
                text += "\n" + self.t("question_client", client=q.client)
            address, k = q.top_source
            if k >= 10 and 2 * k > q.votes:  # many votes from one place: worth a look
                text += "\n" + self.t("votes_one_source", k=k, n=q.votes, address=address or "?")
        elif not any(self.status in ("all", x.status) for x in self.questions):
            text = self.t("queue_empty", tab=self.t(f"st_{self.status}"))
        detail = self.query_one("#question-detail", Plain)
        detail.set(text)
        detail.display = bool(text)

    def on_mount(self) -> None:
        self._columns(narrow=False)

    def _columns(self, narrow: bool) -> None:
        """Votes, question and asker; the status column only where there is room."""
        self.narrow = narrow
        table = self.query_one("#questions", DataTable)
        table.clear(columns=True)
        table.add_column(self.t("col_votes"), key="votes", width=7)
        table.add_column(self.t("col_question"), key="text", width=30)
        table.add_column(self.t("col_from"), key="from", width=10 if narrow else 18)
        if not narrow:
            table.add_column(self.t("col_status"), key="status", width=9)

    def on_resize(self) -> None:
        width = self.size.width
        if width and (width < 60) != self.narrow:
            self._columns(narrow=width < 60)
            self._fill()
        self._size_columns()

    def _size_columns(self) -> None:
        """The question gets what the other columns leave."""
        fit_column(self.query_one("#questions", DataTable), "text", self.size.width)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id:
            self.status = event.tab.id.removeprefix("tab-")
            self._fill()

    def show(self, view: StateView) -> None:
        self.questions = view.questions
        self.titles = {i.id: i.title for i in view.programme}
        counts = {s: sum(1 for q in view.questions if q.status == s) for s in STATUS_ORDER[:-1]}
        tabs = self.query_one(Tabs)
        for s in STATUS_ORDER:
            tab = tabs.query_one(f"#tab-{s}", Tab)
            n = counts.get(s, len(view.questions))
            # Under 90 columns all six tabs fit only without the parentheses.
            count = f"{n}" if self.size.width and self.size.width < 90 else f"({n})"
            tab.label = plain(f"{self.t(f'st_{s}')} {count}")
        self.border_title = (
            f"{self.t('questions')} · {counts['pending']} {self.t('st_pending').lower()}"
        )
        if view.questions_hidden:
            self.border_title += f" ({self.t('questions_hidden', n=view.questions_hidden)})"
        self._fill()

    def _fill(self) -> None:
        rows = []
        for q in sort_questions(self.questions, self.status):
            text = q.text + (" ✎" if q.original_text and q.original_text != q.text else "")
            cells = [
                cell(str(q.votes), justify="right"),
                cell(text, overflow="ellipsis", no_wrap=True),
                cell(q.asker(), overflow="ellipsis", no_wrap=True),
            ]
            if not self.narrow:
                cells.append(
                    cell(self.t(f"st_{q.status}") if q.status in STATUS_ORDER else q.status)
                )
            rows.append((q.id, cells))
        sync_rows(self.query_one("#questions", DataTable), rows)
        self._detail()

    def selected_id(self) -> str | None:
        table = self.query_one("#questions", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None

    def selected(self) -> QuestionView | None:
        qid = self.selected_id()
        return next((q for q in self.questions if q.id == qid), None)


class ProgrammeTable(Vertical):
    """The programme with the live item marked and expected times; pick an item here."""

    DEFAULT_CLASSES = "programme-table"

    def __init__(self, text: Strings, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.t = text
        self.items: tuple[ItemView, ...] = ()
        self.view: StateView | None = None

    def compose(self) -> ComposeResult:
        yield Tabs(id="mod-days")  # several days: one at a time, a tab a day
        table: DataTable[RichText] = DataTable(cursor_type="row", id="programme")
        yield table

    def on_mount(self) -> None:
        self.query_one("#mod-days", Tabs).display = False
        table = self.query_one("#programme", DataTable)
        table.add_column("", key="live", width=1)
        table.add_column(self.t("col_time"), key="time", width=11)
        table.add_column(self.t("col_title"), key="title", width=30)
        table.add_column(self.t("col_expected"), key="expected", width=9)
        table.add_column(self.t("col_q"), key="q", width=4)

    def on_resize(self) -> None:
        fit_column(self.query_one("#programme", DataTable), "title", self.size.width)

    def show(self, view: StateView) -> None:
        self.view = view
        # The console's room only (several rooms: each console drives its own).
        mine = tuple(it for it in view.programme if it.room in ("", view.room))
        days = sorted({it.start.date().isoformat() for it in mine})
        tabs = self.query_one("#mod-days", Tabs)
        tabs.display = len(days) > 1
        have = [str(tab.id).removeprefix("day-") for tab in tabs.query(Tab)]
        if len(days) > 1 and have != days:
            tabs.clear()
            for d in days:
                label = self.t.date(datetime.fromisoformat(d)).rsplit(" ", 1)[0]
                tabs.add_tab(Tab(label, id=f"day-{d}"))
            today = (view.clock or datetime.now().astimezone()).date().isoformat()
            tabs.active = f"day-{today if today in days else days[0]}"
        day = (tabs.active or "").removeprefix("day-")
        if len(days) > 1 and day in days:
            mine = tuple(it for it in mine if it.start.date().isoformat() == day)
        self.items = mine
        live = view.current.id if view.current else None
        rows = []
        for it in mine:
            expected = self.t.clock(it.expected_start) if it.late_minutes else ""
            cells = [
                cell("●" if it.id == live else ""),
                cell(f"{it.start:%H.%M}–{it.end:%H.%M}"),
                cell(it.title, overflow="ellipsis", no_wrap=True),
                cell(expected),
                cell(self.t("q_open_short") if it.questions_open else ""),
            ]
            rows.append((it.id, cells))
        sync_rows(self.query_one("#programme", DataTable), rows)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tabs.id == "mod-days" and self.view is not None:
            event.stop()  # not the questions' status tabs
            self.show(self.view)

    def selected(self) -> ItemView | None:
        table = self.query_one("#programme", DataTable)
        if not self.items or table.row_count == 0:
            return None
        key = table.ordered_rows[min(table.cursor_row, table.row_count - 1)].key.value
        return next((i for i in self.items if i.id == key), None)
