"""Storage in memory: the repository contract with nothing on disk (tests, rehearsals).

It keeps exactly what :class:`~server.storage.base.Repository` promises and no more:
a commit writes only the records its changes name, so a rule that forgets to report
a change loses it here just as it would in the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from server.changes import (
    Change,
    LiveChanged,
    NoteChanged,
    QuestionChanged,
    VotesChanged,
    in_write_order,
)
from server.programme.model import Programme
from server.state import Live, Note, Question, State
from server.storage.base import LogEntry, Logged


class MemoryStore:
    """A :class:`~server.storage.base.Repository` in memory."""

    def __init__(self) -> None:
        self._meta: dict[str, str] = {}
        self._programme: Programme | None = None
        self._stamp: str | None = None
        self._live = Live()
        self._notes: dict[str, Note] = {}
        self._questions: dict[str, Question] = {}
        self._votes: dict[str, frozenset[str]] = {}
        self._sources: dict[str, str] = {}
        self._revision = 0
        self._log: list[LogEntry] = []
        self._replies: dict[tuple[str, str], LogEntry] = {}

    def close(self) -> None:
        pass

    def get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self._meta[key] = value

    def secret(self, name: str) -> bytes:
        return bytes.fromhex(self._meta.setdefault(f"secret:{name}", secrets.token_hex(32)))

    def load_programme(self) -> Programme | None:
        return self._programme

    def save_programme(self, programme: Programme, now: datetime) -> None:
        self._programme = programme
        self._stamp = f"{now.isoformat()}#{secrets.token_hex(4)}"

    def programme_stamp(self) -> str | None:
        return self._stamp

    def load_state(self, programme: Programme) -> tuple[State, int]:
        state = State(
            programme=programme,
            live=self._live,
            notes=MappingProxyType(dict(self._notes)),
            questions=MappingProxyType(dict(self._questions)),
            votes=MappingProxyType(dict(self._votes)),
            sources=MappingProxyType(dict(self._sources)),
        )
        return state, self._revision

    def commit(
        self, state: State, changed: Iterable[Change], log: Iterable[LogEntry], revision: int
    ) -> None:
        for change in in_write_order(changed):
            match change:
                case LiveChanged():
                    self._live = replace(state.live)
                case NoteChanged(item_id):
                    self._notes[item_id] = state.notes[item_id]
                case QuestionChanged(qid):
                    q = self._questions[qid] = state.questions[qid]
                    if q.source:
                        self._sources.setdefault(q.client_id, q.source)
                case VotesChanged(qid):
                    if qid not in self._questions:  # as the database's foreign key would
                        raise KeyError(f"votes for an unknown question {qid}")
                    self._votes[qid] = state.votes.get(qid, frozenset())
                    for client in self._votes[qid]:  # as the vote rows keep each address
                        if client in state.sources:
                            self._sources[client] = state.sources[client]
        for entry in log:
            self._log.append(entry)
            self._replies[(entry.client_key, entry.command_id)] = entry
        self._revision = revision

    def recent_replies(self, limit: int) -> Iterator[Logged]:
        for e in self._log[-limit:] if limit > 0 else []:
            yield e.client_key, e.command_id, e.name, e.args, e.reply

    def reply(
        self, client_key: str, command_id: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        e = self._replies.get((client_key, command_id))
        return None if e is None else (e.name, e.args, e.reply)

    def reply_count(self) -> int:
        return len(self._log)

    def command_log(self) -> list[LogEntry]:
        return list(self._log)
