"""The SQLModel tables. Times are stored as ISO 8601 text with their offset."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class MetaRow(SQLModel, table=True):
    __tablename__ = "podium_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class ProgrammeRow(SQLModel, table=True):
    __tablename__ = "podium_programme"
    id: int = Field(default=1, primary_key=True)
    data: str  # JSON of Programme.to_dict()
    updated_at: str


class LiveRow(SQLModel, table=True):
    __tablename__ = "podium_live"
    id: int = Field(default=1, primary_key=True)
    data: str  # JSON of Live.to_dict()


class NoteRow(SQLModel, table=True):
    __tablename__ = "podium_note"
    item_id: str = Field(primary_key=True, max_length=64)
    text: str
    audience: str = Field(max_length=16)
    updated_at: str


class QuestionRow(SQLModel, table=True):
    __tablename__ = "podium_question"
    id: str = Field(primary_key=True, max_length=64)
    item_id: str = Field(index=True, max_length=64)
    text: str
    original_text: str
    status: str = Field(max_length=16)
    client_id: str = Field(index=True, max_length=64)
    name: str = ""
    organisation: str = ""
    source: str = Field(default="", max_length=64)  # the sender's address
    created_at: str
    updated_at: str


class VoteRow(SQLModel, table=True):
    __tablename__ = "podium_vote"
    question_id: str = Field(primary_key=True, foreign_key="podium_question.id", max_length=64)
    client_id: str = Field(primary_key=True, max_length=64)
    source: str = Field(default="", max_length=64)  # the voter's address


class CommandLogRow(SQLModel, table=True):
    """The append-only log of every command that reached the rules."""

    __tablename__ = "podium_command_log"
    seq: int | None = Field(default=None, primary_key=True)
    at: str
    role: str = Field(max_length=16)
    client_key: str = Field(index=True, max_length=140)
    command_id: str = Field(max_length=64)
    name: str = Field(max_length=64)
    args: str  # JSON
    ok: bool
    reply: str  # JSON of the ack or error sent back
    revision: int


class ChangeRow(SQLModel, table=True):
    """What one commit changed, for the other server processes on the same PostgreSQL
    database: they read the records it names (server/cluster.py). ``since`` is the revision
    before the commit, ``revision`` the one after; the rows chain without gaps."""

    __tablename__ = "podium_change"
    revision: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    since: int
    changes: str  # JSON: [["live"], ["note", id], ["question", id], ["votes", id], ["programme"]]


#: Columns added after the first release: (table, column, SQL type and default). A
#: database made by an older Podium gets them at start (see ``Store.__init__``).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("podium_question", "source", "VARCHAR(64) NOT NULL DEFAULT ''"),
    ("podium_vote", "source", "VARCHAR(64) NOT NULL DEFAULT ''"),
)
