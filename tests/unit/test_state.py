"""The live-state rules, with an injected clock and no I/O."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.changes import LIVE, QuestionChanged
from server.live import Live
from server.programme import default_programme
from server.protocol import ProtocolError, parse_command
from server.state import Actor, Context, State, apply, expire_messages, question_target, timeline

TZ = ZoneInfo("Europe/Copenhagen")
PROG = default_programme()
MOD = Actor("moderator", "mod-1")
ids = itertools.count(1)


def at(hhmm: str, day: int = 25) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2025, 9, day, int(h), int(m), tzinfo=TZ)


def run(state: State, name: str, now: datetime, actor: Actor = MOD, **args: object):
    role = actor.role
    cmd = parse_command({"type": "command", "id": "x", "name": name, "args": args}, role)
    ctx = Context(now=now, actor=actor, new_id=lambda: f"q{next(ids)}")
    return apply(state, cmd, ctx)


def fresh() -> State:
    return State(programme=PROG)


def test_clock_follows_the_programme_at_1140():
    """At 11.40 the youth session is live and lunch is next."""
    tl = timeline(fresh(), at("11:40"))
    assert tl.phase == "live"
    assert (
        tl.current is not None and tl.current.item.title == "Unge, ensomhed og ungdomsuddannelser"
    )
    assert tl.next[0].item.title == "Frokost"
    assert tl.elapsed_s == 5 * 60 and tl.remaining_s == 45 * 60


def test_before_the_day():
    """Before 10.15 nothing is live and the welcome is next."""
    tl = timeline(fresh(), at("08:00"))
    assert tl.phase == "before" and tl.current is None
    assert tl.next[0].item.id == "velkommen"


def test_day_before_is_before():
    """The day before the event is 'before' too."""
    assert timeline(fresh(), at("12:00", day=24)).phase == "before"


def test_after_the_day():
    """After 16.20 the day is over and nothing is next."""
    tl = timeline(fresh(), at("16:30"))
    assert tl.phase == "after" and tl.current is None and tl.next == ()


def test_in_a_break():
    """At 11.25 the morning break is on: phase break."""
    tl = timeline(fresh(), at("11:25"))
    assert tl.phase == "break" and tl.current is not None and tl.current.item.id == "pause-1"
    assert tl.next[0].item.id == "unge"


def test_item_boundaries_are_half_open():
    """At exactly 11.35 the youth session has started and the break has ended."""
    assert timeline(fresh(), at("11:35")).current.item.id == "unge"  # type: ignore[union-attr]


def test_go_live_takes_control_and_stays_past_the_end():
    """A moderator's go_live pins the item; past its end it overruns instead of moving on."""
    out = run(fresh(), "go_live", at("10:50"), item_id="minister")
    assert out.changed == {LIVE}
    tl = timeline(out.state, at("11:10"))
    assert tl.mode == "manual" and tl.current.item.id == "minister"  # type: ignore[union-attr]
    assert tl.remaining_s == 0 and tl.overrun_s == 5 * 60  # went live 10.50, 15 min long


def test_unknown_item_changes_nothing():
    """go_live on an unknown item is refused."""
    with pytest.raises(ProtocolError) as exc:
        run(fresh(), "go_live", at("10:50"), item_id="nope")
    assert exc.value.code == "unknown_item"


def test_next_from_clock_mode():
    """next at 11.40 puts lunch live."""
    out = run(fresh(), "next", at("11:40"))
    assert timeline(out.state, at("11:41")).current.item.id == "frokost"  # type: ignore[union-attr]


def test_next_before_the_day_starts_the_first_item():
    """next before the day puts the welcome live."""
    out = run(fresh(), "next", at("09:00"))
    assert timeline(out.state, at("09:01")).current.item.id == "velkommen"  # type: ignore[union-attr]


