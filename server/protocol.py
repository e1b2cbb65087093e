"""The server's side of the wire protocol: validating models, limits, decoding.

Pure code: no websockets, no database, no Textual. The names, codes and shapes both
sides share live in :mod:`server.contract` (no pydantic, for the clients); this
module builds the server's pydantic models and command table on them. The server
decodes every frame with :func:`decode_frame` and :func:`parse_command`.
Documented for other tools in docs/protocol.md.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.contract import (
    CONTROL_CHARS,
    ERRORS,
    PROTOCOL_VERSION,
    SURROGATES,
    CommandName,
    Role,
    error_message,
)
from server.strings import PROTOCOL, say


@dataclass(frozen=True)
class Limits:
    """Every limit the server enforces, with its default. All are configurable."""

    max_frame_bytes: int = 16 * 1024
    question_max_chars: int = 280
    name_max_chars: int = 80
    message_max_chars: int = 280
    note_max_chars: int = 4000
    commands_per_second: float = 10.0
    command_burst: int = 20
    questions_per_minute: int = 5
    # From one address (a NATed hall is one address): see docs/reliability.md.
    questions_per_minute_per_ip: int = 60
    votes_per_minute_per_ip: int = 1200
    # The moderator's snapshot carries every approved, shown or answered question and at
    # most this many of the others (pending, rejected), newest first.
    moderator_queue_max: int = 300
    exports_per_minute_per_ip: int = 60  # /programme.ics and the other exports
    hello_timeout_s: float = 5.0
    max_errors: int = 20
    resync_interval_s: float = 2.0
    max_connections: int = 5000
    max_connections_per_ip: int = 1000
    delay_min: int = -120
    delay_max: int = 600
    extend_max: int = 120
    extend_total_max: int = 240  # one item's extensions together, in minutes
    message_max_seconds: int = 24 * 3600


DEFAULT_LIMITS = Limits()


class ProtocolError(Exception):
    """Input that breaks the protocol; ``code`` is one of :data:`ERRORS`."""

    def __init__(self, code: str, detail: str = "", command_id: str | None = None) -> None:
        assert code in ERRORS, code
        self.code = code
        self.detail = detail
        self.command_id = command_id
        super().__init__(f"{code}: {detail}" if detail else code)

    def message(self, lang: str = "da") -> str:
        return error_message(self.code, lang, self.detail)


# --- text hygiene ------------------------------------------------------------------

# contract.CONTROL_CHARS and lone surrogates; one-line text also no tab, newline or
# line and paragraph separators.
_BAD_CHARS = re.compile(f"[{CONTROL_CHARS}{SURROGATES}]")
_BAD_CHARS_ONE_LINE = re.compile(f"[{CONTROL_CHARS}{SURROGATES}\t\n\u2028\u2029]")
# What shows nothing on a screen: format characters (zero-width space and joiners, BOM,
# soft hyphen, tag characters, …), the Hangul fillers and the braille blank. Text made of
# these and white space alone is empty.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _visible(text: str) -> bool:
    return any(
        not ch.isspace() and ch not in _INVISIBLE and unicodedata.category(ch) != "Cf"
        for ch in text
    )


def clean_text(text: str, max_chars: int, *, multiline: bool = False, required: bool = True) -> str:
    """Check user text and return it stripped.

    Raises:
        ProtocolError: ``empty_text``, ``text_too_long`` or ``bad_characters``.
    """
    pattern = _BAD_CHARS if multiline else _BAD_CHARS_ONE_LINE
    if pattern.search(text):
        raise ProtocolError("bad_characters")
    stripped = text.strip()
    if not _visible(stripped):
        if required:
            raise ProtocolError("empty_text")
        stripped = ""
    if len(stripped) > max_chars:
        da, en = (say(PROTOCOL, lang, "at_most_chars", n=max_chars) for lang in ("da", "en"))
        raise ProtocolError("text_too_long", f"{da} / {en}")
    return stripped


# --- envelopes ---------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Hello(_Strict):
    type: Literal["hello"]
    protocol: int
    role: Literal["hall", "stage", "moderator", "attendee"]
    token: str | None = Field(default=None, max_length=200)
    client_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    room: str | None = Field(default=None, max_length=64)
    lang: Literal["da", "en"] = "da"
    # A hall in the foyer: every room's now and next, and the announcement for all rooms.
    foyer: bool | None = None


class CommandEnvelope(_Strict):
    type: Literal["command"]
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(max_length=64)
    args: dict[str, Any] = Field(default_factory=dict)


# --- command arguments -------------------------------------------------------------


class NoArgs(_Strict):
    pass


class RoomArgs(_Strict):
    room: str | None = Field(default=None, max_length=64)


class ItemArgs(_Strict):
    item_id: str = Field(min_length=1, max_length=64)


class MinutesArgs(_Strict):
    minutes: int
    room: str | None = Field(default=None, max_length=64)


class QuestionArgs(_Strict):
    question_id: str = Field(min_length=1, max_length=64)


class SubmitQuestionArgs(_Strict):
    text: str = Field(max_length=10_000)
    item_id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=10_000)
    organisation: str | None = Field(default=None, max_length=10_000)


class EditQuestionArgs(_Strict):
    question_id: str = Field(min_length=1, max_length=64)
    text: str = Field(max_length=10_000)


class HallMessageArgs(_Strict):
    text: str = Field(max_length=10_000)
    expires_in_s: int | None = None
    room: str | None = Field(default=None, max_length=64)
    # True: on the hall screens of every room (the foyer too); else the room's only. (None,
    # not False, when left out: a command's stored arguments leave out what was not sent.)
    all_rooms: bool | None = None


class ClearHallMessageArgs(_Strict):
    room: str | None = Field(default=None, max_length=64)
    all_rooms: bool | None = None


class StageMessageArgs(_Strict):
    text: str = Field(max_length=10_000)
    # "item_end": it goes when the live item ends (the console's default); "cleared": it
    # stays until the moderator clears it.
    until: Literal["item_end", "cleared"] = "cleared"
    room: str | None = Field(default=None, max_length=64)


class SaveNoteArgs(_Strict):
    item_id: str = Field(min_length=1, max_length=64)
    text: str = Field(max_length=100_000)
    audience: Literal["moderator", "stage"] = "moderator"


class JumpArgs(_Strict):
    minutes: int


class RejectPendingArgs(_Strict):
    """Reject every pending question like ``question_id``: from its client, its address,
    or sent at its time or later."""

    question_id: str = Field(min_length=1, max_length=64)
    scope: Literal["client", "address", "since"]


class HideQuestionArgs(_Strict):
    room: str | None = Field(default=None, max_length=64)


ATTENDEE = frozenset({Role.ATTENDEE.value})
MODERATOR = frozenset({Role.MODERATOR.value})
C = CommandName

#: command name -> (roles that may send it, its argument model)
COMMANDS: dict[str, tuple[frozenset[str], type[_Strict]]] = {
    C.SUBMIT_QUESTION: (ATTENDEE, SubmitQuestionArgs),
    C.VOTE: (ATTENDEE, QuestionArgs),
    C.UNVOTE: (ATTENDEE, QuestionArgs),
    C.GO_LIVE: (MODERATOR, ItemArgs),
    C.NEXT: (MODERATOR, RoomArgs),
    C.PREVIOUS: (MODERATOR, RoomArgs),
    C.FOLLOW_CLOCK: (MODERATOR, RoomArgs),
    C.SET_DELAY: (MODERATOR, MinutesArgs),
    C.SHIFT_DELAY: (MODERATOR, MinutesArgs),
    C.EXTEND: (MODERATOR, MinutesArgs),
    C.SET_HALL_MESSAGE: (MODERATOR, HallMessageArgs),
    C.CLEAR_HALL_MESSAGE: (MODERATOR, ClearHallMessageArgs),
    C.SET_STAGE_MESSAGE: (MODERATOR, StageMessageArgs),
    C.CLEAR_STAGE_MESSAGE: (MODERATOR, RoomArgs),
    C.SAVE_NOTE: (MODERATOR, SaveNoteArgs),
    C.OPEN_QUESTIONS: (MODERATOR, ItemArgs),
    C.CLOSE_QUESTIONS: (MODERATOR, ItemArgs),
    C.APPROVE_QUESTION: (MODERATOR, QuestionArgs),
    C.REJECT_QUESTION: (MODERATOR, QuestionArgs),
    C.EDIT_QUESTION: (MODERATOR, EditQuestionArgs),
    C.SHOW_QUESTION: (MODERATOR, QuestionArgs),
    C.HIDE_QUESTION: (MODERATOR, HideQuestionArgs),
    C.ANSWER_QUESTION: (MODERATOR, QuestionArgs),
    C.REJECT_PENDING: (MODERATOR, RejectPendingArgs),
    C.JUMP_CLOCK: (MODERATOR, JumpArgs),
}


@dataclass(frozen=True)
class Command:
    """A decoded, validated command (arguments checked for shape, not yet for meaning)."""

    id: str
    name: str
    args: _Strict

    def raw_args(self) -> dict[str, Any]:
        return self.args.model_dump(exclude_none=True)


def _size(frame: str | bytes) -> int:
    """The frame's size in UTF-8 bytes (a text frame arrives decoded)."""
    if isinstance(frame, bytes) or frame.isascii():
        return len(frame)
    return len(frame.encode("utf-8", "surrogatepass"))


