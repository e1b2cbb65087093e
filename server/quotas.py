"""Per-address quotas: how many questions and votes one network address may send a minute.

A client id costs a connection, and an address can open many: these limits make stuffing
a vote or flooding the queue from one machine slow. A NATed hall is one address too, so
the defaults leave room for a whole hall (docs/reliability.md says how they were chosen).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0


class Quotas:
    """Sliding one-minute windows per (kind, address)."""

    def __init__(
        self, per_minute: dict[str, int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute  # kind -> limit
        self._clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def allows(self, kind: str, address: str) -> bool:
        """Whether one more ``kind`` from ``address`` fits in the last minute."""
        limit = self.per_minute.get(kind)
        if limit is None or not address:
            return True
        seen = self._seen.get((kind, address))
        if seen is None:
            return limit > 0
        cutoff = self._clock() - WINDOW_S
        while seen and seen[0] <= cutoff:
            seen.popleft()
        return len(seen) < limit

    def charge(self, kind: str, address: str) -> None:
        """Count one ``kind`` from ``address`` (after it was applied)."""
        if kind in self.per_minute and address:
            self._seen.setdefault((kind, address), deque()).append(self._clock())

    def busiest(self, kind: str) -> tuple[str, int] | None:
        """The address that sent the most ``kind`` in the last minute, and how many."""
        cutoff = self._clock() - WINDOW_S
        counts = [
            (sum(1 for t in seen if t > cutoff), address)
            for (k, address), seen in self._seen.items()
            if k == kind
        ]
        top = max(counts, default=None)
        return (top[1], top[0]) if top and top[0] else None

    def forget_idle(self) -> None:
        """Drop the windows that are empty (called now and then, to bound memory)."""
        cutoff = self._clock() - WINDOW_S
        for key in [k for k, seen in self._seen.items() if not seen or seen[-1] <= cutoff]:
            del self._seen[key]