def test_next_at_the_last_item_ends_the_day_then_refuses():
    """next at the last item ends the day; another next is refused."""
    s = run(fresh(), "go_live", at("16:10"), item_id="farvel").state
    out = run(s, "next", at("16:20"))
    tl = timeline(out.state, at("16:21"))
    assert tl.phase == "after" and tl.current is None
    with pytest.raises(ProtocolError) as exc:
        run(out.state, "next", at("16:22"))
    assert exc.value.code == "no_next"


def test_previous_undoes_a_mistaken_next_as_it_was():
    """Timing model: `n` at 15.25 during "frivillighed" (live since 14.40 by the clock), then
    `p` at 15.26: it is back with its own start, 46 minutes gone and its end where it was
    (before: restarted at 15.26 with its whole 45 minutes, running past the panel's start)."""
    s = run(fresh(), "next", at("15:20")).state
    assert timeline(s, at("15:20")).current.item.id == "paneldebat"  # type: ignore[union-attr]
    s = run(s, "previous", at("15:21")).state
    tl = timeline(s, at("15:21"))
    assert tl.current.item.id == "frivillighed"  # type: ignore[union-attr]
    assert tl.current.expected_start == at("14:40") and tl.elapsed_s == 41 * 60  # type: ignore[union-attr]
    assert tl.current.expected_end == at("15:25") and tl.next[0].expected_start == at("15:25")  # type: ignore[union-attr]


def test_previous_twice_starts_the_older_item_now():
    """Only the last step is remembered: going back two items starts the older one now."""
    s = run(fresh(), "next", at("15:20")).state
    s = run(s, "next", at("15:21")).state
    s = run(s, "previous", at("15:22")).state
    s = run(s, "previous", at("15:23")).state
    tl = timeline(s, at("15:23"))
    assert tl.current.item.id == "frivillighed" and tl.current.expected_start == at("15:23")  # type: ignore[union-attr]


def test_previous_at_the_first_item_is_refused():
    """previous at the first item is refused; so is previous before the day."""
    s = run(fresh(), "go_live", at("10:15"), item_id="velkommen").state
    with pytest.raises(ProtocolError) as exc:
        run(s, "previous", at("10:16"))
    assert exc.value.code == "no_previous"
    with pytest.raises(ProtocolError):
        run(fresh(), "previous", at("09:00"))


def test_previous_after_the_end_brings_back_the_last_item():
    """previous after next-past-the-end brings the closing item back."""
    s = run(fresh(), "go_live", at("16:10"), item_id="farvel").state
    s = run(s, "next", at("16:20")).state
    s = run(s, "previous", at("16:21")).state
    assert timeline(s, at("16:22")).current.item.id == "farvel"  # type: ignore[union-attr]


def test_follow_clock_hands_back_control():
    """follow_clock returns to the clock's item."""
    s = run(fresh(), "go_live", at("10:15"), item_id="velkommen").state
    s = run(s, "follow_clock", at("11:40")).state
    tl = timeline(s, at("11:40"))
    assert tl.mode == "clock" and tl.current.item.id == "unge"  # type: ignore[union-attr]


def test_a_delay_moves_the_live_items_end_and_leaves_no_gap():
    """Timing model: a delay set while an item is live moves its expected end by the same
    minutes, and the items after it; at its planned end it is still on (before: it ended at
    11.20 and the hall said "Næste punkt begynder kl. 11.30" while the talk went on)."""
    s = run(fresh(), "set_delay", at("11:00"), minutes=10).state
    tl = timeline(s, at("11:00"))
    assert tl.current.item.id == "reformer" and tl.current.expected_start == at("10:45")  # type: ignore[union-attr]
    assert tl.current.expected_end == at("11:30")  # type: ignore[union-attr]
    assert tl.next[0].expected_start == at("11:30") and tl.delay_minutes == 10
    later = timeline(s, at("11:25"))
    assert later.phase == "live" and later.current.item.id == "reformer"  # type: ignore[union-attr]
    assert later.remaining_s == 5 * 60


