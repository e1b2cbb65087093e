"""One contract, three stores: memory, SQLite and PostgreSQL keep the same promises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from server.changes import LIVE, NoteChanged, QuestionChanged, VotesChanged
from server.programme import default_programme
from server.protocol import parse_command
from server.replies import Replies
from server.state import Actor, Context, State, apply
from server.storage import LogEntry, MemoryStore, Repository, Store
from server.tokens import settle, verify
from tests.conftest import TZ
from tests.server.conftest import PG_URL

NOW = datetime(2025, 9, 25, 11, 40, tzinfo=TZ)
PROGRAMME = default_programme()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    repo: Repository
    if request.param == "memory":
        repo = MemoryStore()
    elif request.param == "sqlite":
        repo = Store(f"sqlite:///{tmp_path / 'contract.sqlite3'}")
    else:
        schema = request.getfixturevalue("pg_schema_name")
        repo = Store(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield repo
    repo.close()


def _apply(state: State, role: str, name: str, args: dict, qid: str = "q1") -> State:
    cmd = parse_command({"type": "command", "id": "x", "name": name, "args": args}, role)
    return apply(state, cmd, Context(NOW, Actor(role, f"{role}-1"), lambda: qid)).state


def _entry(n: int, client: str = "attendee:a1") -> LogEntry:
    reply = {"type": "ack", "id": f"c{n}", "revision": n, "result": {}}
    return LogEntry(NOW, "attendee", client, f"c{n}", "vote", {"question_id": "q1"}, True, reply, n)


def test_a_new_store_has_no_programme_and_revision_zero(store: Repository):
    """Empty at first: no programme, no stamp, an empty state at revision 0."""
    assert store.load_programme() is None and store.programme_stamp() is None
    state, revision = store.load_state(PROGRAMME)
    assert revision == 0 and not state.questions and not state.live.rooms


def test_the_programme_is_saved_and_its_stamp_moves(store: Repository):
    """A saved programme comes back equal, and a second save changes the stamp."""
    store.save_programme(PROGRAMME, NOW)
    first = store.programme_stamp()
    assert store.load_programme() == PROGRAMME and first is not None
    store.save_programme(replace(PROGRAMME, items=PROGRAMME.items[:3]), NOW.replace(minute=41))
    assert store.programme_stamp() != first
    loaded = store.load_programme()
    assert loaded is not None and len(loaded.items) == 3


def test_a_commit_writes_what_it_names_and_comes_back(store: Repository):
    """Live state, a note, a question and its votes survive a reload."""
    s = State(programme=PROGRAMME)
    s = _apply(s, "attendee", "submit_question", {"text": "Hvad nu?"})
    s = _apply(s, "moderator", "approve_question", {"question_id": "q1"})
    s = _apply(s, "attendee", "vote", {"question_id": "q1"})
    s = _apply(s, "moderator", "shift_delay", {"minutes": 5})
    s = _apply(s, "moderator", "save_note", {"item_id": "unge", "text": "Husk mikrofon"})
    changes = {LIVE, QuestionChanged("q1"), VotesChanged("q1"), NoteChanged("unge")}
    store.commit(s, changes, [_entry(1)], 5)
    loaded, revision = store.load_state(PROGRAMME)
    assert revision == 5
    assert loaded.questions["q1"].status == "approved" and loaded.vote_count("q1") == 1
    assert loaded.live.room("faellessalen").delay_minutes == 5
    assert loaded.notes["unge"].text == "Husk mikrofon"


def test_a_commit_writes_only_what_it_names(store: Repository):
    """A change the rules did not report is not stored (so every rule must report its own)."""
    s = _apply(State(programme=PROGRAMME), "moderator", "shift_delay", {"minutes": 5})
    s = _apply(s, "attendee", "submit_question", {"text": "Glemt?"})
    store.commit(s, {LIVE}, [], 2)
    loaded, _ = store.load_state(PROGRAMME)
    assert loaded.live.room("faellessalen").delay_minutes == 5 and not loaded.questions


def test_votes_are_replaced_not_added(store: Repository):
    """An unvote stored after a vote leaves no vote."""
    s = _apply(State(programme=PROGRAMME), "attendee", "submit_question", {"text": "Hvad nu?"})
    s = _apply(s, "moderator", "approve_question", {"question_id": "q1"})
    voted = _apply(s, "attendee", "vote", {"question_id": "q1"})
    store.commit(voted, {QuestionChanged("q1"), VotesChanged("q1")}, [], 3)
    unvoted = _apply(voted, "attendee", "unvote", {"question_id": "q1"})
    store.commit(unvoted, {VotesChanged("q1")}, [], 4)
    loaded, _ = store.load_state(PROGRAMME)
    assert loaded.vote_count("q1") == 0


def test_replies_are_found_by_client_and_command_id(store: Repository):
    """The log answers a resent command id, for that client only, and keeps its order."""
    store.commit(State(programme=PROGRAMME), [], [_entry(n) for n in range(1, 6)], 5)
    assert store.reply("attendee:a1", "c3") == ("vote", {"question_id": "q1"}, _entry(3).reply)
    assert store.reply("attendee:other", "c3") is None
    assert store.reply_count() == 5
    assert [c for _, c, _, _, _ in store.recent_replies(2)] == ["c4", "c5"]
    assert [e.command_id for e in store.command_log()] == ["c1", "c2", "c3", "c4", "c5"]
    assert store.command_log()[0].args == {"question_id": "q1"}


def test_tokens_are_kept_as_a_hash_and_shown_only_when_made(store: Repository):
    """A token made at first start is shown once and only its hash is stored; the next
    start shows nothing and the same token still opens; a given one replaces it; --show-tokens
    replaces one only known by its hash; a clear-text token of an older Podium is hashed."""
    first = settle(store, {})
    token, why = first.shown["moderator"]
    assert why == "new" and verify(token, first.hashes["moderator"])
    assert token not in str(first.hashes) and store.get_meta("token_hash:moderator") != token
    again = settle(store, {})
    assert again.shown == {} and verify(token, again.hashes["moderator"])
    given = settle(store, {"moderator": "tine-2025"})
    assert verify("tine-2025", given.hashes["moderator"]) and given.shown == {}
    assert not verify(token, given.hashes["moderator"])
    shown = settle(store, {}, show=True)
    new, why = shown.shown["stage"]
    assert why == "replaced" and verify(new, shown.hashes["stage"])
    store.set_meta("token:moderator", "gammel-kode")  # as Podium before 0.x kept it
    store.set_meta("token_hash:moderator", "")
    upgraded = settle(store, {})
    assert verify("gammel-kode", upgraded.hashes["moderator"]) and upgraded.shown == {}
    assert store.get_meta("token:moderator") == ""


def test_the_reply_cache_stays_bounded_and_still_answers_old_ids(store: Repository):
    """Past its capacity the cache forgets, and a miss is then looked up in the log."""
    store.commit(State(programme=PROGRAMME), [], [_entry(n) for n in range(1, 11)], 10)
    replies = Replies(store, capacity=4)
    assert len(replies) == 4 and not replies.complete
    old = ("attendee:a1", "c1")
    assert replies.cached(old) is None and not replies.known_absent(old)
    assert replies.lookup(old) == ('vote\x1f{"question_id": "q1"}', _entry(1).reply)
    replies.remember({("attendee:a1", f"n{n}"): ("vote\x1f{}", {"n": n}) for n in range(3)})
    assert len(replies) == 4
    small = Replies(store, capacity=100)
    assert small.complete and small.known_absent(("attendee:a1", "never"))


def _apply_from(state: State, client: str, address: str, name: str, args: dict, qid: str) -> State:
    cmd = parse_command({"type": "command", "id": "x", "name": name, "args": args}, "attendee")
    return apply(
        state, cmd, Context(NOW, Actor("attendee", client, None, address), lambda: qid)
    ).state


def test_where_questions_and_votes_came_from_is_kept(store: Repository):
    """A question's address and each voter's address come back after a restart (the
    moderator sees where votes come from), and a signing secret stays the same."""
    store.save_programme(PROGRAMME, NOW)
    state, _ = store.load_state(PROGRAMME)
    state = _apply_from(state, "a1", "10.0.0.7", "submit_question", {"text": "Hvorfor?"}, "q1")
    state = _apply(state, "moderator", "approve_question", {"question_id": "q1"})
    state = _apply_from(state, "a2", "10.0.0.8", "vote", {"question_id": "q1"}, "-")
    store.commit(state, {QuestionChanged("q1"), VotesChanged("q1")}, [], 3)
    loaded, _ = store.load_state(PROGRAMME)
    assert loaded.questions["q1"].source == "10.0.0.7"
    assert dict(loaded.sources) == {"a1": "10.0.0.7", "a2": "10.0.0.8"}
    assert store.secret("ids") == store.secret("ids") and len(store.secret("ids")) == 32
    assert store.secret("ids") != store.secret("other")


def test_a_database_from_before_the_address_columns_is_upgraded(tmp_path: Path):
    """A SQLite file made by an older Podium (no ``source`` columns) opens, keeps its
    questions and votes, and stores addresses from then on."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE podium_question (id VARCHAR(64) PRIMARY KEY, item_id VARCHAR(64),
              text TEXT, original_text TEXT, status VARCHAR(16), client_id VARCHAR(64),
              name TEXT, organisation TEXT, created_at TEXT, updated_at TEXT);
            CREATE TABLE podium_vote (question_id VARCHAR(64), client_id VARCHAR(64),
              PRIMARY KEY (question_id, client_id));
            INSERT INTO podium_question VALUES ('old', 'unge', 'Før', 'Før', 'approved', 'a0',
              '', '', '2025-09-25T11:00:00+02:00', '2025-09-25T11:00:00+02:00');
            INSERT INTO podium_vote VALUES ('old', 'a9');
            """
        )
    store = Store(f"sqlite:///{path}")
    try:
        state, _ = store.load_state(PROGRAMME)
        assert state.questions["old"].source == "" and state.votes["old"] == {"a9"}
        state = _apply_from(state, "a1", "10.0.0.7", "vote", {"question_id": "old"}, "-")
        store.commit(state, {VotesChanged("old")}, [], 1)
        assert dict(store.load_state(PROGRAMME)[0].sources) == {"a1": "10.0.0.7"}
    finally:
        store.close()
