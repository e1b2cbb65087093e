"""`podium moderator`: drive the live day from the keyboard.

Every action is a key (in the footer and the help screen) and a command in the
palette (ctrl+p). Public or destructive actions ask first. A command that fails
(refused, offline, no answer) shows as an error; it is never dropped silently, and
a moderator's command is never sent late: offline it fails at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

import themes
from kiosk.base import LinkedApp
from kiosk.model import QuestionView, StateView
from kiosk.moderator.screens.main import ModeratorScreen
from kiosk.moderator.screens.modals import (
    ChoiceScreen,
    ConfirmScreen,
    HelpScreen,
    NoteScreen,
    PromptScreen,
)
from kiosk.present import shorten
from server.contract import CommandName as C

log = logging.getLogger("podium.moderator")

COMMAND_TIMEOUT_S = 5.0

# (key, action, its description in the string catalogue, shown in the footer)
KEYS: list[tuple[str, str, str, bool]] = [  # every key works from anywhere
    ("n", "next", "key_next", True),
    ("p", "previous", "key_previous", False),
    ("g", "go_live", "key_go_live", False),
    ("f", "follow_clock", "key_follow_clock", False),
    ("plus", "delay(5)", "key_delay_5", True),
    ("minus", "delay(-5)", "key_delay_minus_5", True),
    ("d", "set_delay", "key_set_delay", False),
    ("l", "extend(5)", "key_extend_5", False),
    ("L", "extend(-5)", "key_extend_minus_5", False),
    ("m", "hall_message", "key_hall_message", True),
    ("M", "clear_hall_message", "key_clear_hall_message", False),
    ("s", "stage_message", "key_stage_message", True),
    ("S", "clear_stage_message", "key_clear_stage_message", False),
    ("t", "note", "key_note", True),
    ("o", "toggle_questions", "key_toggle_questions", False),
    ("a", "approve", "key_approve", False),
    ("r", "reject", "key_reject", False),
    ("R", "reject_flood", "key_reject_flood", False),
    ("e", "edit", "key_edit", False),
    ("v", "show_question", "key_show_question", False),
    ("h", "hide_question", "key_hide_question", False),
    ("x", "answer", "key_answer", False),
    ("1", "question_tab('pending')", "key_question_tab_pending", False),
    ("2", "question_tab('approved')", "key_question_tab_approved", False),
    ("3", "question_tab('on_screen')", "key_question_tab_on_screen", False),
    ("4", "question_tab('answered')", "key_question_tab_answered", False),
    ("5", "question_tab('rejected')", "key_question_tab_rejected", False),
    ("6", "question_tab('all')", "key_question_tab_all", False),
    ("7", "show_notes", "key_show_notes", False),
    ("tab", "focus_next", "key_focus_next", False),
    ("ctrl+r", "switch_room", "key_switch_room", False),
    ("question_mark", "help", "key_help", True),
    ("ctrl+q", "quit", "key_quit", False),
]


#: Keys shown in the footer while a table (or the notes tab) has the focus, first: what
#: the moderator needs there (the app's keys above work anyway).
TABLE_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "questions": [
        ("a", "approve", "short_approve"),
        ("v", "show_question", "short_show"),
        ("x", "answer", "key_answer"),
        ("e", "edit", "short_edit"),
        ("r", "reject", "short_reject"),
        ("question_mark", "help", "key_help"),
    ],
    "programme": [
        ("g", "go_live", "short_go_live"),
        ("o", "toggle_questions", "short_questions"),
        ("t", "note", "key_note"),
        ("question_mark", "help", "key_help"),
    ],
    "notes-tab-panel": [
        ("t", "note", "key_note"),
        ("1", "question_tab('pending')", "key_question_tab_pending"),
        ("question_mark", "help", "key_help"),
    ],
}


class ModeratorApp(LinkedApp):
    """The moderator console."""

    TITLE = "Podium · Moderator"
    CSS_PATH = [
        themes.stylesheet("base.tcss"),
        themes.stylesheet("hall.tcss"),
        themes.stylesheet("moderator.tcss"),
    ]

    def __init__(self, server: str = "ws://127.0.0.1:8765/ws", **kw: Any) -> None:
        super().__init__(server, "moderator", ModeratorScreen, **kw)
        for key, action, name, show in KEYS:
            self.bind(key, action, description=self.t(name), show=show)
        self.main: ModeratorScreen
        self._pending_seen: set[str] | None = None
        # What the server accepts (its welcome says; these are its defaults).
        self.max_question = 280
        self.max_message = 280

    # --- life cycle -------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self.main)
        self.start_link()
        self.on_status()
        self.call_after_refresh(self._table_keys)

    def _table_keys(self) -> None:
        for table_id, keys in TABLE_KEYS.items():
            table = self.main.query_one(f"#{table_id}")
            for key, action, name in keys:
                # The same action as the app's key, shown first while the table is focused.
                table._bindings.bind(key, f"app.{action}", self.t(name))

    def show(self, view: StateView) -> None:
        pending = {q.id for q in view.questions if q.status == "pending"}
        if self._pending_seen is not None:
            new = pending - self._pending_seen
            if new:
                key = "new_question" if len(new) == 1 else "new_questions"
                self.notify(self.t(key, k=len(new), n=len(pending)), markup=False, timeout=4)
        self._pending_seen = pending
        self.main.show(view, self.now())

    def on_welcome(self, data: dict[str, Any]) -> None:
        limits = data.get("limits")
        if isinstance(limits, dict):
            for key, attr in (("question_max_chars", "max_question"),
                              ("message_max_chars", "max_message")):  # fmt: skip
                if isinstance(limits.get(key), int):
                    setattr(self, attr, limits[key])

    def on_presence(self, clients: dict[str, int]) -> None:
        self.main.set_presence(clients)

    def on_fatal(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=30)

    # --- sending ----------------------------------------------------------------

    def send(
        self,
        name: C,
        args: dict[str, Any] | None = None,
        done: str | Callable[[dict[str, Any]], str] = "",
    ) -> None:
        """Send a command in the background; show its error, or ``done`` when it worked
        (a text, or one made from the ack's ``result``)."""

        async def run() -> None:
            reply = await self.link.command(
                name, args or {}, offline=False, timeout=COMMAND_TIMEOUT_S
            )
            if reply.get("type") == "ack":
                if callable(done):
                    result = reply.get("result")
                    self.notify(done(result if isinstance(result, dict) else {}), markup=False)
                elif done:
                    self.notify(self.t("done", what=done), markup=False, timeout=2)
                return
            code = reply.get("code")
            if code == "offline":
                message = self.t("offline_not_sent")
            elif code == "timeout":
                message = self.t("timeout")
            else:
                message = str(reply.get("message") or code)
            self.notify(message, severity="error", markup=False, timeout=8)

        self.run_worker(run(), group="commands")

    def confirm(self, question: str, then: Callable[[], None]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(ConfirmScreen(self.t, question), answered)

    # --- what is selected -------------------------------------------------------

    def _question(self) -> QuestionView | None:
        q = self.main.selected_question()
        if q is None:
            self.notify(self.t("no_question"), severity="warning", markup=False, timeout=3)
        return q

    # --- live control -----------------------------------------------------------

    def action_next(self) -> None:
        view = self.view
        if view is None:
            return
        following = view.next[0] if view.next else None
        question = (
            self.t("confirm_next", title=following.title) if following else self.t("confirm_end")
        )
        self.confirm(question, lambda: self.send(C.NEXT))

    def action_previous(self) -> None:
        view = self.view
        if view is None:
            return
        items = list(view.programme)
        cur = view.current
        idx = next((n for n, i in enumerate(items) if cur and i.id == cur.id), None)
        before = items[idx - 1] if idx else None
        title = before.title if before else "—"
        self.confirm(self.t("confirm_previous", title=title), lambda: self.send(C.PREVIOUS))

    def action_go_live(self) -> None:
        item = self.main.programme_selected()
        if item is None:
            self.main.open_programme()
            return
        self.confirm(
            self.t("confirm_go_live", title=item.title),
            lambda: self.send(C.GO_LIVE, {"item_id": item.id}),
        )

    def action_follow_clock(self) -> None:
        self.send(C.FOLLOW_CLOCK, done=self.t("mode_clock"))

    def action_delay(self, minutes: int) -> None:
        self.send(C.SHIFT_DELAY, {"minutes": minutes})

    def action_set_delay(self) -> None:
        current = str(self.view.delay_minutes) if self.view else "0"

        def done(result: tuple[str, object] | None) -> None:
            if result is None:
                return
            try:
                minutes = int(result[0].strip().replace("+", ""))
            except ValueError:
                self.notify(self.t("not_a_number"), severity="error", markup=False)
                return
            self.send(C.SET_DELAY, {"minutes": minutes})

        self.push_screen(PromptScreen(self.t, self.t("prompt_delay"), current, max_length=5), done)

    def action_extend(self, minutes: int) -> None:
        self.send(C.EXTEND, {"minutes": minutes})

    # --- messages ---------------------------------------------------------------

    def action_hall_message(self) -> None:
        current = self.view.hall_message.text if self.view and self.view.hall_message else ""
        view = self.view

        def done(result: tuple[str, object] | None) -> None:
            if result is None:
                return
            args: dict[str, Any] = {"text": result[0]}
            if isinstance(result[1], int) and result[1] > 0:
                args["expires_in_s"] = result[1] * 60
            if view is None or len(view.event.rooms) < 2:
                self.send(C.SET_HALL_MESSAGE, args)
                return

            def where(choice: str | None) -> None:  # several rooms: this one, or every one
                if choice == "all":
                    self.send(C.SET_HALL_MESSAGE, {**args, "all_rooms": True})
                elif choice == "room":
                    self.send(C.SET_HALL_MESSAGE, args)

            choices = [
                ("room", self.t("where_room", room=view.room_name)),
                ("all", self.t("where_all")),
            ]
            self.push_screen(ChoiceScreen(self.t, self.t("where_question"), choices), where)

        durations: list[tuple[str, object]] = [(self.t("until_removed"), 0)]
        durations += [(self.t("n_minutes", n=m), m) for m in (1, 5, 10, 15, 30, 60)]
        prompt = PromptScreen(
            self.t, self.t("prompt_hall"), current, self.max_message, durations, multiline=True
        )
        self.push_screen(prompt, done)

    def action_clear_hall_message(self) -> None:
        hall = self.view.hall_message if self.view else None
        if hall is not None and hall.all_rooms:  # the one for every room is showing here
            self.confirm(
                self.t("confirm_clear_hall_all"),
                lambda: self.send(C.CLEAR_HALL_MESSAGE, {"all_rooms": True}),
            )
            return
        self.confirm(self.t("confirm_clear_hall"), lambda: self.send(C.CLEAR_HALL_MESSAGE))

    def action_stage_message(self) -> None:
        current = self.view.stage_message.text if self.view and self.view.stage_message else ""

        def done(result: tuple[str, object] | None) -> None:
            if result is not None:
                self.send(C.SET_STAGE_MESSAGE, {"text": result[0], "until": str(result[1])})

        # A stage message is about the moment: by default it goes when the item ends.
        until: list[tuple[str, object]] = [
            (self.t("until_item_end"), "item_end"),
            (self.t("until_removed"), "cleared"),
        ]
        prompt = PromptScreen(
            self.t, self.t("prompt_stage"), current, self.max_message, until, multiline=True
        )
        self.push_screen(prompt, done)

    def action_clear_stage_message(self) -> None:
        self.confirm(self.t("confirm_clear_stage"), lambda: self.send(C.CLEAR_STAGE_MESSAGE))

    # --- notes and questions ----------------------------------------------------

    def action_note(self) -> None:
        item = self.main.target_item()
        if item is None or self.view is None:
            return
        text, audience = self.view.notes.get(item.id, ("", "moderator"))

        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.send(
                    C.SAVE_NOTE, {"item_id": item.id, "text": result[0], "audience": result[1]}
                )

        self.push_screen(NoteScreen(self.t, item.title, text, audience), done)

    def action_toggle_questions(self) -> None:
        item = self.main.target_item()
        if item is not None:
            name = C.CLOSE_QUESTIONS if item.questions_open else C.OPEN_QUESTIONS
            done = self.t("q_closed") if item.questions_open else self.t("q_open")
            self.send(name, {"item_id": item.id}, done=f"{done} – {item.title}")

    def action_approve(self) -> None:
        if q := self._question():
            self.send(C.APPROVE_QUESTION, {"question_id": q.id})

    def action_reject(self) -> None:
        if q := self._question():
            self.confirm(
                self.t("confirm_reject", text=shorten(q.text, 120)),  # which one: a wrong row shows
                lambda: self.send(C.REJECT_QUESTION, {"question_id": q.id}),
            )

    def action_reject_flood(self) -> None:
        """Clear a flood: reject every pending question from the selected one's sender, its
        address, or sent at its time or later (one command, in the log like any other)."""
        q = self._question()
        if q is None:
            return
        pending = [p for p in (self.view.questions if self.view else ()) if p.status == "pending"]
        since = q.created_at
        choices = [("client", self.t("flood_client", n=sum(p.client == q.client for p in pending)))]
        if q.source:
            n = sum(p.source == q.source for p in pending)
            choices.append(("address", self.t("flood_address", address=q.source, n=n)))
        if since is not None:
            n = sum(p.created_at is not None and p.created_at >= since for p in pending)
            time = self.t.at(since.astimezone(self.now().tzinfo))
            choices.append(("since", self.t("flood_since", time=time, n=n)))

        def chosen(scope: str | None) -> None:
            if scope is not None:
                self.send(
                    C.REJECT_PENDING,
                    {"question_id": q.id, "scope": scope},
                    done=lambda result: self.t("flood_done", n=result.get("rejected", 0)),
                )

        self.push_screen(
            ChoiceScreen(self.t, self.t("flood_title"), choices, self.t("flood_hint")), chosen
        )

    def action_edit(self) -> None:
        q = self._question()
        if q is None:
            return

        def done(result: tuple[str, object] | None) -> None:
            if result is not None and result[0] != q.text:
                self.send(C.EDIT_QUESTION, {"question_id": q.id, "text": result[0]})

        prompt = PromptScreen(
            self.t, self.t("prompt_edit"), q.text, self.max_question, multiline=True
        )
        self.push_screen(prompt, done)

    def action_show_question(self) -> None:
        if q := self._question():
            self.send(C.SHOW_QUESTION, {"question_id": q.id})

    def action_hide_question(self) -> None:
        if self.view is None or self.view.on_screen_question is None:
            return
        self.confirm(self.t("confirm_hide"), lambda: self.send(C.HIDE_QUESTION))

    def action_answer(self) -> None:
        if q := self._question():
            self.send(C.ANSWER_QUESTION, {"question_id": q.id})

    def action_question_tab(self, status: str) -> None:
        self.main.open_questions(status)

    def action_show_notes(self) -> None:
        self.main.open_notes()

    # --- help and the palette ---------------------------------------------------

    def _key_rows(self) -> list[tuple[str, str]]:
        names = {"plus": "+", "minus": "-", "question_mark": "?"}
        return [(names.get(k, k), self.t(name)) for k, _, name, _ in KEYS]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.t, self._key_rows()))

    def action_switch_room(self) -> None:
        """Drive another room (several rooms: each has its own console, or one switches)."""
        view = self.view
        rooms = view.event.rooms if view is not None else {}
        if view is None or len(rooms) < 2:
            self.notify(self.t("one_room"), markup=False, timeout=4)
            return
        choices = [
            (rid, self.t("room_now", room=name) if rid == view.room else name)
            for rid, name in rooms.items()
        ]

        def chosen(room: str | None) -> None:
            if room and room != view.room:
                self.switch_room(room)

        self.push_screen(ChoiceScreen(self.t, self.t("switch_room_question"), choices), chosen)

    def switch_room(self, room: str) -> None:
        rooms = self.view.event.rooms if self.view is not None else {}
        self.link.set_room(room)
        self.notify(self.t("room_switched", room=rooms.get(room, room)), markup=False, timeout=4)

    def action_jump_clock(self, minutes: int) -> None:
        """A rehearsal: the server's clock jumps forward (refused on a real day)."""
        self.send(C.JUMP_CLOCK, {"minutes": minutes}, done=self.t("clock_jumped", n=minutes))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for minutes in (5, 15, 60):
            yield SystemCommand(
                self.t("jump_clock", n=minutes),
                self.t("jump_clock_help"),
                self._palette(f"jump_clock({minutes})"),
            )
        view = self.view
        if view is not None and len(view.event.rooms) > 1:
            for rid, room in view.event.rooms.items():
                if rid != view.room:
                    yield SystemCommand(
                        self.t("switch_to_room", room=room), "", partial(self.switch_room, rid)
                    )
        for key, action, name, _ in KEYS:
            if action in ("focus_next", "quit"):
                continue
            yield SystemCommand(self.t(name), f"[{key}]", self._palette(action))

    def _palette(self, action: str) -> Callable[[], None]:
        def run() -> None:
            self.call_later(self.run_action, action)

        return run


def make_app(**kw: Any) -> ModeratorApp:
    """Build the moderator console (for the CLI and the tests)."""
    return ModeratorApp(**kw)
