"""Property-based tests (hypothesis) of the decoder, every command handler and the loaders.

Whatever arrives, the answer is a ProtocolError (or ProgrammeError) or a valid new state:
never another exception, never a state that cannot be sent to a client.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from server.programme import ProgrammeError, default_programme, loads
from server.programme.native_export import dumps
from server.programme.schedule import import_schedule
from server.protocol import COMMANDS, ProtocolError, decode_frame, parse_command, parse_hello
from server.state import Actor, Context, State, apply, timeline
from server.views import own_questions, role_view

PROG = default_programme()
TZ = ZoneInfo("Europe/Copenhagen")
EXAMPLES = 300

# Unicode edge cases: combining marks, right-to-left, emoji, NUL, escapes, lone surrogates.
EDGE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "e\u0301\u0301\u0301",
        "שלום עולם",
        "مرحبا",
        "👩🏽‍🚀🇩🇰",
        "\x00",
        "\x1b[2J",
        "\x1b]52;c;ZXZpbA==\x07",
        "\ud800",
        "\u202e",
        "[@click=app.quit]x[/]",
        "[/]",
        "x" * 300,
        "\n" * 50,
        "Ærø Å ø",
    ]
)
TEXT = st.one_of(EDGE_TEXT, st.text(max_size=400))
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)
ARG_NAMES = st.sampled_from(
    [
        "text",
        "item_id",
        "question_id",
        "minutes",
        "room",
        "audience",
        "expires_in_s",
        "name",
        "organisation",
        "x",
    ]
)
ITEM_IDS = st.sampled_from([i.id for i in PROG.items] + ["nope", ""])
ARGS = st.dictionaries(
    ARG_NAMES,
    st.one_of(JSON_SCALAR, ITEM_IDS, st.sampled_from(["q1", "q2", "stage", "moderator"])),
    max_size=4,
)


def _base_state() -> State:
    """A state with questions in every status, so transitions have something to act on."""
    state = State(programme=PROG)
    now = datetime(2025, 9, 25, 11, 40, tzinfo=TZ)
    ids = iter(["q1", "q2", "q3"])
    for role, name, args in (
        ("attendee", "submit_question", {"text": "Et"}),
        ("attendee", "submit_question", {"text": "To"}),
        ("attendee", "submit_question", {"text": "Tre"}),
        ("moderator", "approve_question", {"question_id": "q2"}),
        ("moderator", "reject_question", {"question_id": "q3"}),
    ):
        cmd = parse_command({"type": "command", "id": "x", "name": name, "args": args}, role)
        state = apply(state, cmd, Context(now, Actor(role, "fuzz"), lambda: next(ids))).state
    return state


BASE = _base_state()


def _sendable(state: State, now: datetime) -> None:
    """Every role's snapshot of the state encodes as UTF-8 JSON."""
    for role in ("hall", "stage", "attendee", "moderator"):
        json.dumps(role_view(state, now, role), ensure_ascii=False).encode("utf-8")
    json.dumps(own_questions(state, "fuzz"), ensure_ascii=False).encode("utf-8")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        TEXT, st.binary(max_size=300).map(lambda b: b.decode("latin-1")), JSON.map(json.dumps)
    )
)
def test_decoder_only_raises_protocol_errors(frame: str):
    """decode_frame, parse_hello and parse_command on anything: data or a ProtocolError."""
    try:
        data = decode_frame(frame)
    except ProtocolError:
        return
    assert isinstance(data, dict)
    for parse in (
        parse_hello,
        lambda d: parse_command(d, "moderator"),
        lambda d: parse_command(d, "attendee"),
    ):
        with contextlib.suppress(ProtocolError):
            parse(data)


