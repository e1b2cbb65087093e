"""The hall display app: connects, keeps the last picture, and never goes blank.

``make_app`` builds it for the CLI and the tests. With ``connect=False`` and an
injected ``now``, tests feed snapshots by hand (for stable screenshots).
"""

from __future__ import annotations

import logging
from typing import Any

import themes
from kiosk.base import LinkedApp
from kiosk.hall.screens.audience import AudienceScreen
from kiosk.hall.screens.foyer import FoyerScreen
from kiosk.hall.screens.stage import StageScreen
from kiosk.kiosk_unit import notify
from kiosk.screen import LiveScreen
from kiosk.text import Strings
from server.contract import BadUrl, check_url

log = logging.getLogger("podium.hall")


class HallApp(LinkedApp):
    """`podium hall`: the audience screen, the stage monitor (``mode="stage"``) or the
    foyer screen with every room (``mode="foyer"``)."""

    TITLE = "Podium"
    CSS_PATH = [themes.stylesheet("base.tcss"), themes.stylesheet("hall.tcss")]
    # A screen the room reads: a stray Ctrl+C shows nothing (Ctrl+Q still quits).
    QUIET_CTRL_C = True
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        server: str = "ws://127.0.0.1:8765/ws",
        *,
        mode: str = "audience",
        warn_minutes: int = 5,
        qr: bool = True,
        **kw: Any,
    ) -> None:
        def screen(t: Strings) -> LiveScreen:
            if mode == "stage":
                return StageScreen(t, warn_minutes)
            if mode == "foyer":
                return FoyerScreen(t, qr=qr)
            return AudienceScreen(t, warn_minutes, qr=qr)

        role = "stage" if mode == "stage" else "hall"
        super().__init__(server, role, screen, foyer=mode == "foyer", **kw)
        self.mode = mode
        self.warn_minutes = warn_minutes
        self.bind("ctrl+q", "quit", description=self.t("bind_quit"), show=False)

    def on_mount(self) -> None:
        self.push_screen(self.main)
        self.start_link()
        self.on_status()
        # Under systemd (docs/kiosk.md): ready now, and alive while the screen ticks.
        notify("READY=1")
        self.set_interval(1.0, lambda: notify("WATCHDOG=1"))

    def on_welcome(self, data: dict[str, Any]) -> None:
        """The address of the attendees' page, for the code on the audience screen."""
        url = data.get("public_url")
        if isinstance(self.main, AudienceScreen | FoyerScreen) and isinstance(url, str):
            try:
                self.main.set_public_url(check_url(url))
            except BadUrl:
                log.warning("the server's public_url is not an http(s) address: %r", url[:200])


def make_app(**kw: Any) -> HallApp:
    """Build the hall app (for the CLI and the tests)."""
    return HallApp(**kw)
