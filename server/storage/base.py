"""The storage interface the server writes through, and the record of one command.

Two implementations keep this contract (tests/server/test_repository_contract.py runs one
suite against each): :class:`server.storage.repository.Store` over SQLAlchemy (SQLite by
default, PostgreSQL by URL) and :class:`server.storage.memory.MemoryStore` for tests and
for the rules' unit tests. A future backend (several processes on PostgreSQL) plugs in
here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from server.changes import Change
from server.programme.model import Programme
from server.state import Live, Note, Question, State


@dataclass(frozen=True)
class LogEntry:
    """One line of the command log."""

    at: datetime
    role: str
    client_key: str
    command_id: str
    name: str
    args: dict[str, Any]
    ok: bool
    reply: dict[str, Any]
    revision: int


@dataclass(frozen=True)
class Delta:
    """What other server processes committed since a revision: the records as they are at
    ``revision`` (a question, a note, the votes on a question, the live record, the
    programme), or the ``whole`` state when the change log could not say."""

    revision: int
    whole: State | None = None
    programme: Programme | None = None
    live: Live | None = None
    notes: Mapping[str, Note] = field(default_factory=dict)
    questions: Mapping[str, Question] = field(default_factory=dict)
    votes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def applied_to(self, state: State) -> State:
        """``state`` with these records in it."""
        if self.whole is not None:
            return self.whole
        return replace(
            state,
            programme=self.programme or state.programme,
            live=self.live or state.live,
            notes=MappingProxyType({**state.notes, **self.notes}),
            questions=MappingProxyType({**state.questions, **self.questions}),
            votes=MappingProxyType({k: v for k, v in {**state.votes, **self.votes}.items() if v}),
            sources=MappingProxyType({**state.sources, **self.sources}),
        )


#: (client key, command id, command name, its arguments, the reply sent)
Logged = tuple[str, str, str, dict[str, Any], dict[str, Any]]


class Repository(Protocol):
    """Podium's storage: the whole state loaded at start, each batch of changes committed."""

    def close(self) -> None: ...

    def get_meta(self, key: str) -> str | None:
        """A stored setting (the tokens' hashes, the revision, secrets), or None."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting at once (in a transaction of its own)."""
        ...

    def secret(self, name: str) -> bytes:
        """A random secret kept under ``name`` (made on first use), e.g. the key that signs
        client ids; the same for every process on the same database."""
        ...

    def load_programme(self) -> Programme | None: ...

    def save_programme(self, programme: Programme, now: datetime) -> None: ...

    def programme_stamp(self) -> str | None:
        """Changes whenever the stored programme does (to notice an import while serving)."""
        ...

    def load_state(self, programme: Programme) -> tuple[State, int]:
        """The stored live state, notes, questions and votes, and the revision."""
        ...

    def commit(
        self, state: State, changed: Iterable[Change], log: Iterable[LogEntry], revision: int
    ) -> None:
        """Write the records ``changed`` names, the log lines and the revision, atomically."""
        ...

    def recent_replies(self, limit: int) -> Iterator[Logged]:
        """The last ``limit`` logged (client key, command id, name, args, reply), oldest first."""
        ...

    def reply(
        self, client_key: str, command_id: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        """The logged (name, args, reply) of one command, if it was ever answered."""
        ...

    def reply_count(self) -> int:
        """How many replies the log holds."""
        ...

    def command_log(self) -> list[LogEntry]:
        """Every logged command, in order."""
        ...
