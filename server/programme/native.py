"""Podium's native programme format: a human-editable TOML file.

The format is documented in docs/programme-format.md. Loading is all or nothing:
every problem in the file is collected (with its line, item and field) and reported
together as a :class:`ProgrammeError`; nothing is returned from a bad file.
"""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.contract import CONTROL_CHARS, SURROGATES
from server.programme.model import KINDS, Event, Item, Programme, Room, Speaker
from server.strings import PROGRAMME, WORDS, say

#: Largest programme file we read (a real one is a few tens of KiB).

EVENT_TEXT_FIELDS = (
    "title",
    "subtitle",
    "introduction",
    "venue",
    "entrance",
    "accessibility",
    "price",
    "registration",
    "organiser",
    "organiser_about",
    "contact",
    "moderator",
    "caveat",
    "url",
)
EVENT_FIELDS = frozenset((*EVENT_TEXT_FIELDS, "date", "timezone", "practical"))
ITEM_FIELDS = frozenset(
    (
        "id",
        "start",
        "end",
        "duration",
        "date",
        "title",
        "kind",
        "room",
        "speakers",
        "description",
        "insights",
        "questions",
    )
)
SPEAKER_FIELDS = frozenset(("name", "role", "organisation"))
TOP_FIELDS = frozenset(("event", "rooms", "items"))


#: What no text from a file may hold: the same rules as a question's text.
UNSAFE_TEXT = re.compile(f"[{CONTROL_CHARS}{SURROGATES}]")
_TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})$")


@dataclass(frozen=True)
class Problem:
    """One problem found in a programme file."""

    file: str
    line: int | None
    where: str
    field: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        parts = [loc, self.where] if self.where else [loc]
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.message])


def problem(
    lang: str, file: str, line: int | None, where: str, field: str, key: str, **params: str
) -> Problem:
    return Problem(file, line, where, field, say(PROGRAMME, lang, key, **params), key)


class ProgrammeError(Exception):
    """A programme file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Lines:
    """Finds the line of a table or a key in the raw TOML text, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []
        for n, line in enumerate(self.lines, start=1):
            m = re.match(r"^\s*(\[\[?)\s*([A-Za-z0-9_.]+)\s*\]\]?", line)
            if m:
                self.headers.append((n, m.group(2)))

    def table(self, name: str, index: int = 0) -> int | None:
        found = [n for n, h in self.headers if h == name]
        return found[index] if index < len(found) else None

    def key(self, table_line: int | None, key: str) -> int | None:
        if table_line is None:
            return None
        end = next((n for n, _ in self.headers if n > table_line), len(self.lines) + 1)
        for n in range(table_line + 1, end):
            if re.match(rf"^\s*{re.escape(key)}\s*=", self.lines[n - 1]):
                return n
        return table_line


def _slug(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.lower())
    ascii_ = norm.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    ascii_ = "".join(c for c in ascii_ if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:40] or "item"


def _parse_duration(value: Any) -> timedelta | None:
    """'01:30' (hours and minutes) as a positive duration of at most 24 hours."""
    if isinstance(value, str):
        m = re.match(r"^(\d{1,2}):(\d{2})$", value.strip())
        if m and int(m.group(2)) < 60:
            d = timedelta(hours=int(m.group(1)), minutes=int(m.group(2)))
            if timedelta(0) < d <= timedelta(hours=24):
                return d
    return None


def _parse_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        m = _TIME_RE.match(value.strip())
        if m:
            hh, mm = int(m.group(1)), int(m.group(2))
            if hh < 24 and mm < 60:
                return time(hh, mm)
    return None


