"""The display rules the screens share, on snapshots built by the real rules."""

from __future__ import annotations

import json

from kiosk.model import parse_state
from kiosk.present import (
    break_caption,
    following_session,
    next_line,
    resume_time,
    session_live,
    time_left_s,
)
from kiosk.text import Strings
from server.views import role_view
from tests.kiosk.helpers import at, build_state

DA, EN = Strings("da"), Strings("en")


def _view(hhmm: str, *commands):
    now = at(hhmm)
    state = json.loads(json.dumps(role_view(build_state(now, *commands), now, "hall")))
    return parse_state(1, state), now


def test_following_session_skips_breaks():
    """At lunch, what follows is the first item that is not a break."""
    view, _ = _view("12:40")
    nxt = following_session(view)
    assert view.current is not None and view.current.is_pause
    assert nxt is not None and not nxt.is_pause and nxt.id == "sundhedsvaesenet"


def test_break_caption_says_when_we_start_again():
    """Lunch: "Frokost — vi starter igen kl. 13.05"; in a session: nothing."""
    view, now = _view("12:40")
    assert (
        break_caption(view, DA) == f"Frokost — vi starter igen kl. {resume_time(view, now):%H.%M}"
    )
    assert break_caption(view, EN).startswith("Lunch — we start again at ")
    live, _ = _view("11:40")
    assert break_caption(live, DA) == "" and session_live(live) is not None


def test_resume_time_follows_the_delay():
    """A delay moves the time the break caption gives."""
    view, now = _view("12:40", ("moderator", "set_delay", {"minutes": 10}))
    following = following_session(view)
    assert following is not None and following.late_minutes == 10
    assert resume_time(view, now) == following.expected_start


def test_next_line_shows_planned_and_expected_time():
    """Late items show both times; on time only the planned one."""
    view, _ = _view("11:40", ("moderator", "set_delay", {"minutes": 10}))
    late = view.next[0]
    assert next_line(DA, late) == (
        f"kl. {late.start:%H.%M}  {late.title}  (forventet kl. {late.expected_start:%H.%M})"
    )
    on_time, _ = _view("11:40")
    assert (
        next_line(DA, on_time.next[0])
        == f"kl. {on_time.next[0].start:%H.%M}  {on_time.next[0].title}"
    )


def test_time_left_counts_down_and_goes_negative():
    """Seconds to the expected end; negative once over time."""
    view, now = _view("11:40")
    assert view.current is not None
    left = time_left_s(view.current, now)
    assert (
        left > 0 and time_left_s(view.current, view.current.expected_end.replace(second=30)) == -30
    )