def test_a_later_delay_never_moves_what_already_happened():
    """Timing model: items that were over when a delay changed keep the delay they had; the
    live item keeps its start (before: +5 at 11.40 took the earlier 10 minutes back from
    every item before, and the live one jumped 10 minutes into its time)."""
    s = run(fresh(), "set_delay", at("10:00"), minutes=10).state
    before = timeline(s, at("11:50"))
    assert before.current.item.id == "unge" and before.current.expected_start == at("11:45")  # type: ignore[union-attr]
    s = run(s, "shift_delay", at("11:50"), minutes=5).state
    tl = timeline(s, at("11:50"))
    assert tl.current.item.id == "unge" and tl.current.expected_start == at("11:45")  # type: ignore[union-attr]
    assert tl.current.expected_end == at("12:40") and tl.elapsed_s == 5 * 60  # type: ignore[union-attr]
    reformer = next(x for x in tl.slots if x.item.id == "reformer")
    assert reformer.expected_start == at("10:55")  # its 10 minutes, not 0, not 15
    assert tl.next[0].item.id == "frokost" and tl.next[0].expected_start == at("12:40")


def test_catching_up_shortens_the_live_item():
    """Timing model: −5 while an item is live ends it five minutes sooner, never before
    it has had a minute."""
    s = run(fresh(), "set_delay", at("10:00"), minutes=10).state
    s = run(s, "shift_delay", at("11:50"), minutes=-5).state
    tl = timeline(s, at("11:50"))
    assert tl.current.expected_end == at("12:30") and tl.next[0].expected_start == at("12:30")  # type: ignore[union-attr]


def test_delay_that_pushes_into_lunch():
    """With 20 minutes' delay set before noon, at 12.30 the youth session is still on."""
    s = run(fresh(), "set_delay", at("11:00"), minutes=20).state
    tl = timeline(s, at("12:30"))
    assert tl.current.item.id == "unge"  # type: ignore[union-attr]
    assert tl.next[0].item.id == "frokost" and tl.next[0].expected_start == at("12:45")
    assert timeline(s, at("12:50")).current.item.id == "frokost"  # type: ignore[union-attr]


def test_shift_delay_adds_and_range_is_checked():
    """shift_delay adds to the delay; out-of-range values are refused."""
    s = run(fresh(), "shift_delay", at("09:00"), minutes=5).state
    s = run(s, "shift_delay", at("09:00"), minutes=5).state
    assert timeline(s, at("09:00")).next[0].expected_start == at("10:25")
    with pytest.raises(ProtocolError) as exc:
        run(s, "set_delay", at("09:00"), minutes=100000)
    assert exc.value.code == "out_of_range"


def test_extend_pushes_later_items():
    """Extending the live item by 5 pushes the break and the rest."""
    out = run(fresh(), "extend", at("11:00"), minutes=5)
    assert out.result["extended_minutes"] == 5
    tl = timeline(out.state, at("11:22"))
    assert tl.current.item.id == "reformer" and tl.remaining_s == 3 * 60  # type: ignore[union-attr]
    assert tl.next[0].expected_start == at("11:25")


def test_extensions_of_one_item_have_a_total_bound():
    """Extensions add up to at most extend_total_max (before: 960 minutes were reached)."""
    s = fresh()
    for _ in range(2):
        s = run(s, "extend", at("11:00"), minutes=120).state
    with pytest.raises(ProtocolError) as exc:
        run(s, "extend", at("11:00"), minutes=5)
    assert exc.value.code == "out_of_range"
    assert run(s, "extend", at("11:00"), minutes=-5).result["extended_minutes"] == 235


def test_extend_with_nothing_live_is_refused():
    """extend before the day is refused."""
    with pytest.raises(ProtocolError) as exc:
        run(fresh(), "extend", at("08:00"), minutes=5)
    assert exc.value.code == "nothing_live"


