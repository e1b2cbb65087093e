"""The contract between an app and its main screen: how the state reaches the screen.

:class:`~kiosk.base.LinkedApp` owns the connection and the latest
:class:`~kiosk.model.StateView`. It hands each new view to its main screen with
:meth:`LiveScreen.show` (after storing it, so everything the screen reads is the new
view), and calls :meth:`LiveScreen.tick` once a second with the server's time. The
screen keeps ``view`` for its ticks and passes parts of it down to its widgets'
``show``. Nothing else reaches into a screen: apps call these methods and the few
named ones a screen adds (e.g. what is selected), never ``query_one`` on its DOM.
"""

from __future__ import annotations

from datetime import datetime

from textual.screen import Screen

from kiosk.model import StateView
from kiosk.text import Strings
from kiosk.widgets.common import StatusLine


class LiveScreen(Screen[None]):
    """A main screen that shows the live state."""

    def __init__(self, text: Strings) -> None:
        super().__init__()
        self.t = text
        self.view: StateView | None = None

    def show(self, view: StateView, now: datetime) -> None:
        """Show a new snapshot (subclasses keep ``view`` and fill their widgets)."""
        self.view = view

    def tick(self, now: datetime) -> None:
        """Once a second: clocks and countdowns from ``view``."""

    def set_status(self, state: str, age_s: float | None, extra: str = "", url: str = "") -> None:
        """The connection's state on the screen's status line (none before compose)."""
        for line in self.query(StatusLine).results(StatusLine):
            line.show(state, age_s, extra, url)
