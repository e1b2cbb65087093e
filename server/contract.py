"""The wire contract, shared by the server and every client: names, codes, shapes.

Standard library only (no pydantic, no websockets, no database): a hall screen on a
Raspberry Pi imports this module and nothing else of the server, and it loads in a
few milliseconds. :mod:`server.protocol` builds the server's validating models on it;
``kiosk`` imports it, so both sides spell every message type, command, role, error
code and item kind the same way. A new command is added to :class:`CommandName`
here, to ``server.protocol.COMMANDS`` and to the rules, and documented in
docs/protocol.md (a test checks all four agree).
"""

# No ``from __future__ import annotations`` here: TypedDict must see NotRequired itself.
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

PROTOCOL_VERSION = 1
#: The largest frame a client must accept (Podium's clients refuse larger ones). The server
#: keeps every snapshot under it: a programme of at most 2 MiB, the moderator's queue
#: windowed (docs/reliability.md).
MAX_FRAME_BYTES = 4 * 1024 * 1024


class Role(StrEnum):
    """Who a connection is; fixed by its hello."""

    HALL = "hall"
    STAGE = "stage"
    MODERATOR = "moderator"
    ATTENDEE = "attendee"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
#: Roles that must give a token in their hello.
TOKEN_ROLES: frozenset[str] = frozenset({Role.MODERATOR, Role.STAGE})


class MessageType(StrEnum):
    """The ``type`` of every message, in both directions."""

    # client -> server
    HELLO = "hello"
    COMMAND = "command"
    RESYNC = "resync"
    PING = "ping"
    # server -> client
    WELCOME = "welcome"
    SNAPSHOT = "snapshot"
    UPDATE = "update"
    MINE = "mine"
    PRESENCE = "presence"
    ACK = "ack"
    ERROR = "error"
    PONG = "pong"


class CommandName(StrEnum):
    """Every command a client may send (docs/protocol.md describes each one)."""

    # attendee
    SUBMIT_QUESTION = "submit_question"
    VOTE = "vote"
    UNVOTE = "unvote"
    # moderator: the live state
    GO_LIVE = "go_live"
    NEXT = "next"
    PREVIOUS = "previous"
    FOLLOW_CLOCK = "follow_clock"
    SET_DELAY = "set_delay"
    SHIFT_DELAY = "shift_delay"
    EXTEND = "extend"
    # moderator: messages and notes
    SET_HALL_MESSAGE = "set_hall_message"
    CLEAR_HALL_MESSAGE = "clear_hall_message"
    SET_STAGE_MESSAGE = "set_stage_message"
    CLEAR_STAGE_MESSAGE = "clear_stage_message"
    SAVE_NOTE = "save_note"
    # moderator: questions
    OPEN_QUESTIONS = "open_questions"
    CLOSE_QUESTIONS = "close_questions"
    APPROVE_QUESTION = "approve_question"
    REJECT_QUESTION = "reject_question"
    EDIT_QUESTION = "edit_question"
    SHOW_QUESTION = "show_question"
    HIDE_QUESTION = "hide_question"
    ANSWER_QUESTION = "answer_question"
    REJECT_PENDING = "reject_pending"  # clear a flood: every pending question like one
    # rehearsals
    JUMP_CLOCK = "jump_clock"


