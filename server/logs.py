"""Logging for ``podium serve``: the same line a thousand times a second is one line.

Under attack (a socket flood, a guesser, a full descriptor table) one cause can log the
same line in a tight loop: 63 MB of log in 20 s was seen. :class:`Repeats` lets each
message (by logger and template) through a few times per window, then counts the rest
and says how many were held back when the window ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

WINDOW_S = 10.0
PER_WINDOW = 5


class Repeats(logging.Filter):
    """A handler filter: at most ``per_window`` records per message template per window."""

    def __init__(
        self,
        per_window: int = PER_WINDOW,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.per_window, self.window_s, self._clock = per_window, window_s, clock
        self._seen: dict[tuple[str, str], list[float]] = {}  # key -> [window start, n, held]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self._clock()
        entry = self._seen.get(key)
        if entry is None or now - entry[0] >= self.window_s:
            held = int(entry[2]) if entry else 0
            self._seen[key] = [now, 1, 0]
            if held:
                record.msg = f"{record.msg} (and {held} more like it in {self.window_s:.0f} s)"
            if len(self._seen) > 10_000:  # many different messages: forget the old windows
                self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.window_s}
            return True
        entry[1] += 1
        if entry[1] <= self.per_window:
            return True
        entry[2] += 1
        return False


def configure(verbose: bool) -> None:
    """Log to stderr: warnings (and every connection with ``verbose``), repeats held back."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    # websockets says "connection open" and "closed" for every client: only with -v.
    logging.getLogger("podium.ws").setLevel(logging.INFO if verbose else logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(Repeats())