def test_overrun_in_manual_mode_pushes_next():
    """A live item running 10 minutes over makes the next item expected no earlier than now."""
    s = run(fresh(), "go_live", at("10:45"), item_id="reformer").state
    tl = timeline(s, at("11:30"))
    assert tl.overrun_s == 10 * 60
    assert tl.next[0].expected_start == at("11:30")


def test_hall_message_expires():
    """A hall message with expires_in_s disappears after its time."""
    s = run(
        fresh(), "set_hall_message", at("11:00"), text="Husk at slukke mobilen", expires_in_s=60
    ).state
    room = s.live.room("faellessalen")  # the sender's room (a moderator's default: the first)
    assert room.hall_message is not None and room.hall_message.text == "Husk at slukke mobilen"
    assert s.live.hall_message is None  # not for all rooms
    assert expire_messages(s, at("11:00")) is None
    out = expire_messages(s, at("11:02"))
    assert out is not None and out.state.live.room("faellessalen").hall_message is None
    # One for all rooms expires the same way.
    s = run(fresh(), "set_hall_message", at("11:00"), text="Alle", expires_in_s=60, all_rooms=True)
    assert s.state.live.hall_message is not None
    out = expire_messages(s.state, at("11:02"))
    assert out is not None and out.state.live.hall_message is None


def test_messages_set_and_clear():
    """Stage and hall messages are set and cleared; empty text is refused."""
    s = run(fresh(), "set_stage_message", at("11:00"), text="2 minutter tilbage").state
    assert s.live.stage_message_in("faellessalen").text == "2 minutter tilbage"  # type: ignore[union-attr]
    s = run(s, "clear_stage_message", at("11:01")).state
    assert s.live.stage_message_in("faellessalen") is None
    s = run(s, "set_hall_message", at("11:02"), text="Kaffe").state
    assert s.live.hall_message_in("faellessalen", at("11:02"))[0].text == "Kaffe"  # type: ignore[index]
    s = run(s, "clear_hall_message", at("11:03")).state
    assert s.live.hall_message_in("faellessalen", at("11:03")) is None
    with pytest.raises(ProtocolError) as exc:
        run(s, "set_hall_message", at("11:00"), text="   ")
    assert exc.value.code == "empty_text"


def test_questions_open_by_programme_and_override():
    """The panel takes questions by default; a talk only when the moderator opens it."""
    s = fresh()
    assert question_target(s, at("11:40")).id == "unge"  # type: ignore[union-attr]
    assert question_target(s, at("10:50")) is None
    s = run(s, "open_questions", at("10:50"), item_id="reformer").state
    assert question_target(s, at("10:50")).id == "reformer"  # type: ignore[union-attr]
    s = run(s, "close_questions", at("11:40"), item_id="unge").state
    assert question_target(s, at("11:40")) is None


ATT = Actor("attendee", "att-1")


def submit(s: State, now: datetime, actor: Actor = ATT, **args: object):
    return run(s, "submit_question", now, actor, **args)


def test_question_lifecycle():
    """pending → approved → on screen → answered; an edit keeps the original."""
    out = submit(fresh(), at("11:40"), text="Hvordan når vi de unge?")
    qid = out.result["question_id"]
    s = out.state
    assert s.questions[qid].status == "pending" and s.questions[qid].item_id == "unge"
    s = run(
        s,
        "edit_question",
        at("11:41"),
        question_id=qid,
        text="Hvordan når vi de mest ensomme unge?",
    ).state
    assert s.questions[qid].original_text == "Hvordan når vi de unge?"
    s = run(s, "approve_question", at("11:42"), question_id=qid).state
    s = run(s, "show_question", at("11:43"), question_id=qid).state
    assert s.questions[qid].status == "on_screen" and s.live.on_screen == {"faellessalen": qid}
    s = run(s, "answer_question", at("11:50"), question_id=qid).state
    assert s.questions[qid].status == "answered" and dict(s.live.on_screen) == {}


