"""The wire protocol: message envelopes, command arguments, limits and error codes.

Pure code: no websockets, no database, no Textual. The server decodes every frame
with :func:`decode_frame` and :func:`parse_command`; the clients import the names
and error texts from here. Documented for other tools in docs/protocol.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROTOCOL_VERSION = 1
ROLES: tuple[str, ...] = ("hall", "stage", "moderator", "attendee")
TOKEN_ROLES: frozenset[str] = frozenset({"moderator", "stage"})


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
    hello_timeout_s: float = 5.0
    max_errors: int = 20
    max_connections: int = 5000
    max_connections_per_ip: int = 1000
    delay_min: int = -120
    delay_max: int = 600
    extend_max: int = 120
    message_max_seconds: int = 24 * 3600


DEFAULT_LIMITS = Limits()

# --- error codes -------------------------------------------------------------------

#: Every error code the server sends, with its human message in Danish and English.
ERRORS: dict[str, tuple[str, str]] = {
    "bad_json": ("Beskeden er ikke gyldig JSON.", "The message is not valid JSON."),
    "not_object": ("Beskeden skal være et JSON-objekt.", "The message must be a JSON object."),
    "too_large": ("Beskeden er for stor.", "The message is too large."),
    "unknown_type": ("Ukendt beskedtype.", "Unknown message type."),
    "hello_required": ("Send hello først.", "Send hello first."),
    "hello_timeout": ("Ingen hello inden for tidsfristen.", "No hello in time."),
    "bad_hello": ("Ugyldig hello.", "Invalid hello."),
    "protocol_version": ("Protokolversionen understøttes ikke.", "Unsupported protocol version."),
    "bad_token": ("Forkert adgangskode.", "Wrong token."),
    "unknown_command": ("Ukendt kommando.", "Unknown command."),
    "bad_args": ("Ugyldige argumenter til kommandoen.", "Invalid command arguments."),
    "forbidden": (
        "Din rolle må ikke sende denne kommando.",
        "Your role may not send this command.",
    ),
    "rate_limited": (
        "For mange kommandoer – vent et øjeblik.",
        "Too many commands – wait a moment.",
    ),
    "too_many_questions": (
        "Du har stillet mange spørgsmål på kort tid – vent lidt, og prøv igen.",
        "You have asked many questions in a short time – wait and try again.",
    ),
    "empty_text": ("Teksten er tom.", "The text is empty."),
    "text_too_long": ("Teksten er for lang.", "The text is too long."),
    "bad_characters": (
        "Teksten indeholder kontroltegn eller ugyldige tegn.",
        "The text contains control characters or invalid characters.",
    ),
    "questions_closed": (
        "Der er ikke åbnet for spørgsmål til dette punkt.",
        "Questions are not open for this item.",
    ),
    "unknown_item": ("Punktet findes ikke i programmet.", "The item is not in the programme."),
    "unknown_question": ("Spørgsmålet findes ikke.", "The question does not exist."),
    "unknown_room": ("Salen findes ikke.", "The room does not exist."),
    "bad_status": (
        "Spørgsmålet kan ikke dette i sin nuværende status.",
        "The question cannot do that in its current status.",
    ),
    "no_next": ("Der er intet næste punkt.", "There is no next item."),
    "no_previous": ("Der er intet forrige punkt.", "There is no previous item."),
    "nothing_live": ("Intet punkt er i gang.", "Nothing is live."),
    "out_of_range": ("Værdien er uden for det tilladte område.", "The value is out of range."),
    "duplicate_id": (
        "Kommando-id'et er brugt til en anden kommando.",
        "The command id was used for another command.",
    ),
    "storage_error": (
        "Ændringen kunne ikke gemmes – prøv igen.",
        "The change could not be stored – try again.",
    ),
}


def error_message(code: str, lang: str = "da") -> str:
    """The human message for an error code, in Danish (default) or English."""
    da, en = ERRORS.get(code, ("Ukendt fejl.", "Unknown error."))
    return en if lang == "en" else da


class ProtocolError(Exception):
    """Input that breaks the protocol; ``code`` is one of :data:`ERRORS`."""

    def __init__(self, code: str, detail: str = "", command_id: str | None = None) -> None:
        assert code in ERRORS, code
        self.code = code
        self.detail = detail
        self.command_id = command_id
        super().__init__(f"{code}: {detail}" if detail else code)

    def message(self, lang: str = "da") -> str:
        text = error_message(self.code, lang)
        return f"{text} ({self.detail})" if self.detail else text


# --- text hygiene ------------------------------------------------------------------

# C0 controls (but tab and newline), DEL, C1 controls (which include CSI and OSC),
# lone surrogates, and the bidi overrides and isolates that can reorder a line.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]"
)
_BAD_CHARS_ONE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]"
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
    if required and not stripped:
        raise ProtocolError("empty_text")
    if len(stripped) > max_chars:
        raise ProtocolError(
            "text_too_long", f"højst {max_chars} tegn / at most {max_chars} characters"
        )
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


class StageMessageArgs(_Strict):
    text: str = Field(max_length=10_000)


class SaveNoteArgs(_Strict):
    item_id: str = Field(min_length=1, max_length=64)
    text: str = Field(max_length=100_000)
    audience: Literal["moderator", "stage"] = "moderator"


class HideQuestionArgs(_Strict):
    room: str | None = Field(default=None, max_length=64)


ATTENDEE = frozenset({"attendee"})
MODERATOR = frozenset({"moderator"})

#: command name -> (roles that may send it, its argument model)
COMMANDS: dict[str, tuple[frozenset[str], type[_Strict]]] = {
    "submit_question": (ATTENDEE, SubmitQuestionArgs),
    "vote": (ATTENDEE, QuestionArgs),
    "unvote": (ATTENDEE, QuestionArgs),
    "go_live": (MODERATOR, ItemArgs),
    "next": (MODERATOR, RoomArgs),
    "previous": (MODERATOR, RoomArgs),
    "follow_clock": (MODERATOR, RoomArgs),
    "set_delay": (MODERATOR, MinutesArgs),
    "shift_delay": (MODERATOR, MinutesArgs),
    "extend": (MODERATOR, MinutesArgs),
    "set_hall_message": (MODERATOR, HallMessageArgs),
    "clear_hall_message": (MODERATOR, NoArgs),
    "set_stage_message": (MODERATOR, StageMessageArgs),
    "clear_stage_message": (MODERATOR, NoArgs),
    "save_note": (MODERATOR, SaveNoteArgs),
    "open_questions": (MODERATOR, ItemArgs),
    "close_questions": (MODERATOR, ItemArgs),
    "approve_question": (MODERATOR, QuestionArgs),
    "reject_question": (MODERATOR, QuestionArgs),
    "edit_question": (MODERATOR, EditQuestionArgs),
    "show_question": (MODERATOR, QuestionArgs),
    "hide_question": (MODERATOR, HideQuestionArgs),
    "answer_question": (MODERATOR, QuestionArgs),
}


@dataclass(frozen=True)
class Command:
    """A decoded, validated command (arguments checked for shape, not yet for meaning)."""

    id: str
    name: str
    args: _Strict

    def raw_args(self) -> dict[str, Any]:
        return self.args.model_dump(exclude_none=True)


def decode_frame(frame: str | bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Decode one text frame into a JSON object.

    Raises:
        ProtocolError: ``too_large``, ``bad_json`` or ``not_object``.
    """
    if len(frame) > limits.max_frame_bytes:
        raise ProtocolError("too_large", f"> {limits.max_frame_bytes} bytes")
    try:
        data = json.loads(frame)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_json") from None
    if not isinstance(data, dict):
        raise ProtocolError("not_object")
    text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
    if "\\ud" in text.lower():  # a \u escape may carry a lone surrogate
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
    return cid if isinstance(cid, str) and 0 < len(cid) <= 64 else None


def encode(message: dict[str, Any]) -> str:
    """Encode a message as compact JSON text (UTF-8 on the wire)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def error(code: str, message: str, command_id: str | None = None) -> dict[str, Any]:
    """An error message envelope."""
    return {"type": "error", "id": command_id, "code": code, "message": message}