class QuestionStatus(StrEnum):
    """Where a question is in its life."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ON_SCREEN = "on_screen"
    ANSWERED = "answered"


#: Statuses the public (hall, attendees) may see.
PUBLIC_STATUSES: frozenset[str] = frozenset(
    {QuestionStatus.APPROVED, QuestionStatus.ON_SCREEN, QuestionStatus.ANSWERED}
)

#: The kinds of programme item Podium knows; screens pick their layout by kind.
KINDS: tuple[str, ...] = (
    "welcome",
    "talk",
    "panel",
    "break",
    "lunch",
    "campaign",
    "closing",
    "other",
)
#: Kinds during which nothing happens on stage (the hall shows the break screen).
PAUSE_KINDS: frozenset[str] = frozenset({"break", "lunch"})

#: A room's phase: what its hall screen shows.
PHASES: tuple[str, ...] = ("before", "live", "break", "between", "after")

# --- text -------------------------------------------------------------------------

#: Characters no text may hold, whoever wrote it (an attendee, the moderator, a programme
#: file): C0 controls but tab and newline, DEL, C1 controls (CSI, OSC: what a terminal acts
#: on), the bidi overrides and isolates that reorder a line, interlinear annotations and the
#: noncharacters U+FFFE/U+FFFF. A character class for ``re``; the server refuses them, an
#: import drops them, and every screen drops them again before display.
CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ufffe\uffff"
#: Lone surrogates: no UTF-8 can carry them (a JSON escape can).
SURROGATES = "\ud800-\udfff"

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
    "address_limit": (
        "Der kommer mange spørgsmål eller stemmer fra dit netværk lige nu – prøv igen om et minut.",
        "Many questions or votes are coming from your network right now – try again in a minute.",
    ),
    "not_rehearsal": (
        "Uret kan kun flyttes på en prøve (podium serve --clock …).",
        "The clock can only be moved in a rehearsal (podium serve --clock …).",
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
    "room_only": (
        "Din kode gælder kun én sal – det her hører til en anden.",
        "Your token is for one room only – this belongs to another.",
    ),
    "bad_status": (
        "Det kan ikke gøres med spørgsmålet nu.",
        "That cannot be done with the question now.",
    ),
    "no_next": ("Der er intet næste punkt.", "There is no next item."),
    "no_previous": ("Der er intet forrige punkt.", "There is no previous item."),
    "nothing_live": ("Intet punkt er i gang.", "Nothing is live."),
    "out_of_range": ("Værdien er uden for det tilladte område.", "The value is out of range."),
    "duplicate_id": (
        "Kommando-id'et er brugt til en anden kommando.",
        "The command id was used for another command.",
    ),
    "internal_error": (
        "Serveren kunne ikke udføre kommandoen – den er ikke gennemført.",
        "The server could not carry out the command – it was not done.",
    ),
    "storage_error": (
        "Ændringen kunne ikke gemmes – prøv igen.",
        "The change could not be stored – try again.",
    ),
}

#: Errors after which a client must not reconnect and try again: it would be refused again.
FATAL_ERRORS: frozenset[str] = frozenset(
    {"bad_token", "protocol_version", "bad_hello", "unknown_room", "room_only"}
)

#: Codes a client makes up itself for a command that never got an answer (never on the wire).
LOCAL_ERRORS: frozenset[str] = frozenset({"offline", "timeout"})


#: Messages that name their detail, a question's status, in words.
WITH_STATUS: dict[str, tuple[str, str]] = {
    "bad_status": (
        "Det kan ikke gøres med spørgsmålet, mens det er {status}.",
        "That cannot be done with the question while it is {status}.",
    ),
}

#: A question's status in words.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "pending": ("ventende", "pending"),
    "approved": ("godkendt", "approved"),
    "on_screen": ("på skærmen", "on the screen"),
    "answered": ("besvaret", "answered"),
    "rejected": ("afvist", "rejected"),
}


#: ``unknown_room`` with the room asked for and the rooms there are.
UNKNOWN_ROOM = (
    "Salen «{room}» findes ikke. Salene er: {rooms}.",
    "The room «{room}» does not exist. The rooms are: {rooms}.",
)


def room_detail(room: str, rooms: str) -> str:
    """The detail of an ``unknown_room`` error (see :func:`error_message`)."""
    shown = "".join(ch for ch in room[:64] if ch.isprintable())
    return f"{shown}\n{rooms}"


def error_message(code: str, lang: str = "da", detail: str = "") -> str:
    """The human message for an error code, in Danish (default) or English, with its
    detail: a question's status in words, anything else in parentheses."""
    i = 1 if lang == "en" else 0
    if code == "unknown_room" and "\n" in detail:  # "the name\nthe rooms", from room_detail()
        room, rooms = detail.split("\n", 1)
        return UNKNOWN_ROOM[i].format(room=room, rooms=rooms)
    if code in WITH_STATUS and detail in STATUS_WORDS:
        return WITH_STATUS[code][i].format(status=STATUS_WORDS[detail][i])
    text = ERRORS.get(code, ("Ukendt fejl.", "Unknown error."))[i]
    return f"{text} ({detail})" if detail else text


#: How a question list is ordered, by role (the server sends it so; a client that applies
#: a ``patch`` sorts again with the same key).
def question_order(
    role: str, question: dict[str, Any], live_item: str | None = None
) -> tuple[Any, ...]:
    """The sort key of one question payload in the ``questions`` list of ``role``: the
    questions to the room's live item (``current.id``) first, then the moderator's newest
    first, the attendee's by most votes, then oldest."""
    created = str(question.get("created_at", ""))
    qid = str(question.get("id", ""))
    elsewhere = 0 if live_item is not None and question.get("item_id") == live_item else 1
    if role == Role.MODERATOR:
        return (elsewhere, _inverted(created), _inverted(qid))
    votes = question.get("votes")
    count = votes if isinstance(votes, int) and not isinstance(votes, bool) else 0
    return (elsewhere, -count, created, qid)


def _inverted(text: str) -> tuple[int, ...]:
    """A key that sorts strings in reverse order inside an ascending sort."""
    return (*(-ord(ch) for ch in text), 1)


