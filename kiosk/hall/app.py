"""The hall display app: connects, keeps the last picture, and never goes blank.

``make_app`` builds it for the CLI and the tests. With ``connect=False`` and an
injected ``now``, tests feed snapshots by hand (for stable screenshots).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

import themes
from kiosk.hall.screens.audience import AudienceScreen
from kiosk.hall.screens.stage import StageScreen
from kiosk.link import Event, Fatal, Link, Snapshot, Status, Welcome
from kiosk.model import StateView, parse_state
from kiosk.text import Text

log = logging.getLogger("podium.hall")


@dataclass
class LinkEvent(Message):
    """Something happened on the connection."""

    event: Event

    def can_replace(self, message: Message) -> bool:  # a newer snapshot replaces an unhandled one
        return (
            isinstance(message, LinkEvent)
            and isinstance(message.event, Snapshot)
            and isinstance(self.event, Snapshot)
        )


class HallApp(App[None]):
    """`podium hall`: the audience screen or, with ``mode="stage"``, the stage monitor."""

    TITLE = "Podium"
    CSS_PATH = [themes.stylesheet("base.tcss"), themes.stylesheet("hall.tcss")]
    BINDINGS = [Binding("ctrl+q", "quit", "Afslut", show=False)]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        server: str = "ws://127.0.0.1:8765/ws",
        *,
        mode: str = "audience",
        token: str | None = None,
        room: str | None = None,
        theme: str = themes.DEFAULT_THEME,
        lang: str = "da",
        warn_minutes: int = 5,
        connect: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.t = Text(lang)
        self.mode = mode
        self.warn_minutes = warn_minutes
        self.connect = connect
        self.theme_name = theme
        self.view: StateView | None = None
        role = "stage" if mode == "stage" else "hall"
        self.link = Link(server, role, self._from_link, token=token, room=room, lang=lang)
        self._now = now or self.link.server_now
        self.fatal: str | None = None
        for t in themes.available().values():
            self.register_theme(t)
        self.theme = theme

    @property
    def main(self) -> AudienceScreen | StageScreen:
        return self._main

    def on_mount(self) -> None:
        self._main = (
            StageScreen(self.t, self.warn_minutes)
            if self.mode == "stage"
            else AudienceScreen(self.t, self.warn_minutes)
        )
        self.push_screen(self._main)
        self.set_interval(1.0, self._tick)
        if self.connect:
            self._run_link()
        self._status()

    @work(exclusive=True, exit_on_error=False, group="link")
    async def _run_link(self) -> None:
        await self.link.run()

    def _from_link(self, event: Event) -> None:
        self.post_message(LinkEvent(event))

    def on_link_event(self, message: LinkEvent) -> None:
        event = message.event
        if isinstance(event, Snapshot):
            self.feed(event.revision, event.state)
        elif isinstance(event, Fatal):
            self.fatal = self.t("auth_failed") if event.code == "bad_token" else event.message
        elif isinstance(event, (Status, Welcome)):
            pass
        self._status()

    def feed(self, revision: int, state: dict[str, Any]) -> None:
        """Show a snapshot. A snapshot the screen cannot show leaves the last picture."""
        try:
            view = parse_state(revision, state)
            self._main.show(view, self._now())
            self.view = view
        except Exception:
            log.exception("could not show revision %s", revision)
        self._status()

    def _tick(self) -> None:
        if not self._main.is_mounted:
            return
        try:
            self._main.tick(self._now())
        except Exception:
            log.exception("tick failed")
        self._status()

    def _status(self) -> None:
        if not hasattr(self, "_main"):
            return
        if self.fatal:
            self._main.set_status("failed", None, self.fatal)
            return
        state = self.link.status.state if self.connect else "online"
        self._main.set_status(state, self.link.seconds_since_update())

    async def action_quit(self) -> None:
        self.link.stop()
        self.exit()


def make_app(**kw: Any) -> HallApp:
    """Build the hall app (for the CLI and the tests)."""
    return HallApp(**kw)
