"""The programme: its model and its file formats."""

from server.programme.model import KINDS, Event, Item, Programme, Room, Speaker
from server.programme.native import Problem, ProgrammeError, default_programme, load_file, loads

__all__ = [
    "KINDS",
    "Event",
    "Item",
    "Problem",
    "Programme",
    "ProgrammeError",
    "Room",
    "Speaker",
    "default_programme",
    "load_file",
    "loads",
]
