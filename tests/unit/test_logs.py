"""Repeated log lines are held back (a flood must not write 63 MB of log in 20 s)."""

from __future__ import annotations

import logging

from server.logs import Repeats


def _record(msg: str, *args: object, name: str = "podium.server") -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)


def test_the_same_line_passes_a_few_times_per_window_then_is_counted():
    """10,000 "refusing a connection" lines in one window: 5 pass; the next window's first
    line says how many were held back. Other messages are not affected."""
    now = [0.0]
    f = Repeats(per_window=5, window_s=10, clock=lambda: now[0])
    passed = [f.filter(_record("refusing a connection: %s", f"{n} open")) for n in range(10_000)]
    assert passed.count(True) == 5 and passed[:5] == [True] * 5
    assert f.filter(_record("another message"))
    now[0] = 10.0
    first = _record("refusing a connection: %s", "1 open")
    assert f.filter(first)
    assert first.getMessage() == "refusing a connection: 1 open (and 9995 more like it in 10 s)"
    assert f.filter(_record("refusing a connection: %s", "2 open"))


def test_the_same_text_from_another_logger_is_its_own_line():
    f = Repeats(per_window=1, window_s=10, clock=lambda: 0.0)
    assert f.filter(_record("x", name="asyncio")) and f.filter(_record("x", name="podium.ws"))
    assert not f.filter(_record("x", name="asyncio"))
