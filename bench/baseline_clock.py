"""The baseline for bench/kiosk: a minimal Textual app that shows a clock, once a second."""

from __future__ import annotations

from datetime import datetime

from textual.app import App, ComposeResult
from textual.widgets import Digits


class ClockApp(App[None]):
    CSS = "Digits { width: auto; }"

    def compose(self) -> ComposeResult:
        yield Digits("")

    def on_mount(self) -> None:
        self.query_one(Digits).update(f"{datetime.now():%H.%M}")
        self.set_interval(1.0, lambda: self.query_one(Digits).update(f"{datetime.now():%H.%M}"))


if __name__ == "__main__":
    ClockApp().run()