def test_one_question_on_screen_per_room():
    """Showing a second question puts the first back to approved."""
    s = fresh()
    a = submit(s, at("11:40"), text="A?")
    b = submit(a.state, at("11:40"), text="B?")
    s = run(b.state, "show_question", at("11:41"), question_id=a.result["question_id"]).state
    s = run(s, "show_question", at("11:42"), question_id=b.result["question_id"]).state
    assert s.questions[a.result["question_id"]].status == "approved"
    assert s.live.on_screen["faellessalen"] == b.result["question_id"]
    s = run(s, "hide_question", at("11:43")).state
    assert s.questions[b.result["question_id"]].status == "approved" and not s.live.on_screen


def test_a_question_on_screen_goes_when_its_item_ends():
    """A question put on screen during the panel goes back to approved when the panel
    ends (the hall showed it through lunch before); one put up when nothing is live stays
    until the moderator takes it down."""
    out = submit(fresh(), at("11:40"), text="Hvordan når vi de unge?")
    qid = out.result["question_id"]
    s = run(out.state, "show_question", at("11:45"), question_id=qid).state
    assert s.live.on_screen_until == {"faellessalen": "unge"}
    assert expire_messages(s, at("12:24")) is None  # the panel runs until 12.25
    out = expire_messages(s, at("12:26"))
    assert out is not None
    assert dict(out.state.live.on_screen) == {} and dict(out.state.live.on_screen_until) == {}
    assert out.state.questions[qid].status == "approved"
    assert QuestionChanged(qid) in out.changed and LIVE in out.changed
    # Before the day nothing is live: a question shown then is not taken down by the clock.
    early = run(s, "show_question", at("09:00"), question_id=qid).state
    assert dict(early.live.on_screen_until) == {}
    assert expire_messages(early, at("09:30")) is None
    # It survives a restart: the live state is stored as a dict.
    assert Live.from_dict(s.live.to_dict()).on_screen_until == s.live.on_screen_until


def test_rejected_question_cannot_be_answered():
    """answer on a rejected question is refused with bad_status."""
    out = submit(fresh(), at("11:40"), text="?")
    s = run(out.state, "reject_question", at("11:41"), question_id=out.result["question_id"]).state
    with pytest.raises(ProtocolError) as exc:
        run(s, "answer_question", at("11:42"), question_id=out.result["question_id"])
    assert exc.value.code == "bad_status"
    # The status in words ("… i sin nuværende status. (rejected)" before).
    assert exc.value.message() == "Det kan ikke gøres med spørgsmålet, mens det er afvist."
    assert exc.value.message("en") == (
        "That cannot be done with the question while it is rejected."
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_text"),
        ("   \n ", "empty_text"),
        ("x" * 281, "text_too_long"),
        ("hej\x1b[2Jdig", "bad_characters"),
        ("bell\x07", "bad_characters"),
        ("\x9b31m", "bad_characters"),
        ("\u202eevil", "bad_characters"),
    ],
)
def test_bad_question_text_is_refused(text: str, code: str):
    """Empty, whitespace, too long and control characters are refused."""
    with pytest.raises(ProtocolError) as exc:
        submit(fresh(), at("11:40"), text=text)
    assert exc.value.code == code


def test_question_when_closed_is_refused():
    """At 10.50 (a talk, questions closed) a question is refused."""
    with pytest.raises(ProtocolError) as exc:
        submit(fresh(), at("10:50"), text="Et spørgsmål")
    assert exc.value.code == "questions_closed"


def test_too_many_questions_per_minute():
    """The sixth question within a minute is refused; a minute later it is taken."""
    s = fresh()
    for _ in range(5):
        s = submit(s, at("11:40"), text="Spørgsmål").state
    with pytest.raises(ProtocolError) as exc:
        submit(s, at("11:40"), text="Spørgsmål")
    assert exc.value.code == "too_many_questions"
    assert submit(s, at("11:42"), text="Spørgsmål").result["question_id"]