class _Loader:
    def __init__(self, text: str, filename: str, lang: str = "da") -> None:
        self.text = text
        self.file = filename
        self.lang = lang
        self.lines = _Lines(text)
        self.problems: list[Problem] = []

    def problem(self, line: int | None, where: str, field: str, key: str, **params: str) -> None:
        self.problems.append(problem(self.lang, self.file, line, where, field, key, **params))

    def word(self, key: str) -> str:
        return WORDS[key][1 if self.lang == "en" else 0]

    def where_item(self, n: int | None, title: str) -> str:
        label = self.word("item") if n is None else f"{self.word('item')} {n + 1}"
        return f"{label} ({title!r})" if title else label

    def text_field(self, table: dict[str, Any], key: str, line: int | None, where: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problem(self.lines.key(line, key), where, key, "must_be_text")
            return ""
        if UNSAFE_TEXT.search(value):
            self.problem(self.lines.key(line, key), where, key, "control_characters")
            return ""
        return value.strip()

    def load(self) -> Programme:
        try:
            data = tomllib.loads(self.text)
        except RecursionError:  # a "TOML bomb" of nested arrays
            self.problem(None, "", "", "bad_toml", error="nested too deeply")
            raise ProgrammeError(self.problems) from None
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            self.problem(int(m.group(1)) if m else None, "", "", "bad_toml", error=str(exc))
            raise ProgrammeError(self.problems) from None
        for key in data:
            if key not in TOP_FIELDS:
                self.problem(self.lines.table(key), "", key, "unknown_section")
        event = self.load_event(data.get("event"))
        rooms = self.load_rooms(data.get("rooms", []))
        items = self.load_items(data.get("items", []), event, rooms)
        if self.problems or event is None:
            raise ProgrammeError(self.problems)
        return Programme(event=event, rooms=rooms, items=items)

    def load_event(self, raw: Any) -> Event | None:
        line = self.lines.table("event")
        if not isinstance(raw, dict):
            self.problem(line, "event", "", "no_event")
            return None
        for key in raw:
            if key not in EVENT_FIELDS:
                self.problem(self.lines.key(line, key), "event", key, "unknown_field")
        texts = {k: self.text_field(raw, k, line, "event") for k in EVENT_TEXT_FIELDS}
        if not texts["title"]:
            self.problem(line, "event", "title", "missing_title")
        day = raw.get("date")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, date) or isinstance(day, datetime):
            self.problem(
                self.lines.key(line, "date"),
                "event",
                "date",
                "bad_event_date",
            )
            day = None
        tzname = raw.get("timezone", "Europe/Copenhagen")
        try:
            if not isinstance(tzname, str) or not tzname:
                raise ZoneInfoNotFoundError(tzname)
            ZoneInfo(tzname)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                self.lines.key(line, "timezone"),
                "event",
                "timezone",
                "unknown_timezone",
                tz=repr(tzname),
            )
            tzname = None
        practical = raw.get("practical", [])
        if not (isinstance(practical, list) and all(isinstance(p, str) for p in practical)):
            self.problem(self.lines.key(line, "practical"), "event", "practical", "list_of_texts")
            practical = []
        if day is None or tzname is None or not texts["title"]:
            return None
        return Event(
            date=day, timezone=tzname, practical=tuple(p.strip() for p in practical), **texts
        )

    def load_rooms(self, raw: Any) -> tuple[Room, ...]:
        if not isinstance(raw, list):
            self.problem(self.lines.table("rooms"), "rooms", "", "rooms_tables")
            return ()
        rooms: list[Room] = []
        for n, entry in enumerate(raw):
            line = self.lines.table("rooms", n)
            where = f"{self.word('room')} {n + 1}"
            if not isinstance(entry, dict):
                self.problem(line, where, "", "must_be_table")
                continue
            name = self.text_field(entry, "name", line, where)
            rid = self.text_field(entry, "id", line, where) or _slug(name)
            if not name:
                self.problem(line, where, "name", "missing_name")
                continue
            if any(r.id == rid for r in rooms):
                self.problem(line, where, "id", "duplicate_room", id=repr(rid))
                continue
            rooms.append(Room(id=rid, name=name))
        if not rooms:
            rooms.append(Room(id="sal", name="Salen"))
        return tuple(rooms)

    def load_items(
        self, raw: Any, event: Event | None, rooms: tuple[Room, ...]
    ) -> tuple[Item, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(self.lines.table("items"), "items", "", "no_items")
            return ()
        items: list[tuple[int | None, Item]] = []
        seen: set[str] = set()
        for n, entry in enumerate(raw):
            line = self.lines.table("items", n)
            item = self.load_item(n, entry, line, event, rooms, seen)
            if item is not None:
                seen.add(item.id)
                items.append((line, item))
        self.check_overlaps(items)
        return tuple(i for _, i in sorted(items, key=lambda li: (li[1].start, li[1].room)))

    def load_item(
        self,
        n: int,
        entry: Any,
        line: int | None,
        event: Event | None,
        rooms: tuple[Room, ...],
        seen: set[str],
    ) -> Item | None:
        if not isinstance(entry, dict):
            self.problem(line, self.where_item(n, ""), "", "must_be_table")
            return None
        title = self.text_field(entry, "title", line, self.where_item(n, ""))
        where = self.where_item(n, title)
        before = len(self.problems)
        for key in entry:
            if key not in ITEM_FIELDS:
                self.problem(self.lines.key(line, key), where, key, "unknown_field")
        if not title:
            self.problem(line, where, "title", "missing_title")
        kind = entry.get("kind", "talk")
        if kind not in KINDS:
            self.problem(
                self.lines.key(line, "kind"),
                where,
                "kind",
                "unknown_kind",
                kind=repr(kind),
                kinds=", ".join(KINDS),
            )
        times: dict[str, time] = {}
        duration = _parse_duration(entry.get("duration")) if "duration" in entry else None
        if "duration" in entry and duration is None:
            self.problem(
                self.lines.key(line, "duration"),
                where,
                "duration",
                "bad_duration",
                got=repr(entry.get("duration")),
            )
        if "duration" in entry and "end" in entry:
            self.problem(self.lines.key(line, "duration"), where, "duration", "end_and_duration")
        for key in ("start", "end") if "duration" not in entry else ("start",):
            t = _parse_time(entry.get(key))
            if t is None:
                got = entry.get(key)
                if got is None:
                    self.problem(self.lines.key(line, key), where, key, "missing_time")
                else:
                    self.problem(self.lines.key(line, key), where, key, "bad_time", got=repr(got))
            else:
                times[key] = t
        day: Any = entry.get("date", event.date if event else None)
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                day = None
        if "date" in entry and (not isinstance(day, date) or isinstance(day, datetime)):
            self.problem(self.lines.key(line, "date"), where, "date", "bad_item_date")
        room = self.text_field(entry, "room", line, where) or (rooms[0].id if rooms else "")
        if rooms and room not in {r.id for r in rooms}:
            self.problem(
                self.lines.key(line, "room"), where, "room", "unknown_room", room=repr(room)
            )
        item_id = self.text_field(entry, "id", line, where) or _slug(
            f"{times.get('start', '')}-{title}"
        )
        if item_id in seen:
            self.problem(self.lines.key(line, "id"), where, "id", "duplicate_id", id=repr(item_id))
        speakers = self.load_speakers(entry.get("speakers", []), line, where)
        insights = entry.get("insights", [])
        if not (isinstance(insights, list) and all(isinstance(p, str) for p in insights)):
            self.problem(self.lines.key(line, "insights"), where, "insights", "list_of_texts")
            insights = []
        questions = entry.get("questions", False)
        if not isinstance(questions, bool):
            self.problem(self.lines.key(line, "questions"), where, "questions", "must_be_bool")
        description = self.text_field(entry, "description", line, where)
        if duration is None and len(times) == 2 and times["end"] <= times["start"]:
            self.problem(
                self.lines.key(line, "end"),
                where,
                "end",
                "ends_before_start",
                end=f"{times['end']:%H.%M}",
                start=f"{times['start']:%H.%M}",
            )
        if len(self.problems) > before or event is None or not isinstance(day, date):
            return None
        tz = event.tz
        start = datetime.combine(day, times["start"], tz)
        if duration is not None:  # may run past midnight; wall-clock arithmetic in the zone
            end = (start.replace(tzinfo=None) + duration).replace(tzinfo=tz)
        else:
            end = datetime.combine(day, times["end"], tz)
        return Item(
            id=item_id,
            title=title,
            kind=kind,
            start=start,
            end=end,
            room=room,
            speakers=speakers,
            description=description,
            insights=tuple(p.strip() for p in insights),
            questions=bool(questions),
        )

    def load_speakers(self, raw: Any, line: int | None, where: str) -> tuple[Speaker, ...]:
        if not isinstance(raw, list):
            self.problem(
                self.lines.key(line, "speakers"),
                where,
                "speakers",
                "speakers_tables",
            )
            return ()
        speakers = []
        for entry in raw:
            if not isinstance(entry, dict):
                self.problem(self.lines.key(line, "speakers"), where, "speakers", "must_be_tables")
                continue
            for key in entry:
                if key not in SPEAKER_FIELDS:
                    self.problem(line, where, f"speakers.{key}", "unknown_field")
            name = self.text_field(entry, "name", line, where)
            if not name:
                self.problem(line, where, "speakers.name", "speaker_name")
                continue
            speakers.append(
                Speaker(
                    name=name,
                    role=self.text_field(entry, "role", line, where),
                    organisation=self.text_field(entry, "organisation", line, where),
                )
            )
        return tuple(speakers)

    def check_overlaps(self, items: list[tuple[int | None, Item]]) -> None:
        ordered = sorted(items, key=lambda li: (li[1].room, li[1].start))
        for (_, a), (line, b) in itertools.pairwise(ordered):
            if a.room == b.room and b.start < a.end:
                self.problem(
                    self.lines.key(line, "start"),
                    self.where_item(None, b.title),
                    "start",
                    "overlaps",
                    other=repr(a.title),
                    start=f"{a.start:%H.%M}",
                    end=f"{a.end:%H.%M}",
                    room=repr(a.room),
                )


def loads(text: str, filename: str = "<programme>", lang: str = "da") -> Programme:
    """Parse a programme from TOML text.

    Raises:
        ProgrammeError: with every problem found; nothing is half-loaded.
    """
    return _Loader(text, filename, lang).load()


def default_programme() -> Programme:
    """The embedded default programme (the seed event)."""
    text = resources.files("server.programme").joinpath("default.toml").read_text("utf-8")
    return loads(text, "default.toml")
