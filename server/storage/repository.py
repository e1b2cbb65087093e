"""The SQL repository: load the whole state at start, commit each batch of changes.

The server keeps the state in memory and writes through this small interface; a
batch of commands is committed in one transaction before any of them is acked.
Sync SQLAlchemy on purpose (see PITFALLS 16): the server calls it from one writer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, event, func, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine, delete, select

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
from server.storage.base import Delta, LogEntry, Logged
from server.storage.tables import (
    ADDED_COLUMNS,
    ChangeRow,
    CommandLogRow,
    LiveRow,
    MetaRow,
    NoteRow,
    ProgrammeRow,
    QuestionRow,
    VoteRow,
)


class NotWritable(OSError):
    """The database cannot be written to."""


def default_db_url() -> str:
    """SQLite in the user's data directory (created if missing, readable by the user only:
    it holds every question, who asked it and from where)."""
    path = Path(user_data_dir("podium", appauthor=False)) / "podium.sqlite3"
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        path.parent.chmod(0o700)  # whatever the umask made of it
    return f"sqlite:///{path}"


def _private_file(url: str) -> None:
    """Create a SQLite file that does not exist yet as 0600 (its -wal and -shm files get the
    same mode from SQLite); an existing file is left as its owner set it."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() or not path.parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def normalise_url(url: str) -> str:
    """Accept a bare path as SQLite, and postgresql:// as the psycopg 3 driver."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # an ack survives a power cut, not only a crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Store:
    """A :class:`~server.storage.base.Repository` over any SQLAlchemy URL (SQLite by default,
    PostgreSQL too)."""

    def __init__(self, url: str, *, connect_args: dict[str, Any] | None = None) -> None:
        self.url = normalise_url(url)
        with contextlib.suppress(OSError):  # a folder we may not write: create_all says so
            _private_file(self.url)
        # A connection the database dropped (a restart, a cut network) is found before use,
        # not by the command that gets it.
        self.db: Engine = create_engine(
            self.url,
            connect_args=connect_args or {},
            pool_pre_ping=self.url.startswith("postgresql"),
        )
        if self.db.dialect.name == "sqlite":
            event.listen(self.db, "connect", _sqlite_pragmas)
        try:
            SQLModel.metadata.create_all(self.db)
            self._add_columns()
        except SQLAlchemyError as exc:
            raise NotWritable(self._refusal(exc)) from None

    def _add_columns(self) -> None:
        """Give a database made by an older Podium the columns added since."""
        have = inspect(self.db)
        with self.db.begin() as conn:
            for table, column, sql in ADDED_COLUMNS:
                if column not in {c["name"] for c in have.get_columns(table)}:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql}"))

    def close(self) -> None:
        self.db.dispose()

    def check_writable(self, now: datetime) -> None:
        """Write and commit one row, so that a read-only or full database is found at start
        (not at the first command, after its change flashed on every screen).

        Raises:
            NotWritable: the database refuses writes.
        """
        try:
            self.set_meta("opened_at", now.isoformat())
        except SQLAlchemyError as exc:
            raise NotWritable(self._refusal(exc)) from None

    def _refusal(self, exc: Exception) -> str:
        where = self.db.url.render_as_string(hide_password=True)
        return f"{where}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"

    # --- meta -------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with Session(self.db) as s:
            row = s.get(MetaRow, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with Session(self.db) as s:
            s.merge(MetaRow(key=key, value=value))
            s.commit()

    def secret(self, name: str) -> bytes:
        key = f"secret:{name}"
        stored = self.get_meta(key)
        if not stored:
            stored = secrets.token_hex(32)
            self.set_meta(key, stored)
        return bytes.fromhex(stored)

    # --- the whole state --------------------------------------------------------

    def load_programme(self) -> Programme | None:
        with Session(self.db) as s:
            row = s.get(ProgrammeRow, 1)
            return Programme.from_dict(json.loads(row.data)) if row else None

    def save_programme(self, programme: Programme, now: datetime) -> None:
        with Session(self.db) as s:
            s.merge(
                ProgrammeRow(id=1, data=json.dumps(programme.to_dict()), updated_at=now.isoformat())
            )
            s.commit()

    def programme_stamp(self) -> str | None:
        """When the stored programme last changed (to notice an import while serving)."""
        with Session(self.db) as s:
            row = s.get(ProgrammeRow, 1)
            return row.updated_at if row else None

    def load_state(self, programme: Programme) -> tuple[State, int]:
        """The stored live state, notes, questions and votes, and the revision."""
        with Session(self.db) as s:
            return _load_state(s, programme)

    def commit(
        self, state: State, changed: Iterable[Change], log: Iterable[LogEntry], revision: int
    ) -> None:
        """Write what changed, the log lines and the revision in one transaction."""
        with Session(self.db) as s:
            _write(s, state, changed, log, revision)
            s.commit()

    # --- several server processes on one PostgreSQL database ---------------------

    @property
    def shared(self) -> bool:
        """Whether several server processes may share this database (PostgreSQL does;
        a SQLite file has one ``podium serve``, see server.app.ServeLock)."""
        return self.db.dialect.name == "postgresql"

    @contextlib.contextmanager
    def locked(self) -> Iterator[Locked]:
        """A transaction that holds the revision row until it ends: every process applies
        its commands inside one, so they get one global order (the row lock queues them).
        Leaving the block without :meth:`Locked.commit` rolls everything back."""
        with Session(self.db) as s:
            query = select(MetaRow).where(MetaRow.key == "revision").with_for_update()
            row = s.exec(query).first()
            if row is None:  # a new database: the row to lock is made once
                s.execute(
                    text(
                        "INSERT INTO podium_meta (key, value) VALUES ('revision', '0') "
                        "ON CONFLICT (key) DO NOTHING"
                    )
                )
                row = s.exec(query).one()
            yield Locked(s, int(row.value))

    def delta_since(self, since: int, programme: Programme) -> Delta | None:
        """What other processes committed after revision ``since`` (None: nothing), read in
        one snapshot of the database."""
        with self.db.connect() as conn:
            if self.shared:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with Session(bind=conn) as s:
                return _delta(s, since, programme)

    def clock_offset(self) -> tuple[float, float]:
        """PostgreSQL's clock minus this machine's, in seconds, and half the round trip
        (the bound on the measurement's error)."""
        with Session(self.db) as s:
            t0 = time.time()
            db = float(s.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one())
            t1 = time.time()
        return db - (t0 + t1) / 2, (t1 - t0) / 2

    def notify_channel(self) -> str:
        """The LISTEN/NOTIFY channel of this database and schema (tests share one server)."""
        with Session(self.db) as s:
            where = s.execute(text("SELECT current_database() || '.' || current_schema()"))
            ident = str(where.scalar_one())
        return "podium_" + hashlib.sha256(ident.encode()).hexdigest()[:16]

    def recent_replies(self, limit: int) -> Iterator[Logged]:
        """The last ``limit`` logged (client key, command id, name, args, reply), oldest first."""
        with Session(self.db) as s:
            rows = list(
                s.exec(
                    select(CommandLogRow)
                    .order_by(CommandLogRow.seq.desc())  # type: ignore[union-attr]
                    .limit(max(0, limit))
                )
            )
        for r in reversed(rows):
            yield r.client_key, r.command_id, r.name, json.loads(r.args), json.loads(r.reply)

    def reply(
        self, client_key: str, command_id: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        """The logged (name, args, reply) of one command, if it was ever answered."""
        with Session(self.db) as s:
            row = s.exec(
                select(CommandLogRow.name, CommandLogRow.args, CommandLogRow.reply)
                .where(CommandLogRow.client_key == client_key)
                .where(CommandLogRow.command_id == command_id)
                .limit(1)
            ).first()
        return None if row is None else (row[0], json.loads(row[1]), json.loads(row[2]))

    def reply_count(self) -> int:
        """How many replies the log holds."""
        with Session(self.db) as s:
            return int(s.exec(select(func.count()).select_from(CommandLogRow)).one())

    def command_log(self) -> list[LogEntry]:
        """Every logged command, in order."""
        with Session(self.db) as s:
            rows = list(s.exec(select(CommandLogRow).order_by(CommandLogRow.seq)))  # type: ignore[arg-type]
        return [
            LogEntry(
                at=datetime.fromisoformat(r.at),
                role=r.role,
                client_key=r.client_key,
                command_id=r.command_id,
                name=r.name,
                args=json.loads(r.args),
                ok=r.ok,
                reply=json.loads(r.reply),
                revision=r.revision,
            )
            for r in rows
        ]


def _write(
    s: Session, state: State, changed: Iterable[Change], log: Iterable[LogEntry], revision: int
) -> None:
    """Write the records ``changed`` names, the log lines and the revision (not committed)."""
    # Questions before votes: a vote row needs its question's row.
    for change in in_write_order(changed):
        match change:
            case LiveChanged():
                s.merge(LiveRow(id=1, data=json.dumps(state.live.to_dict())))
            case NoteChanged(item_id):
                n = state.notes[item_id]
                s.merge(
                    NoteRow(
                        item_id=n.item_id,
                        text=n.text,
                        audience=n.audience,
                        updated_at=n.updated_at.isoformat(),
                    )
                )
            case QuestionChanged(qid):
                s.merge(_question_row(state.questions[qid]))
            case VotesChanged(qid):
                s.flush()  # the question row must exist before its votes
                s.exec(delete(VoteRow).where(VoteRow.question_id == qid))  # type: ignore[arg-type]
                for client in sorted(state.votes.get(qid, ())):
                    source = state.sources.get(client, "")
                    s.add(VoteRow(question_id=qid, client_id=client, source=source))
    for e in log:
        s.add(
            CommandLogRow(
                at=e.at.isoformat(),
                role=e.role,
                client_key=e.client_key,
                command_id=e.command_id,
                name=e.name,
                args=json.dumps(e.args, ensure_ascii=False),
                ok=e.ok,
                reply=json.dumps(e.reply, ensure_ascii=False),
                revision=e.revision,
            )
        )
    s.merge(MetaRow(key="revision", value=str(revision)))


def _load_state(s: Session, programme: Programme) -> tuple[State, int]:
    live_row = s.get(LiveRow, 1)
    live = Live.from_dict(json.loads(live_row.data)) if live_row else Live()
    notes = {r.item_id: _note(r) for r in s.exec(select(NoteRow))}
    questions = {r.id: _question(r) for r in s.exec(select(QuestionRow))}
    sources = {q.client_id: q.source for q in questions.values() if q.source}
    votes: dict[str, set[str]] = {}
    for v in s.exec(select(VoteRow)):
        votes.setdefault(v.question_id, set()).add(v.client_id)
        if v.source:
            sources[v.client_id] = v.source
    rev = s.get(MetaRow, "revision")
    state = State(
        programme=programme,
        live=live,
        notes=MappingProxyType(notes),
        questions=MappingProxyType(questions),
        votes=MappingProxyType({k: frozenset(v) for k, v in votes.items()}),
        sources=MappingProxyType(sources),
    )
    return state, int(rev.value) if rev else 0


def _note(r: NoteRow) -> Note:
    return Note(r.item_id, r.text, r.audience, datetime.fromisoformat(r.updated_at))


def change_keys(changed: Iterable[Change]) -> list[list[str]]:
    """The changes as JSON-able keys (what :class:`ChangeRow` stores)."""
    keys: list[list[str]] = []
    for change in in_write_order(changed):
        match change:
            case LiveChanged():
                keys.append(["live"])
            case NoteChanged(item_id):
                keys.append(["note", item_id])
            case QuestionChanged(qid):
                keys.append(["question", qid])
            case VotesChanged(qid):
                keys.append(["votes", qid])
    return keys


class Locked:
    """The transaction :meth:`Store.locked` holds: read what others did, write, commit."""

    def __init__(self, s: Session, revision: int) -> None:
        self.s = s
        self.revision = revision  # the global revision, as committed before this one

    def delta(self, since: int, programme: Programme) -> Delta | None:
        return _delta(self.s, since, programme)

    def answered(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Logged]:
        """Which of these (client key, command id) some process already logged, with what."""
        wanted = set(keys)
        if not wanted:
            return {}
        rows = self.s.exec(  # by client key first: that column is indexed
            select(CommandLogRow)
            .where(CommandLogRow.client_key.in_(sorted({k for k, _ in wanted})))  # type: ignore[attr-defined]
            .where(CommandLogRow.command_id.in_(sorted({c for _, c in wanted})))  # type: ignore[attr-defined]
        )
        out: dict[tuple[str, str], Logged] = {}
        for r in rows:
            key = (r.client_key, r.command_id)
            if key in wanted and key not in out:
                out[key] = (
                    r.client_key,
                    r.command_id,
                    r.name,
                    json.loads(r.args),
                    json.loads(r.reply),
                )
        return out

    def write(
        self,
        state: State,
        changed: Iterable[Change],
        log: Iterable[LogEntry],
        revision: int,
        channel: str,
        *,
        programme: bool = False,
    ) -> None:
        """Write a batch under this revision and say so on ``channel`` (sent at commit)."""
        changed = list(changed)
        _write(self.s, state, changed, log, revision)
        keys = change_keys(changed) + ([["programme"]] if programme else [])
        self.s.add(ChangeRow(revision=revision, since=self.revision, changes=json.dumps(keys)))
        self.s.execute(text("SELECT pg_notify(:ch, :rev)"), {"ch": channel, "rev": str(revision)})

    def get_meta(self, key: str) -> str | None:
        row = self.s.get(MetaRow, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.s.merge(MetaRow(key=key, value=value))

    def commit(self) -> None:
        self.s.commit()


def _delta(s: Session, since: int, programme: Programme) -> Delta | None:
    """The records changed after ``since``, as they are now; everything when the change
    rows do not chain back to ``since`` (a process that was away too long)."""
    row = s.get(MetaRow, "revision")
    revision = int(row.value) if row else 0
    if revision <= since:
        return None
    rows = list(
        s.exec(select(ChangeRow).where(ChangeRow.revision > since).order_by(ChangeRow.revision))  # type: ignore[arg-type]
    )
    keys: set[tuple[str, ...]] = set()
    at = since
    for r in rows:
        if r.since != at:
            break
        at = r.revision
        keys |= {tuple(k) for k in json.loads(r.changes)}
    if at != revision:
        state, revision = _load_state(s, _stored_programme(s) or programme)
        return Delta(revision=revision, whole=state)
    new_programme = _stored_programme(s) if ("programme",) in keys else None
    live_row = s.get(LiveRow, 1) if ("live",) in keys else None
    note_ids = [k[1] for k in keys if k[0] == "note"]
    question_ids = [k[1] for k in keys if k[0] == "question"]
    vote_ids = [k[1] for k in keys if k[0] == "votes"]
    notes = {r.item_id: _note(r) for r in _rows(s, NoteRow, NoteRow.item_id, note_ids)}
    questions = {r.id: _question(r) for r in _rows(s, QuestionRow, QuestionRow.id, question_ids)}
    votes: dict[str, set[str]] = {qid: set() for qid in vote_ids}
    sources = {q.client_id: q.source for q in questions.values() if q.source}
    for v in _rows(s, VoteRow, VoteRow.question_id, vote_ids):
        votes[v.question_id].add(v.client_id)
        if v.source:
            sources[v.client_id] = v.source
    return Delta(
        revision=revision,
        programme=new_programme,
        live=Live.from_dict(json.loads(live_row.data)) if live_row else None,
        notes=notes,
        questions=questions,
        votes={k: frozenset(v) for k, v in votes.items()},
        sources=sources,
    )


def _rows(s: Session, table: Any, column: Any, ids: list[str]) -> list[Any]:
    if not ids:
        return []
    return list(s.exec(select(table).where(column.in_(ids))))


def _stored_programme(s: Session) -> Programme | None:
    row = s.get(ProgrammeRow, 1)
    return Programme.from_dict(json.loads(row.data)) if row else None


def _question(r: QuestionRow) -> Question:
    return Question(
        id=r.id,
        item_id=r.item_id,
        text=r.text,
        original_text=r.original_text,
        status=r.status,
        client_id=r.client_id,
        created_at=datetime.fromisoformat(r.created_at),
        updated_at=datetime.fromisoformat(r.updated_at),
        name=r.name,
        organisation=r.organisation,
        source=r.source,
    )


def _question_row(q: Question) -> QuestionRow:
    return QuestionRow(
        id=q.id,
        item_id=q.item_id,
        text=q.text,
        original_text=q.original_text,
        status=q.status,
        client_id=q.client_id,
        name=q.name,
        organisation=q.organisation,
        source=q.source,
        created_at=q.created_at.isoformat(),
        updated_at=q.updated_at.isoformat(),
    )
