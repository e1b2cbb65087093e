"""The programme: its model and its file formats."""

from server.programme.importer import load_file, read_programme_file
from server.programme.model import KINDS, Event, Item, Programme, Room, Speaker
from server.programme.native import Problem, ProgrammeError, default_programme, loads

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
    "read_programme_file",
]
