"""What every Podium app shares: themes, the link to the server, the server's clock.

An app subclasses :class:`LinkedApp`, gives it its main :class:`~kiosk.screen.LiveScreen`
and overrides the ``on_*`` hooks; events from the link arrive as :class:`LinkEvent`
messages on the app's own loop. The state flows one way: link → :meth:`LinkedApp.feed`
→ ``self.view`` → ``main.show(view, now)``; the clock ticks ``main.tick(now)``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen

import themes
from kiosk.link import Event, Fatal, Identity, Link, Mine, Presence, Snapshot, Status, Welcome
from kiosk.model import StateView, parse_state
from kiosk.screen import LiveScreen
from kiosk.text import Strings

log = logging.getLogger("podium.app")


@dataclass
class LinkEvent(Message):
    """Something happened on the connection."""

    event: Event

    def can_replace(self, message: Message) -> bool:
        # A newer snapshot replaces one that was not handled yet.
        return (
            isinstance(message, LinkEvent)
            and isinstance(message.event, Snapshot)
            and isinstance(self.event, Snapshot)
        )


class LinkedApp(App[None]):
    """A Textual app with a reconnecting link to the Podium server and one main screen."""

    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        server: str,
        role: str,
        main: Callable[[Strings], LiveScreen],
        *,
        token: str | None = None,
        client_id: str | None = None,
        room: str | None = None,
        theme: str = themes.DEFAULT_THEME,
        lang: str = "da",
        connect: bool = True,
        now: Callable[[], datetime] | None = None,
        cafile: str | None = None,
        foyer: bool = False,
    ) -> None:
        super().__init__()
        self.t = Strings(lang)
        self.main = main(self.t)
        self.connect = connect
        self.view: StateView | None = None
        self.link = Link(
            server,
            role,
            self._from_link,
            token=token,
            # Stable for the life of the app, so a command resent after a reconnect is
            # recognised (the attendee passes the one it keeps on disk).
            client_id=client_id or f"{role}-{secrets.token_hex(8)}",
            room=room,
            lang=lang,
            cafile=cafile,
            foyer=foyer,
        )
        self._now = now or self.link.server_now
        self.fatal: str | None = None
        for t in themes.available().values():
            self.register_theme(t)
        self.theme = theme

    def now(self) -> datetime:
        """The server's time (or the injected test clock)."""
        return self._now()

    def start_link(self) -> None:
        """Connect (unless testing without a server) and tick once a second."""
        self.set_interval(1.0, self._tick)
        if self.connect:
            self._run_link()

    def _tick(self) -> None:
        if self.main.is_mounted:
            try:
                self.main.tick(self.now())
            except Exception:  # a countdown's bug must not stop the clock
                log.exception("tick failed")
        self.on_status()

    @work(exclusive=True, exit_on_error=False, group="link")
    async def _run_link(self) -> None:
        await self.link.run()

    def _from_link(self, event: Event) -> None:
        self.post_message(LinkEvent(event))

    def on_link_event(self, message: LinkEvent) -> None:
        event = message.event
        try:
            if isinstance(event, Snapshot):
                self.feed(event.revision, event.state)
            elif isinstance(event, Mine):
                self.on_mine(event.data)
            elif isinstance(event, Presence):
                self.on_presence(event.clients)
            elif isinstance(event, Welcome):
                self.on_welcome(event.data)
            elif isinstance(event, Fatal):
                self.fatal = self.t("auth_failed") if event.code == "bad_token" else event.message
                self.on_fatal(self.fatal)
            elif isinstance(event, Identity):
                self.on_identity(event.client_id)
            elif isinstance(event, Status):
                pass
        except Exception:
            log.exception("could not handle %r", type(event).__name__)
        self.on_status()

    def feed(self, revision: int, state: dict[str, Any]) -> None:
        """Store and show a snapshot; one the screen cannot show leaves the last picture."""
        previous = self.view
        try:
            view = parse_state(revision, state)
            # Stored first: whatever show() reads (lists, counts, selections) is this view.
            self.view = view
            self.show(view)
        except Exception:
            self.view = previous
            log.exception("could not show revision %s", revision)
        self.on_status()

    # --- hooks for the apps -----------------------------------------------------

    def show(self, view: StateView) -> None:
        """Show a new snapshot (``self.view`` is already ``view``)."""
        self.main.show(view, self.now())

    def on_mine(self, data: dict[str, Any]) -> None:
        """An attendee's own questions and votes."""

    def on_presence(self, clients: dict[str, int]) -> None:
        """Connected clients per role (moderators only)."""

    def on_welcome(self, data: dict[str, Any]) -> None:
        """The server said welcome."""

    def on_identity(self, client_id: str) -> None:
        """The server gave this client another id (the link already uses it)."""

    def on_fatal(self, message: str) -> None:
        """The server refused us for good."""

    def on_status(self) -> None:
        """Show the connection's state on the app's main screen's status line."""
        state = self.status_state()
        # Never connected yet: say which address is being tried.
        trying = self.link.url if self.link.last_update is None and state != "failed" else ""
        self.main.set_status(state, self.link.seconds_offline(), self.fatal or "", trying)

    def status_state(self) -> str:
        if self.fatal:
            return "failed"
        return self.link.status.state if self.connect else "online"

    # --- Textual's own words, in the user's language ------------------------------

    #: Ctrl+C (which Textual binds to copy) says how to quit; a hall screen ignores it.
    QUIET_CTRL_C = False

    def action_help_quit(self) -> None:
        if not self.QUIET_CTRL_C:
            self.notify(self.t("how_to_quit"), title=self.t("quit_title"), markup=False)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(placeholder=self.t("palette_search"), id="--command-palette")
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette commands, in Danish (or English)."""
        yield SystemCommand(self.t("cmd_theme"), self.t("cmd_theme_help"), self.action_change_theme)
        yield SystemCommand(self.t("cmd_quit"), self.t("cmd_quit_help"), self.action_quit)
        if screen.query("HelpPanel"):
            yield SystemCommand(
                self.t("cmd_keys"), self.t("cmd_keys_hide"), self.action_hide_help_panel
            )
        else:
            yield SystemCommand(
                self.t("cmd_keys"), self.t("cmd_keys_show"), self.action_show_help_panel
            )
        if screen.maximized is not None:
            yield SystemCommand(
                self.t("cmd_minimize"), self.t("cmd_minimize_help"), screen.action_minimize
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(
                self.t("cmd_maximize"), self.t("cmd_maximize_help"), screen.action_maximize
            )
        yield SystemCommand(
            self.t("cmd_screenshot"),
            self.t("cmd_screenshot_help"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    async def action_quit(self) -> None:
        self.link.stop()
        self.exit()
