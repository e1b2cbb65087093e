"""Bad input from the network: a clear error code, no change, and the others notice nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from server.app import Running
from server.protocol import Limits
from tests.conftest import UNIT


async def _error(client, frame: dict[str, Any] | str) -> dict[str, Any]:
    await client.send(frame)
    return await client.expect("error")


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2, 3]", "not_object"),
        ('"hello"', "not_object"),
        ({"type": "dance"}, "unknown_type"),
        ({"type": "command", "id": "1", "name": "launch_rockets", "args": {}}, "unknown_command"),
        ({"type": "command", "id": "1", "name": "go_live", "args": {}}, "bad_args"),
        (
            {"type": "command", "id": "1", "name": "go_live", "args": {"item_id": "unge", "x": 1}},
            "bad_args",
        ),
        ({"type": "command", "id": "1", "name": "set_delay", "args": {"minutes": "5"}}, "bad_args"),
        (
            {"type": "command", "id": "1", "name": "set_delay", "args": {"minutes": True}},
            "bad_args",
        ),
        (
            {"type": "command", "id": "1", "name": "set_delay", "args": {"minutes": 10**30}},
            "out_of_range",
        ),
        ({"type": "command", "id": 7, "name": "next", "args": {}}, "bad_args"),
        ({"type": "command", "name": "next", "args": {}}, "bad_args"),
        ({"type": "command", "id": "1", "name": "next", "args": [1]}, "bad_args"),
        (
            {"type": "command", "id": "1", "name": "go_live", "args": {"item_id": "nope"}},
            "unknown_item",
        ),
    ],
)
async def test_bad_frames_from_a_moderator(connect_as, server: Running, frame, code):
    """Each bad frame gets its error code and changes nothing."""
    mod = await connect_as("moderator")
    before = (server.sequencer.revision, server.sequencer.state)
    err = await _error(mod, frame)
    assert err["code"] == code and err["message"]
    assert (server.sequencer.revision, server.sequencer.state) == before


@pytest.mark.parametrize("role", ["hall", "stage", "attendee"])
async def test_moderator_commands_are_forbidden_to_other_roles(connect_as, server: Running, role):
    """Every moderator command from hall, stage and attendee is refused."""
    c = await connect_as(role)
    for name in ("go_live", "next", "set_hall_message", "show_question", "save_note"):
        err = await c.command(name, item_id="unge", text="x", question_id="q")
        assert err["type"] == "error" and err["code"] == "forbidden"
    assert server.sequencer.revision == 0


async def test_hall_may_not_submit_questions(connect_as):
    """submit_question from the hall is forbidden."""
    hall = await connect_as("hall")
    err = await hall.command("submit_question", text="hej")
    assert err["code"] == "forbidden"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_text"),
        ("   \t\n  ", "empty_text"),
        ("x" * 281, "text_too_long"),
        ("ryd skærmen \x1b[2J\x1b[H", "bad_characters"),
        ("\x1b]52;c;ZXZpbA==\x07", "bad_characters"),
        ("nul\x00byte", "bad_characters"),
        ("\ud800 lone surrogate", "bad_characters"),
    ],
)
async def test_bad_question_text(connect_as, server: Running, text, code):
    """Empty, whitespace, too long, escape sequences and lone surrogates are refused."""
    att = await connect_as("attendee")
    err = await att.command("submit_question", text=text)
    assert err["code"] == code
    assert not server.sequencer.state.questions


async def test_markup_in_a_question_is_stored_literally(connect_as, server: Running):
    """Textual markup is not an error: it is kept as the characters it is."""
    att = await connect_as("attendee")
    text = "[@click=app.quit]klik[/] [bold red]hej[/]"
    ack = await att.command("submit_question", text=text)
    assert server.sequencer.state.questions[ack["result"]["question_id"]].text == text


async def test_too_many_questions_per_minute(connect_as):
    """The sixth question in a minute is refused with too_many_questions."""
    att = await connect_as("attendee")
    for n in range(5):
        assert (await att.command("submit_question", text=f"Spørgsmål {n}"))["type"] == "ack"
    err = await att.command("submit_question", text="Et til")
    assert err["code"] == "too_many_questions"
    assert "vent" in err["message"]


async def test_english_error_messages(connect_as):
    """A client that says lang=en gets English messages."""
    att = await connect_as("attendee", lang="en")
    err = await att.command("submit_question", text="")
    assert err["message"] == "The text is empty."


async def test_rate_limit_then_close_and_others_unaffected(connect_as, server: Running):
    """A flooding client gets rate_limited, is closed, and the hall keeps getting updates."""
    flooder = await connect_as("moderator")
    hall = await connect_as("hall")
    frames = [
        json.dumps({"type": "command", "id": f"f{n}", "name": "hide_question", "args": {}})
        for n in range(200)
    ]
    codes = await _until_closed(flooder, frames)
    assert "rate_limited" in codes
    assert flooder.ws.close_code == 1008
    other = await connect_as("moderator")
    ack = await other.command("set_hall_message", text="Stadig i live")
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["state"]["hall_message"]["text"] == "Stadig i live"


async def test_no_hello_in_time_closes(connect_as):
    """A client that says nothing gets hello_timeout and is closed."""
    c = await connect_as("hall", handshake=False)
    msg = await c.expect("error", timeout=5 * UNIT)
    assert msg["code"] == "hello_timeout"
    with pytest.raises(ConnectionClosed):
        await c.recv()
    assert c.ws.close_code == 1008


async def test_command_before_hello_is_refused(connect_as):
    """A command as first message gets hello_required and a close."""
    c = await connect_as("hall", handshake=False)
    await c.send({"type": "command", "id": "1", "name": "next", "args": {}})
    assert (await c.expect("error"))["code"] == "hello_required"


@pytest.mark.parametrize(
    ("hello", "code"),
    [
        ({"type": "hello", "protocol": 1, "role": "moderator", "token": "wrong"}, "bad_token"),
        ({"type": "hello", "protocol": 1, "role": "moderator"}, "bad_token"),
        (
            {"type": "hello", "protocol": 1, "role": "stage", "token": "mod-secret-token"},
            "bad_token",
        ),
        ({"type": "hello", "protocol": 1, "role": "king"}, "bad_hello"),
        ({"type": "hello", "protocol": 99, "role": "hall"}, "protocol_version"),
        (
            {"type": "hello", "protocol": 1, "role": "attendee", "client_id": "bad id with spaces"},
            "bad_hello",
        ),
    ],
)
async def test_bad_hello(connect_as, hello, code):
    """A wrong token or a bad hello gets its error code and the connection is closed."""
    c = await connect_as("hall", handshake=False)
    await c.send(hello)
    err = await c.expect("error")
    assert err["code"] == code
    with pytest.raises(ConnectionClosed):
        await c.recv()


async def test_oversized_frame(connect_as, server: Running, limits: Limits):
    """A frame over the limit gets too_large; one far over it closes with 1009."""
    mod = await connect_as("moderator")
    big = json.dumps(
        {
            "type": "command",
            "id": "1",
            "name": "set_hall_message",
            "args": {"text": "x" * limits.max_frame_bytes},
        }
    )
    assert (await _error(mod, big))["code"] == "too_large"
    huge = "x" * (limits.max_frame_bytes * 5)
    await mod.send(huge)
    with pytest.raises(ConnectionClosed):
        for _ in range(100):  # a presence or tick frame may come before the close
            await mod.recv()
    assert mod.ws.close_code == 1009
    assert server.sequencer.state.live.room("faellessalen").hall_message is None


async def test_many_errors_close_the_client(connect_as, limits: Limits):
    """A client that keeps sending garbage is closed after max_errors."""
    c = await connect_as("hall")
    with pytest.raises(ConnectionClosed):
        for _ in range(limits.max_errors + 5):
            await c.send("garbage")
            await asyncio.sleep(0)
        while True:
            await c.recv()
    assert c.ws.close_code == 1008


async def test_an_error_reply_never_echoes_an_id_it_cannot_encode(connect_as):
    """A command id with a lone surrogate gets an error without the id; the connection lives."""
    c = await connect_as("attendee", client_id="surrogate-1")
    await c.send('{"type": "command", "id": "\\ud800", "name": "vote", "args": {"x": "\\ud800"}}')
    err = await c.expect("error")
    assert err["code"] == "bad_characters" and err["id"] is None
    await c.send({"type": "ping"})
    assert (await c.expect("pong"))["type"] == "pong"


async def _until_closed(client, frames: list[str]) -> list[str]:
    """Send every frame, then read until the server closes; the error codes it sent."""
    codes: list[str] = []
    with pytest.raises(ConnectionClosed):
        for f in frames:
            await client.ws.send(f)
        while True:
            msg = await client.recv()
            if msg["type"] == "error":
                codes.append(msg["code"])
    return codes


async def test_a_ping_flood_is_charged_and_closed(connect_as, server: Running):
    """Pings cost what commands cost: a flood gets rate_limited, is closed, the hall lives."""
    flooder = await connect_as("attendee")
    hall = await connect_as("hall")
    codes = await _until_closed(flooder, [json.dumps({"type": "ping"})] * 300)
    assert "rate_limited" in codes and flooder.ws.close_code == 1008
    mod = await connect_as("moderator")
    ack = await mod.command("set_hall_message", text="Efter pings")
    snap = await hall.expect("snapshot", lambda m: m["revision"] == ack["revision"])
    assert snap["state"]["hall_message"]["text"] == "Efter pings"


async def test_resync_is_at_most_one_per_interval(connect_as, limits: Limits):
    """A second resync within resync_interval_s is refused; the first one is answered."""
    c = await connect_as("hall")
    await c.send({"type": "resync"})
    await c.send({"type": "resync"})
    assert (await c.expect("snapshot"))["type"] == "snapshot"
    assert (await c.expect("error"))["code"] == "rate_limited"


async def test_refused_commands_count_toward_closing(connect_as, limits: Limits):
    """Commands the rules refuse (a vote on no question) count like any error."""
    c = await connect_as("attendee")
    frames = [
        json.dumps({"type": "command", "id": f"v{n}", "name": "vote", "args": {"question_id": "x"}})
        for n in range(limits.max_errors + 5)
    ]
    codes = await _until_closed(c, frames)
    assert codes.count("unknown_question") == limits.max_errors
    assert c.ws.close_code == 1008
