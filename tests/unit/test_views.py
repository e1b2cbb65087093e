"""What each role may see, straight from the pure view functions."""

from __future__ import annotations

from server.views import own_questions, role_view, signature
from tests.kiosk.helpers import at, build_state

NOW = at("11:40")
ASKED = [
    ("attendee", "submit_question", {"text": "Godkendt"}),  # q1
    ("attendee", "submit_question", {"text": "Venter"}),  # q2
    ("moderator", "approve_question", {"question_id": "q1"}),
    ("moderator", "save_note", {"item_id": "unge", "text": "Kun mig", "audience": "moderator"}),
    ("moderator", "save_note", {"item_id": "frokost", "text": "Scenen", "audience": "stage"}),
    ("moderator", "set_stage_message", {"text": "2 min"}),
]


def test_the_hall_sees_neither_questions_notes_nor_the_stage_message():
    """The hall's view holds the public state and nothing private."""
    view = role_view(build_state(NOW, *ASKED), NOW, "hall")
    assert not {"questions", "notes", "stage_message"} & set(view)
    assert view["current"]["id"] == "unge" and view["phase"] == "live"


def test_the_stage_sees_only_notes_marked_for_it():
    """Stage: the stage message and the stage notes, not the moderator's own."""
    view = role_view(build_state(NOW, *ASKED), NOW, "stage")
    assert view["stage_message"]["text"] == "2 min"
    assert set(view["notes"]) == {"frokost"} and "questions" not in view


def test_attendees_see_only_public_questions():
    """An attendee's list holds the approved question, not the pending one."""
    view = role_view(build_state(NOW, *ASKED), NOW, "attendee")
    assert [q["text"] for q in view["questions"]] == ["Godkendt"]
    assert "notes" not in view and "stage_message" not in view


def test_the_moderator_sees_everything():
    """Every question with its original text, every note."""
    view = role_view(build_state(NOW, *ASKED), NOW, "moderator")
    assert {q["text"] for q in view["questions"]} == {"Godkendt", "Venter"}
    assert all("original_text" in q for q in view["questions"])
    assert set(view["notes"]) == {"unge", "frokost"}


def test_the_question_target_is_sent_not_recomputed_by_clients():
    """question_target: the live item that takes questions; in a break the next one, if open."""
    assert role_view(build_state(NOW), NOW, "attendee")["question_target"] == "unge"
    pause = at("11:25")
    assert role_view(build_state(pause), pause, "attendee")["question_target"] == "unge"
    state = build_state(pause, ("moderator", "close_questions", {"item_id": "unge"}))
    assert role_view(state, pause, "attendee")["question_target"] is None


def test_own_questions_include_pending_ones_and_votes():
    """mine: the attendee's questions in any status, and what it voted for."""
    state = build_state(NOW, *ASKED, ("attendee", "vote", {"question_id": "q1"}))
    mine = own_questions(state, "attendee-1")
    assert [q["status"] for q in mine["questions"]] == ["approved", "pending"]
    assert mine["voted"] == ["q1"]
    assert own_questions(state, "someone-else") == {"questions": [], "voted": []}


def test_the_signature_moves_when_the_clock_changes_what_is_live():
    """The server republishes when an item starts; not on every tick."""
    state = build_state(NOW)
    assert signature(state, NOW) == signature(state, at("11:41"))
    assert signature(state, NOW) != signature(state, at("12:30"))


def test_a_programme_at_the_import_limits_and_a_flood_fit_in_a_clients_frame():
    """The limits on both ends agree: a programme just under the 2 MiB import limit (1,000
    items, long descriptions) and a flooded queue make snapshots every client accepts."""
    import json
    from dataclasses import replace
    from datetime import timedelta
    from types import MappingProxyType

    from server.contract import MAX_FRAME_BYTES
    from server.live import Question
    from server.programme.importer import MAX_ITEMS, MAX_PROGRAMME_BYTES, check_programme

    state = build_state(NOW)
    base = state.programme.items[3]
    items = tuple(
        replace(base, id=f"i{n:04d}", start=base.start + timedelta(minutes=n),
                end=base.start + timedelta(minutes=n + 1), description="æ" * 900)
        for n in range(MAX_ITEMS)
    )  # fmt: skip
    programme = replace(state.programme, items=items)
    size = len(json.dumps(programme.to_dict(), ensure_ascii=False).encode())
    assert 0.9 * MAX_PROGRAMME_BYTES < size <= MAX_PROGRAMME_BYTES
    check_programme(programme, "big.toml")  # accepted: at the limit, not over it
    t = NOW - timedelta(minutes=5)
    flood = {
        f"f{k}": Question(f"f{k}", "i0000", "😀" * 280, "😀" * 280, "pending", f"c{k}", t, t,
                          name="🙂" * 80, source="10.0.0.7")
        for k in range(1500)
    }  # fmt: skip
    shown = {f"s{k}": replace(flood[f"f{k}"], id=f"s{k}", status="approved") for k in range(200)}
    state = replace(state, programme=programme, questions=MappingProxyType({**flood, **shown}))
    for role in ("hall", "stage", "attendee", "moderator"):
        view = role_view(state, items[0].start, role)
        frame = json.dumps({"type": "snapshot", "state": view}, ensure_ascii=False).encode()
        assert len(frame) < MAX_FRAME_BYTES, (role, len(frame))


def test_views_of_two_states_at_the_same_instant_do_not_share_what_differs():
    """Views share what one state at one instant gives (timelines, the programme's expected
    times); a second state at the very same instant must get its own."""
    before = build_state(NOW)
    later = build_state(NOW, ("moderator", "shift_delay", {"minutes": 10}))
    first = role_view(before, NOW, "hall")
    second = role_view(later, NOW, "hall")
    again = role_view(before, NOW, "hall")
    start = {i["id"]: i["expected_start"] for i in first["programme"]}
    shifted = {i["id"]: i["expected_start"] for i in second["programme"]}
    assert start["frokost"] != shifted["frokost"] and second["delay_minutes"] == 10
    assert again == first and first["delay_minutes"] == 0
    # Every role of one state at one instant sees the same programme.
    assert role_view(before, NOW, "moderator")["programme"] == first["programme"]
