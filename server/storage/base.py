"""The storage interface the server writes through, and the record of one command.

Two implementations keep this contract (tests/server/test_repository_contract.py runs one
suite against each): :class:`server.storage.repository.Store` over SQLAlchemy (SQLite by
default, PostgreSQL by URL) and :class:`server.storage.memory.MemoryStore` for tests and
for the rules' unit tests. A future backend (several processes on PostgreSQL) plugs in
here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from server.changes import Change
from server.programme.model import Programme
from server.state import State


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
