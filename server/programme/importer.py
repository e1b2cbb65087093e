"""Read any programme file Podium knows: native TOML, schedule.xml, schedule.json or
iCalendar.

The one reader of programme files: ``podium serve --programme``, ``podium programme
check`` and ``podium programme import`` all come here, with one size limit and the
same bilingual errors.
"""

from __future__ import annotations

import json
from pathlib import Path

from server.programme.model import Programme
from server.programme.native import ProgrammeError, loads, problem
from server.programme.schedule import MAX_IMPORT_BYTES, Imported, import_schedule


def read_programme_file(
    path: str | Path,
    *,
    room: str | None = None,
    day: str | None = None,
    timezone: str | None = None,
    lang: str = "da",
) -> Imported:
    """Read a programme file of any known format, detected by its content.

    Raises:
        ProgrammeError: the file cannot be read; nothing is returned half-read.
    """
    name = str(path)
    try:
        p = Path(path)
        if p.stat().st_size > MAX_IMPORT_BYTES:
            raise ProgrammeError(
                [problem(lang, name, None, "", "", "too_large", size=str(MAX_IMPORT_BYTES))]
            )
        data = p.read_bytes()
    except OSError as exc:
        raise ProgrammeError(
            [problem(lang, name, None, "", "", "unreadable", error=str(exc.strerror))]
        ) from None
    # JSON and XML start with { or <, iCalendar with BEGIN:VCALENDAR; TOML may start with
    # [ (a table), never with any of these.
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"<") or head[:15].upper() == b"BEGIN:VCALENDAR":
        imported = import_schedule(data, name, room=room, day=day, timezone=timezone, lang=lang)
        check_programme(imported.programme, name, lang)
        return imported
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgrammeError(
            [problem(lang, name, None, "", "", "not_utf8", error=exc.reason)]
        ) from None
    if room is not None or day is not None or timezone is not None:
        raise ProgrammeError([problem(lang, name, None, "", "", "room_day_native")])
    programme = loads(text, name, lang)
    check_programme(programme, name, lang)
    return Imported(programme, ())


#: The years a programme's items may fall in: anything else cannot be shown or delayed.
YEARS = (1900, 2200)
#: The most items a programme may have: each is in every snapshot (about 800 B), and a
#: screen takes at most 4 MiB (1,000 items: about 0.8 MB).
MAX_ITEMS = 1000
#: The most a programme may hold, as JSON: it is in every snapshot, and a snapshot must fit
#: in the frames clients accept (contract.MAX_FRAME_BYTES) with the questions beside it.
MAX_PROGRAMME_BYTES = 2 * 1024 * 1024


def check_programme(programme: Programme, name: str, lang: str = "da") -> None:
    """Refuse a programme that would break the server later: text that cannot be encoded
    (a lone surrogate from a JSON escape) or an item outside :data:`YEARS`.

    Raises:
        ProgrammeError: with every such problem.
    """
    problems = []
    if len(programme.items) > MAX_ITEMS:
        n, most = str(len(programme.items)), str(MAX_ITEMS)
        problems.append(problem(lang, name, None, "", "", "too_many_items", n=n, max=most))
    try:
        size = len(json.dumps(programme.to_dict(), ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError:
        problems.append(problem(lang, name, None, "", "", "bad_text"))
    else:
        if size > MAX_PROGRAMME_BYTES:
            kib, most = str(size // 1024), str(MAX_PROGRAMME_BYTES // 1024)
            problems.append(problem(lang, name, None, "", "", "too_much_text", kib=kib, max=most))
    first, last = YEARS
    for item in programme.items:
        for when in (item.start, item.end):
            if not first <= when.year <= last:
                where = f"{item.id}"
                problems.append(
                    problem(lang, name, None, where, "", "date_range", when=when.isoformat(),
                            first=str(first), last=str(last))
                )  # fmt: skip
    if problems:
        raise ProgrammeError(problems)


def load_file(path: str | Path, lang: str = "da") -> Programme:
    """A programme from a file of any known format (warnings of a lenient import dropped).

    Raises:
        ProgrammeError: the file is missing, too large, not UTF-8 or not a valid programme.
    """
    return read_programme_file(path, lang=lang).programme
