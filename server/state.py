"""The live state and its rules, in one import: the model, the timeline and the commands.

The code lives in :mod:`server.live` (the data), :mod:`server.timeline` (what screens
show at a moment) and :mod:`server.rules` (what each command does); this module gathers
their public names for callers that want all three.
"""

from __future__ import annotations

from server.live import (
    Actor,
    Live,
    Message,
    Note,
    Outcome,
    Question,
    RoomLive,
    State,
)
from server.rules import _RULES, Context, apply, expire_messages, session_room
from server.timeline import Slot, Timeline, question_target, timeline

__all__ = [
    "_RULES",
    "Actor",
    "Context",
    "Live",
    "Message",
    "Note",
    "Outcome",
    "Question",
    "RoomLive",
    "Slot",
    "State",
    "Timeline",
    "apply",
    "expire_messages",
    "question_target",
    "session_room",
    "timeline",
]
