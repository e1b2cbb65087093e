"""What a command changed, as small typed values: the rules say it, storage writes it.

Pure data. The rules (:mod:`server.state`) return a set of these with each new state;
the repository writes exactly the records they name, and the sequencer learns from them
whose own questions changed. What each role is *sent* is decided elsewhere, once: the
hub compares each group's view with the one it last sent (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LiveChanged:
    """The live record: rooms (mode, live item, delay, extensions), messages, on screen,
    questions open or closed."""


@dataclass(frozen=True, slots=True)
class NoteChanged:
    """The moderator's note on one item."""

    item_id: str


@dataclass(frozen=True, slots=True)
class QuestionChanged:
    """One question: new, or its text or status changed."""

    question_id: str


@dataclass(frozen=True, slots=True)
class VotesChanged:
    """The votes on one question."""

    question_id: str


Change = LiveChanged | NoteChanged | QuestionChanged | VotesChanged

#: The one value of :class:`LiveChanged` (it carries nothing).
LIVE = LiveChanged()


def _rank(change: Change) -> tuple[int, str]:
    match change:
        case LiveChanged():
            return (0, "")
        case NoteChanged(item_id):
            return (1, item_id)
        case QuestionChanged(qid):
            return (2, qid)
        case VotesChanged(qid):
            return (3, qid)


def in_write_order(changes: Iterable[Change]) -> list[Change]:
    """Each change once, questions before votes (a vote's row needs its question's row)."""
    return sorted(set(changes), key=_rank)