def decode_frame(frame: str | bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Decode one text frame into a JSON object.

    Raises:
        ProtocolError: ``too_large``, ``bad_json`` or ``not_object``.
    """
    if _size(frame) > limits.max_frame_bytes:  # bytes on the wire: 4,000 emoji are 16 KB
        raise ProtocolError("too_large", f"> {limits.max_frame_bytes} bytes")
    if isinstance(frame, bytes):
        # Strict UTF-8 ourselves: json.loads(bytes) would let a lone surrogate (ED A0 80) in.
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("bad_characters") from None
    try:
        data = json.loads(frame)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_json") from None
    if not isinstance(data, dict):
        raise ProtocolError("not_object")
    if "\\ud" in frame.lower():  # a \u escape may carry a lone surrogate
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ProtocolError("bad_characters", command_id=command_id_of(data)) from None
    return data


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}" if loc else str(err["msg"])


def parse_hello(data: dict[str, Any]) -> Hello:
    """Validate a hello message.

    Raises:
        ProtocolError: ``hello_required``, ``bad_hello`` or ``protocol_version``.
    """
    if data.get("type") != "hello":
        raise ProtocolError("hello_required")
    try:
        hello = Hello.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError("bad_hello", _first_error(exc)) from None
    if hello.protocol != PROTOCOL_VERSION:
        raise ProtocolError("protocol_version", f"server speaks {PROTOCOL_VERSION}")
    return hello


def parse_command(data: dict[str, Any], role: str) -> Command:
    """Validate a command envelope and its arguments for a role.

    Raises:
        ProtocolError: ``bad_args``, ``unknown_command`` or ``forbidden``.
    """
    try:
        env = CommandEnvelope.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError("bad_args", _first_error(exc)) from None
    spec = COMMANDS.get(env.name)
    if spec is None:
        raise ProtocolError("unknown_command", env.name[:64])
    roles, model = spec
    if role not in roles:
        raise ProtocolError("forbidden", env.name)
    try:
        args = model.model_validate(env.args)
    except ValidationError as exc:
        raise ProtocolError("bad_args", _first_error(exc)) from None
    return Command(id=env.id, name=env.name, args=args)


def command_id_of(data: dict[str, Any]) -> str | None:
    """The client's command id, if the message carries a usable one (for error replies)."""
    cid = data.get("id")
    if not isinstance(cid, str) or not 0 < len(cid) <= 64:
        return None
    # An id we cannot echo (a lone surrogate) would break the error reply itself.
    return None if _BAD_CHARS_ONE_LINE.search(cid) else cid


def encode(message: Mapping[str, Any]) -> str:
    """Encode a message as compact JSON text (UTF-8 on the wire)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
