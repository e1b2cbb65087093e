"""The console's main screen: live control, notes and the hall preview on the left,
the questions and the programme on the right.

Below 120 columns (a laptop's 80x24 terminal) the live panel goes on top at full width and
the questions below it, so the status tabs and the queue's columns keep their room; the
live item's notes are then the third tab, "Noter" (key 7), instead of a panel."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import Footer, TabbedContent, TabPane, Tabs

from kiosk.model import ItemView, QuestionView, StateView
from kiosk.moderator.widgets import LivePanel, NotesPanel, Preview, ProgrammeTable, QuestionTable
from kiosk.screen import LiveScreen
from kiosk.widgets.common import Plain, StatusLine

#: Below this many columns the panels stack (see the module's docstring).
NARROW = 120


class ModeratorScreen(LiveScreen):
    """Everything the moderator needs, on one screen."""

    # The question queue has the focus from the start: the arrow keys move in it at once.
    AUTO_FOCUS = "#questions"

    def compose(self) -> ComposeResult:
        with Horizontal(id="mod-top"):
            yield Plain("", id="mod-title")
            yield Plain("", id="mod-room")  # a narrow screen: the room, always
            yield Plain("", id="mod-presence")
            yield StatusLine(self.t, id="mod-status")
            yield Plain("", id="mod-clock")
        with Horizontal(id="mod-body"):
            with Vertical(id="mod-left"):
                yield LivePanel(self.t, id="live-panel")
                yield NotesPanel(self.t, id="notes-panel")
                yield Preview(self.t, id="preview")
            with TabbedContent(id="mod-right"):
                with TabPane(self.t("questions"), id="pane-questions"):
                    yield QuestionTable(self.t)
                with TabPane(self.t("programme_tab"), id="pane-programme"):
                    yield ProgrammeTable(self.t)
                with TabPane(self.t("notes_tab"), id="pane-notes"):
                    notes = NotesPanel(self.t, id="notes-tab-panel")
                    notes.can_focus = True
                    yield notes
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LivePanel).border_title = self.t("live")

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        self.set_class(event.size.height < 32 or narrow, "-small")
        self.set_class(narrow, "-narrow")
        content = self.query_one(TabbedContent)
        if narrow:
            content.show_tab("pane-notes")
        else:
            if content.active == "pane-notes":
                content.active = "pane-questions"
            content.hide_tab("pane-notes")

    def show(self, view: StateView, now: datetime) -> None:
        self.view = view
        # The room this console drives, always (several rooms: several consoles).
        self.query_one("#mod-title", Plain).set(
            f"Podium · {self.t('mod_title')} · {view.room_name} · {view.event.title}"
        )
        self.query_one("#mod-room", Plain).set(view.room_name)
        self.query_one(LivePanel).show(view, now)
        cur = view.current
        for notes in self.query(NotesPanel):
            notes.show(cur, view.notes.get(cur.id) if cur else None)
        self.query_one(Preview).show(view, now)
        self.query_one(QuestionTable).show(view)
        self.query_one(ProgrammeTable).show(view)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        self.query_one("#mod-clock", Plain).set(self.t.at(now))
        view = self.view
        if view is not None:
            self.query_one(LivePanel).tick(now)
            self.query_one(Preview).tick(view, now)

    def set_presence(self, clients: dict[str, int]) -> None:
        counts = {k: clients.get(k, 0) for k in ("hall", "stage", "moderator", "attendee")}
        self.query_one("#mod-presence", Plain).set(self.t("connected", **counts))

    # --- what the moderator has selected (the app's actions ask here) -------------

    def programme_selected(self) -> ItemView | None:
        """The programme's selected item, if the programme tab is open."""
        if self.query_one(TabbedContent).active == "pane-programme":
            return self.query_one(ProgrammeTable).selected()
        return None

    def target_item(self) -> ItemView | None:
        """The programme's selected item if the programme is open, else the live item."""
        picked = self.programme_selected()
        if picked is not None:
            return picked
        return self.view.current if self.view else None

    def selected_question(self) -> QuestionView | None:
        return self.query_one(QuestionTable).selected()

    def open_programme(self) -> None:
        """Show the programme tab with the table focused (to pick an item)."""
        self.query_one(TabbedContent).active = "pane-programme"
        self.query_one("#programme").focus()

    def open_notes(self) -> None:
        """Show the live item's notes: the notes tab when the screen is narrow (the panel
        is on screen otherwise)."""
        if self.has_class("-narrow"):
            self.query_one(TabbedContent).active = "pane-notes"
            self.query_one("#notes-tab-panel").focus()  # the queue's focus would switch back

    def open_questions(self, status: str) -> None:
        """Show the questions of one status, the table focused."""
        self.query_one(TabbedContent).active = "pane-questions"
        self.query_one("#question-tabs", Tabs).active = f"tab-{status}"
        self.query_one("#questions").focus()
