"""Display rules several screens share: what comes after a break, the captions, the lines.

Pure functions over a :class:`~kiosk.model.StateView` and the strings of one language:
no Textual, no I/O, tested in tests/unit/test_present.py. A screen asks here instead
of writing the rule again; the server's rules (what is live, where a question goes)
are not repeated here at all: the snapshot says them.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.model import ItemView, StateView
from kiosk.text import Strings


def following_session(view: StateView) -> ItemView | None:
    """The next item that is not a break (what the day resumes with)."""
    return next((i for i in view.next if not i.is_pause), None)


def resume_time(view: StateView, now: datetime) -> datetime:
    """When the day resumes: the next session's expected start, else the break's end."""
    following = following_session(view)
    if following is not None:
        return following.expected_start
    return view.current.expected_end if view.current is not None else now


def pause_caption(t: Strings, pause: ItemView | None, resume: datetime) -> str:
    """ "Pause — vi starter igen kl. 13.05" (or lunch), for a break that ends at ``resume``."""
    key = "lunch_back" if pause is not None and pause.kind == "lunch" else "pause_back"
    return t(key, time=t.clock(resume))


def break_caption(view: StateView, t: Strings) -> str:
    """During a break with a session after it, the pause caption; otherwise ""."""
    cur = view.current
    following = following_session(view)
    if cur is None or not cur.is_pause or following is None:
        return ""
    return pause_caption(t, cur, following.expected_start)


def session_live(view: StateView) -> ItemView | None:
    """The live item if it is a session (not a break)."""
    cur = view.current
    return cur if cur is not None and not cur.is_pause else None


def next_line(t: Strings, item: ItemView, now: datetime | None = None) -> str:
    """One NÆSTE line, the same on every screen: planned time and title, and the
    expected time when the item runs at least a minute late. With ``now``, an item on
    another day says which ("i morgen kl. 10.00")."""
    line = f"{t.when(item.start, now) if now is not None else t.at(item.start)}  {item.title}"
    if item.late_minutes >= 1:
        line += f"  ({t('expected', time=t.clock(item.expected_start))})"
    return line


def time_left_s(item: ItemView, now: datetime) -> int:
    """Seconds until the item's expected end (negative when over time)."""
    return int((item.expected_end - now).total_seconds())


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` at a word, with "…" (whole when it fits)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,–-:")
    return f"{cut}…"