# --- payloads ----------------------------------------------------------------------


class SpeakerPayload(TypedDict):
    name: str
    role: str
    organisation: str


class ItemPayload(TypedDict):
    """A programme item as sent in ``programme``, ``current`` and ``next``."""

    id: str
    title: str
    kind: str
    start: str  # ISO 8601 local time with offset, as planned
    end: str
    expected_start: str  # with the delay
    expected_end: str
    speakers: list[SpeakerPayload]
    room: str
    questions: bool  # takes questions by the programme
    questions_open: bool  # takes them now (the moderator may open or close)
    description: NotRequired[str]
    insights: NotRequired[list[str]]
    elapsed_s: NotRequired[int]  # ``current`` only
    remaining_s: NotRequired[int]
    overrun_s: NotRequired[int]


class QuestionPayload(TypedDict):
    id: str
    item_id: str
    text: str
    status: str
    votes: int
    created_at: str
    name: NotRequired[str]
    organisation: NotRequired[str]
    original_text: NotRequired[str]  # moderator only
    edited: NotRequired[bool]
    updated_at: NotRequired[str]
    client: NotRequired[str]  # moderator only: the end of the sender's client id
    source: NotRequired[str]  # moderator only: the sender's address
    votes_top_source: NotRequired["VotesSourcePayload"]  # moderator only


class VotesSourcePayload(TypedDict):
    address: str  # the address most of a question's votes came from
    votes: int  # how many came from it


class MessagePayload(TypedDict):
    text: str
    set_at: str
    expires_at: str | None
    until_item: NotRequired[str]  # a stage message that goes when this item ends


class HelloMessage(TypedDict):
    type: Literal["hello"]
    protocol: int
    role: str
    lang: NotRequired[str]
    token: NotRequired[str]
    client_id: NotRequired[str]
    room: NotRequired[str]
    foyer: NotRequired[bool]


class CommandMessage(TypedDict):
    type: Literal["command"]
    id: str
    name: str
    args: dict[str, Any]


class AckMessage(TypedDict):
    type: Literal["ack"]
    id: str
    revision: int
    result: dict[str, Any]


class ErrorMessage(TypedDict):
    type: Literal["error"]
    id: str | None
    code: str
    message: str


def hello(
    role: str,
    *,
    lang: str = "da",
    token: str | None = None,
    client_id: str | None = None,
    room: str | None = None,
    foyer: bool = False,
) -> HelloMessage:
    """A client's first message (``foyer``: a hall showing every room)."""
    msg: HelloMessage = {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "role": role,
        "lang": lang,
    }
    if token:
        msg["token"] = token
    if client_id:
        msg["client_id"] = client_id
    if room:
        msg["room"] = room
    if foyer:
        msg["foyer"] = True
    return msg


def command(command_id: str, name: CommandName | str, args: dict[str, Any]) -> CommandMessage:
    """A command envelope."""
    return {"type": "command", "id": command_id, "name": str(name), "args": args}


def error(code: str, message: str, command_id: str | None = None) -> ErrorMessage:
    """An error envelope (the server's, or a client's own for ``offline``/``timeout``)."""
    return {"type": "error", "id": command_id, "code": code, "message": message}


# --- the attendees' page's address (welcome.public_url) ---------------------------------

#: The "room" of a foyer screen's session (a hall whose hello says ``foyer: true``).
FOYER = "*"

#: The longest ``public_url`` (or ``--allow-origin``) taken.
MAX_URL_CHARS = 200


class BadUrl(ValueError):
    """A ``--public-url`` or ``--allow-origin`` that is not an http(s) address."""


def check_url(value: str) -> str:
    """``value`` as an http(s) address with a host and a path ending in "/".

    Raises:
        BadUrl: not http(s), no host, a query or fragment, control characters, too long.
    """
    value = value.strip()
    if not value or len(value) > MAX_URL_CHARS or any(ord(c) < 33 for c in value):
        raise BadUrl(value)
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise BadUrl(value) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadUrl(value)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BadUrl(value)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc.lower()}{path}"


def origin_of(url: str) -> str:
    """The browser Origin of ``url`` ("http://192.168.1.10:8765")."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    default = {"http": ":80", "https": ":443"}.get(parts.scheme, "")
    if default and netloc.endswith(default):
        netloc = netloc.removesuffix(default)  # browsers leave the default port out
    return f"{parts.scheme}://{netloc}"


def short(url: str) -> str:
    """The address as said aloud or written under a code: no scheme, no trailing "/"."""
    parts = urlsplit(url)
    rest = parts.path.rstrip("/")
    return parts.netloc + rest
