"""The same storage and server on PostgreSQL (fixtures in tests/server/conftest.py).

These run when a PostgreSQL server is reachable (PODIUM_TEST_PG_URL, default the local
trust-auth one) and skip with the reason otherwise; with PODIUM_REQUIRE_SERVICES=1 (set
by .ci/run) an unreachable server is a failure, not a skip.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from server.app import Settings, start
from server.changes import LIVE
from server.programme import default_programme
from server.protocol import parse_command
from server.state import Actor, Context, State, apply
from server.storage import LogEntry, Store
from tests.conftest import TZ, FakeClock
from tests.server.conftest import PG_URL


@pytest.fixture
def pg_schema(pg_schema_name: str) -> dict[str, str]:
    """Connection arguments that put this test's tables in its own schema."""
    return {"options": f"-csearch_path={pg_schema_name}"}


def test_store_round_trip_on_postgres(pg_schema):
    """Programme, live state, questions, votes, notes and the log survive a reopen."""
    store = Store(PG_URL, connect_args=pg_schema)
    prog = default_programme()
    now = datetime(2025, 9, 25, 11, 40, tzinfo=TZ)
    store.save_programme(prog, now)
    state = State(programme=prog)
    att = Actor("attendee", "a1")
    out = apply(
        state,
        parse_command(
            {"type": "command", "id": "1", "name": "submit_question", "args": {"text": "Hej"}},
            "attendee",
        ),
        Context(now, att, lambda: "q1"),
    )
    mod = Actor("moderator", "m")
    out2 = apply(
        out.state,
        parse_command(
            {
                "type": "command",
                "id": "2",
                "name": "approve_question",
                "args": {"question_id": "q1"},
            },
            "moderator",
        ),
        Context(now, mod, lambda: "x"),
    )
    out3 = apply(
        out2.state,
        parse_command(
            {"type": "command", "id": "3", "name": "vote", "args": {"question_id": "q1"}},
            "attendee",
        ),
        Context(now, att, lambda: "x"),
    )
    out4 = apply(
        out3.state,
        parse_command(
            {
                "type": "command",
                "id": "4",
                "name": "save_note",
                "args": {"item_id": "unge", "text": "Note", "audience": "stage"},
            },
            "moderator",
        ),
        Context(now, mod, lambda: "x"),
    )
    changed = out.changed | out2.changed | out3.changed | out4.changed | {LIVE}
    entry = LogEntry(
        now,
        "attendee",
        "attendee:a1",
        "1",
        "submit_question",
        {"text": "Hej"},
        True,
        {"type": "ack"},
        4,
    )
    store.commit(out4.state, changed, [entry], 4)
    store.close()
    again = Store(PG_URL, connect_args=pg_schema)
    loaded, rev = again.load_state(again.load_programme())  # type: ignore[arg-type]
    assert rev == 4 and loaded.programme == prog
    assert loaded.questions["q1"].status == "approved" and loaded.vote_count("q1") == 1
    assert loaded.notes["unge"].text == "Note"
    assert [r.name for r in again.command_log()] == ["submit_question"]
    again.close()


async def test_server_on_postgres_keeps_acked_questions(pg_schema, monkeypatch):
    """A server on PostgreSQL acks a question; a new server on the same database has it."""
    import server.app as app_module

    original = app_module.Store
    monkeypatch.setattr(app_module, "Store", lambda url: original(url, connect_args=pg_schema))
    clock = FakeClock(datetime(2025, 9, 25, 11, 40, tzinfo=TZ))
    settings = Settings(port=0, db_url=PG_URL, moderator_token="m", stage_token="s", now=clock)
    running = await start(settings)
    try:
        from websockets.asyncio.client import connect

        from tests.conftest import Client

        c = Client(await connect(f"ws://127.0.0.1:{running.port}/ws", proxy=None))
        await c.send({"type": "hello", "protocol": 1, "role": "attendee", "client_id": "pg"})
        await c.expect("snapshot")
        ack = await c.command("submit_question", text="Gemt i PostgreSQL?")
        assert ack["type"] == "ack"
        await c.close()
    finally:
        await running.close()
    second = await start(settings)
    try:
        q = second.sequencer.state.questions[ack["result"]["question_id"]]
        assert q.text == "Gemt i PostgreSQL?"
    finally:
        await second.close()