def test_votes_one_per_client():
    """A client's second vote counts once; unvote takes it back; pending can't be voted."""
    out = submit(fresh(), at("11:40"), text="?")
    qid = out.result["question_id"]
    with pytest.raises(ProtocolError):
        run(out.state, "vote", at("11:41"), ATT, question_id=qid)
    s = run(out.state, "approve_question", at("11:41"), question_id=qid).state
    s = run(s, "vote", at("11:42"), ATT, question_id=qid).state
    again = run(s, "vote", at("11:42"), ATT, question_id=qid)
    assert again.changed == frozenset() and again.state.vote_count(qid) == 1
    s = run(s, "vote", at("11:42"), Actor("attendee", "att-2"), question_id=qid).state
    assert s.vote_count(qid) == 2
    s = run(s, "unvote", at("11:43"), ATT, question_id=qid).state
    assert s.vote_count(qid) == 1


def test_save_note():
    """A note is saved for an item with its audience."""
    s = run(
        fresh(),
        "save_note",
        at("09:00"),
        item_id="unge",
        text="Udtales: DEFACTUM",
        audience="stage",
    ).state
    assert s.notes["unge"].audience == "stage" and s.notes["unge"].text == "Udtales: DEFACTUM"


def test_an_items_questions_close_when_it_ends_and_can_be_opened_again():
    """A question named for the morning panel after it ended is refused, with its title
    (an outbox written during the panel gets it back); the moderator can open it again,
    and closing it again closes it."""
    s = fresh()
    ok = run(s, "submit_question", at("12:00"), ATT, text="Hvad med de unge?", item_id="unge")
    assert ok.state.questions[ok.result["question_id"]].item_id == "unge"
    with pytest.raises(ProtocolError) as exc:
        run(s, "submit_question", at("15:30"), ATT, text="For sent?", item_id="unge")
    assert exc.value.code == "questions_closed" and "Unge, ensomhed" in exc.value.detail
    s = run(s, "open_questions", at("15:30"), item_id="unge").state
    late = run(s, "submit_question", at("15:31"), ATT, text="Alligevel?", item_id="unge")
    assert late.state.questions[late.result["question_id"]].item_id == "unge"
    s = run(s, "close_questions", at("15:32"), item_id="unge").state
    with pytest.raises(ProtocolError):
        run(s, "submit_question", at("15:33"), ATT, text="Nu?", item_id="unge")


def test_the_live_panels_questions_come_first_in_every_list():
    """During the afternoon panel its questions head the attendees' and the moderator's
    lists, before the morning panel's (one of which has a vote)."""
    from server.views import role_view

    s = fresh()
    asked = []
    for who, when, text, item in (
        ("m0", "12:00", "Morgen 0", "unge"),
        ("m1", "12:01", "Morgen 1", "unge"),
        ("e0", "15:40", "Eftermiddag", "paneldebat"),
    ):
        out = run(s, "submit_question", at(when), Actor("attendee", who), text=text, item_id=item)
        s = out.state
        asked.append(out.result["question_id"])
    for qid in asked:
        s = run(s, "approve_question", at("15:41"), question_id=qid).state
    s = run(s, "vote", at("15:42"), Actor("attendee", "v"), question_id=asked[1]).state
    attendee = role_view(s, at("15:45"), "attendee")["questions"]
    moderator = role_view(s, at("15:45"), "moderator")["questions"]
    assert [q["text"] for q in attendee] == ["Eftermiddag", "Morgen 1", "Morgen 0"]
    assert [q["text"] for q in moderator] == ["Eftermiddag", "Morgen 1", "Morgen 0"]
    morning = role_view(s, at("12:10"), "attendee")["questions"]
    assert [q["text"] for q in morning] == ["Morgen 1", "Morgen 0", "Eftermiddag"]