@settings(max_examples=EXAMPLES * 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(COMMANDS)),
    args=ARGS,
    role=st.sampled_from(["moderator", "attendee", "hall", "stage"]),
    minutes=st.integers(min_value=-600, max_value=1200),
)
def test_every_command_handler_answers_or_refuses(
    name: str, args: dict[str, Any], role: str, minutes: int
):
    """Any command with any arguments at any time: a ProtocolError, or a new state that can be sent."""
    now = datetime(2025, 9, 25, 8, 0, tzinfo=TZ) + timedelta(minutes=minutes)
    frame = json.dumps({"type": "command", "id": "f", "name": name, "args": args})
    before = BASE
    try:
        cmd = parse_command(decode_frame(frame), role)
        out = apply(before, cmd, Context(now, Actor(role, "fuzz"), lambda: "qnew"))
    except ProtocolError as exc:
        event(f"refused: {exc.code}")
        assert before == BASE  # refused: nothing changed
        return
    event(f"accepted: {name}")
    assert _base_state() == BASE  # the old state was not mutated
    _sendable(out.state, now)
    for room in PROG.rooms:
        timeline(out.state, now, room.id)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10_000),
            st.sampled_from(["delete", "duplicate", "garble"]),
            TEXT,
        ),
        max_size=4,
    )
)
def test_programme_loader_on_mutated_files(mutations: list[tuple[int, str, str]]):
    """The seed TOML with lines deleted, duplicated or garbled: a programme or a ProgrammeError."""
    lines = dumps(PROG).split("\n")
    for pos, op, text in mutations:
        i = pos % len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i] = lines[i][: len(lines[i]) // 2] + text
    try:
        prog = loads("\n".join(lines))
    except ProgrammeError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    assert prog.items


@settings(max_examples=EXAMPLES, deadline=None)
@given(JSON)
def test_schedule_import_on_random_json(doc: Any):
    """Any JSON document given to the importer: a programme or a ProgrammeError."""
    try:
        imported = import_schedule(json.dumps(doc).encode(), "fuzz.json")
    except ProgrammeError as exc:
        assert exc.problems
        return
    assert all(item.end > item.start for item in imported.programme.items)


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "title",
                "date",
                "start",
                "duration",
                "room",
                "type",
                "persons",
                "abstract",
                "guid",
                "id",
            ]
        ),
        JSON,
        max_size=10,
    )
)
def test_schedule_import_on_random_events(event: dict[str, Any]):
    """A schedule whose one event has random fields: imported with warnings, or refused."""
    day = {
        "index": 1,
        "date": "2025-09-25",
        "day_start": "2025-09-25T06:00:00+02:00",
        "day_end": "x",
        "rooms": {"A": [event]},
    }
    doc = {
        "schedule": {
            "conference": {"title": "F", "time_zone_name": "Europe/Copenhagen", "days": [day]}
        }
    }
    try:
        imported = import_schedule(json.dumps(doc).encode(), "fuzz.json")
    except ProgrammeError:
        return
    for item in imported.programme.items:
        assert item.end > item.start and item.start.tzinfo is not None


QIDS = st.sampled_from(["q1", "q2", "q3", "qnew", "nope"])
ROOM = st.fixed_dictionaries({}, optional={"room": st.sampled_from(["faellessalen", "nowhere"])})
MINUTES = st.integers(min_value=-(10**6), max_value=10**6)
WELL_FORMED = {
    "submit_question": st.fixed_dictionaries(
        {"text": TEXT}, optional={"item_id": ITEM_IDS, "name": TEXT, "organisation": TEXT}
    ),
    "vote": st.fixed_dictionaries({"question_id": QIDS}),
    "unvote": st.fixed_dictionaries({"question_id": QIDS}),
    "go_live": st.fixed_dictionaries({"item_id": ITEM_IDS}),
    "next": ROOM,
    "previous": ROOM,
    "follow_clock": ROOM,
    "set_delay": st.fixed_dictionaries({"minutes": MINUTES}),
    "shift_delay": st.fixed_dictionaries({"minutes": MINUTES}),
    "extend": st.fixed_dictionaries({"minutes": MINUTES}),
    "set_hall_message": st.fixed_dictionaries({"text": TEXT}, optional={"expires_in_s": MINUTES}),
    "clear_hall_message": st.just({}),
    "set_stage_message": st.fixed_dictionaries({"text": TEXT}),
    "clear_stage_message": st.just({}),
    "save_note": st.fixed_dictionaries(
        {"item_id": ITEM_IDS, "text": TEXT, "audience": st.sampled_from(["moderator", "stage"])}
    ),
    "open_questions": st.fixed_dictionaries({"item_id": ITEM_IDS}),
    "close_questions": st.fixed_dictionaries({"item_id": ITEM_IDS}),
    "approve_question": st.fixed_dictionaries({"question_id": QIDS}),
    "reject_question": st.fixed_dictionaries({"question_id": QIDS}),
    "edit_question": st.fixed_dictionaries({"question_id": QIDS, "text": TEXT}),
    "show_question": st.fixed_dictionaries({"question_id": QIDS}),
    "hide_question": ROOM,
    "answer_question": st.fixed_dictionaries({"question_id": QIDS}),
}
COMMAND = st.sampled_from(sorted(WELL_FORMED)).flatmap(
    lambda n: st.tuples(st.just(n), WELL_FORMED[n])
)


@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(COMMAND, st.integers(min_value=0, max_value=60)), min_size=1, max_size=10),
    st.integers(min_value=-300, max_value=900),
)
def test_sequences_of_well_formed_commands_keep_the_state_sendable(steps, start_minute: int):
    """Up to ten commands in a row, by the right roles, as the clock runs: every state can be sent."""
    state = BASE
    now = datetime(2025, 9, 25, 10, 0, tzinfo=TZ) + timedelta(minutes=start_minute)
    n = 0
    for (name, args), wait in steps:
        now += timedelta(minutes=wait)
        role = next(iter(COMMANDS[name][0]))
        n += 1
        try:
            cmd = parse_command({"type": "command", "id": str(n), "name": name, "args": args}, role)
            out = apply(state, cmd, Context(now, Actor(role, "fuzz"), lambda n=n: f"fz{n}"))
        except ProtocolError as exc:
            event(f"refused: {exc.code}")
            continue
        event(f"accepted: {name}")
        state = out.state
        _sendable(state, now)
        assert len([q for r, q in state.live.on_screen.items()]) <= len(PROG.rooms)
        for q in state.questions.values():
            assert q.status in ("pending", "approved", "rejected", "on_screen", "answered")
            assert len(q.text) <= 280 and q.text == q.text.strip()
