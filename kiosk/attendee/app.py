"""`podium attendee`: the attendee's view of the day and voice in the panel debates.

Questions are sent with a client-chosen id and kept in an outbox on disk until the
server acknowledges them: over flaky Wi-Fi a question is sent exactly once, and one
that is not sent yet stays visible as unsent until it is sent or withdrawn.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from pathlib import Path
from typing import Any

from textual.widgets import Button, DataTable, Input, TabbedContent

import themes
from kiosk.attendee.screens.main import AttendeeScreen
from kiosk.attendee.store import Outgoing, ProfileStore
from kiosk.base import LinkedApp
from kiosk.model import StateView
from kiosk.present import shorten
from server.contract import CommandName as C

log = logging.getLogger("podium.attendee")

STATUS_KEYS = {
    "pending": "my_pending",
    "approved": "my_approved",
    "on_screen": "my_on_screen",
    "answered": "my_answered",
    "rejected": "my_rejected",
}


class AttendeeApp(LinkedApp):
    """The attendee client."""

    TITLE = "Podium"
    CSS_PATH = [
        themes.stylesheet("base.tcss"),
        themes.stylesheet("hall.tcss"),
        themes.stylesheet("attendee.tcss"),
    ]

    def __init__(
        self,
        server: str = "ws://127.0.0.1:8765/ws",
        *,
        name: str | None = None,
        organisation: str | None = None,
        config_dir: Path | None = None,
        **kw: Any,
    ) -> None:
        self.store = ProfileStore(config_dir)
        self.profile = self.store.load()
        if name is not None:
            self.profile.name = name
        if organisation is not None:
            self.profile.organisation = organisation
        if name is not None or organisation is not None:
            self.store.save(self.profile)  # remembered for next time
        super().__init__(server, "attendee", AttendeeScreen, client_id=self.profile.client_id, **kw)
        self.main: AttendeeScreen
        self.bind("ctrl+s", "send", description=self.t("bind_send"))
        self.bind("space", "vote", description=self.t("bind_vote"))
        self.bind("w", "withdraw", description=self.t("bind_withdraw"))
        for n, (pane, label) in enumerate(
            (
                ("pane-now", "tab_now"),
                ("pane-programme", "tab_programme"),
                ("pane-ask", "tab_ask"),
                ("pane-practical", "tab_practical"),
            ),
            start=1,
        ):  # shown in the footer: the way between the tabs from anywhere
            self.bind(f"f{n}", f"tab('{pane}')", description=self.t(label))
        self.bind("ctrl+r", "switch_room", description=self.t("key_switch_room"), show=False)
        self.bind("ctrl+q", "quit", description=self.t("bind_quit"))
        self.mine: dict[str, Any] = {"questions": [], "voted": []}
        self.in_flight: set[str] = set()
        self._shown_state = ""
        self._announced: str | None = None  # the hall announcement last said

    # --- what the footer offers -------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that act only in one place are offered only there (False hides them in
        Textual 8): the footer keeps room for the tab keys even at 80 columns."""
        focused = self.focused
        where = focused.id if focused is not None else None
        if action == "send":
            return self._on_tab("pane-ask")
        if action == "vote":
            return where == "public"
        if action == "withdraw":
            return where == "mine"
        return True

    def _on_tab(self, pane: str) -> bool:
        try:
            return self.main.query_one(TabbedContent).active == pane
        except Exception:
            return False

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self) -> None:
        self.refresh_bindings()

    # --- life cycle -------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self.main)
        self.call_after_refresh(self._fill_profile)
        self.start_link()
        for outgoing in list(self.profile.outbox):  # what a previous run did not get sent
            self._deliver(outgoing)
        self.on_status()

    def _fill_profile(self) -> None:
        self.main.set_profile(self.profile.name, self.profile.organisation)
        self._refresh_lists()

    def on_welcome(self, data: dict[str, Any]) -> None:
        limits = data.get("limits")
        if isinstance(limits, dict) and isinstance(limits.get("question_max_chars"), int):
            self.main.set_limit(limits["question_max_chars"])

    def on_identity(self, client_id: str) -> None:
        # The id the server issued (signed): our questions and votes are known by it, on
        # this run and the next.
        self.profile.client_id = client_id
        self.store.save(self.profile)

    def show(self, view: StateView) -> None:
        announced = self._announced
        self._announced = view.hall_message.text if view.hall_message else None
        if self._announced and self._announced != announced:
            # Whatever tab is open: a new announcement is said once.
            self.notify(self.t("new_announcement", text=self._announced), markup=False)
        self.main.show(view, self.now())
        self._refresh_lists()

    def on_mine(self, data: dict[str, Any]) -> None:
        self.mine = data
        self._refresh_lists()

    def on_status(self) -> None:
        super().on_status()
        state = self.status_state()
        if state != self._shown_state:  # "sender …" / "ikke sendt endnu" follow the connection
            self._shown_state = state
            self._refresh_lists()

    # --- lists ------------------------------------------------------------------

    def _refresh_lists(self) -> None:
        if not self.main.is_mounted:
            return
        online = self.link.status.state == "online" or not self.connect
        rows: list[tuple[str, str, str]] = []
        for o in self.profile.outbox:
            status = (
                self.t("my_sending") if online and o.cid in self.in_flight else self.t("my_unsent")
            )
            rows.append((f"out:{o.cid}", status, o.text))
        questions = self.mine.get("questions", [])
        for q in reversed(questions if isinstance(questions, list) else []):
            if not isinstance(q, dict) or not isinstance(q.get("text"), str):
                continue
            key = STATUS_KEYS.get(str(q.get("status")))
            status = self.t(key) if key else str(q.get("status"))
            if q.get("status") in ("approved", "on_screen", "answered"):
                status += f" · {q.get('votes', 0)} ♥"
            if q.get("edited") is True:  # the moderator changed the wording
                status += f" · {self.t('my_edited')}"
            rows.append((f"q:{q.get('id')}", status, q["text"]))
        self.main.fill_mine(rows)
        note = self.main.query_one("#unsent-note")
        note.display = bool(self.profile.outbox) and not online
        voted = set(self.mine.get("voted", []) if isinstance(self.mine.get("voted"), list) else [])
        public = self.view.questions if self.view else ()
        live = self.view.current.id if self.view and self.view.current else None
        titles = {i.id: i.title for i in self.view.programme} if self.view else {}
        rows2 = []
        for q in public:  # the live item's first (the server's order); the others say whose
            text = q.text
            if q.item_id != live and q.item_id in titles:
                text = self.t("q_other_item", title=shorten(titles[q.item_id], 24), text=q.text)
            rows2.append((q.id, q.id in voted, q.votes, text))
        self.main.fill_public(rows2)

    # --- asking -----------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("ask-text", "ask-name", "ask-org"):
            self.action_send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ask-send":
            self.action_send()

    def action_send(self) -> None:
        draft = self.main.draft()
        if draft is None:
            return
        text, name, org = draft
        target = self.view.ask_item if self.view else None
        outgoing = Outgoing(secrets.token_hex(8), text, name, org, target.id if target else None)
        self.profile.name, self.profile.organisation = name, org
        self.profile.outbox.append(outgoing)
        self.store.save(self.profile)  # on disk before it leaves: a crash cannot lose it
        self.main.clear_draft()
        self.main.set_error("")
        self._deliver(outgoing)
        self._refresh_lists()

    def _deliver(self, outgoing: Outgoing) -> None:
        async def run() -> None:
            self.in_flight.add(outgoing.cid)
            self._refresh_lists()  # "sender …"
            try:
                reply = await self.link.command(
                    C.SUBMIT_QUESTION, outgoing.args(), cid=outgoing.cid
                )
            except asyncio.CancelledError:
                return  # withdrawn
            finally:
                self.in_flight.discard(outgoing.cid)
            self._forget(outgoing.cid)
            if reply.get("type") == "ack":
                self.notify(self.t("sent_ok"), markup=False, timeout=4)
            else:
                self.main.set_error(str(reply.get("message") or reply.get("code")))
                self.main.restore_draft(outgoing.text)  # the words back, to fix and resend
            self._refresh_lists()

        self.run_worker(run(), group="questions")

    def _forget(self, cid: str) -> None:
        self.profile.outbox = [o for o in self.profile.outbox if o.cid != cid]
        self.store.save(self.profile)

    def action_withdraw(self) -> None:
        key = self.main.selected_key("mine")
        if key is None or not key.startswith("out:"):
            return
        cid = key.removeprefix("out:")
        self.link.withdraw(cid)
        self._forget(cid)
        self.notify(self.t("withdrawn"), markup=False, timeout=3)
        self._refresh_lists()

    # --- voting -----------------------------------------------------------------

    def action_vote(self) -> None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id != "public":
            return
        qid = self.main.selected_key("public")
        if qid is None:
            return
        voted = qid in set(self.mine.get("voted", []))
        name = C.UNVOTE if voted else C.VOTE

        async def run() -> None:
            reply = await self.link.command(name, {"question_id": qid}, offline=False, timeout=5)
            if reply.get("type") != "ack":
                code = reply.get("code")
                msg = (
                    self.t("offline_not_sent")
                    if code == "offline"
                    else str(reply.get("message") or code)
                )
                self.notify(msg, severity="error", markup=False)

        self.run_worker(run(), group="votes")

    def action_tab(self, pane: str) -> None:
        self.main.show_tab(pane)

    def action_switch_room(self) -> None:
        """Several rooms: follow another room (now, next, where questions go, votes)."""
        from kiosk.moderator.screens.modals import ChoiceScreen

        view = self.view
        if view is None or len(view.event.rooms) < 2:
            self.notify(self.t("one_room"), markup=False, timeout=4)
            return
        choices = [
            (rid, self.t("room_now", room=name) if rid == view.room else name)
            for rid, name in view.event.rooms.items()
        ]

        def chosen(room: str | None) -> None:
            if room and room != view.room:
                self.link.set_room(room)
                name = view.event.rooms.get(room, room)
                self.notify(self.t("room_followed", room=name), markup=False, timeout=4)

        self.push_screen(ChoiceScreen(self.t, self.t("follow_room_question"), choices), chosen)


def make_app(**kw: Any) -> AttendeeApp:
    """Build the attendee client (for the CLI and the tests)."""
    return AttendeeApp(**kw)
