"""Read any programme file Podium knows: native TOML, schedule.xml or schedule.json."""

from __future__ import annotations

from pathlib import Path

from server.programme.native import Problem, ProgrammeError, loads
from server.programme.schedule import MAX_IMPORT_BYTES, Imported, import_schedule


def read_programme_file(
    path: str | Path, *, room: str | None = None, day: str | None = None, lang: str = "da"
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
                [Problem(name, None, "", "", f"larger than {MAX_IMPORT_BYTES} bytes")]
            )
        data = p.read_bytes()
    except OSError as exc:
        raise ProgrammeError(
            [Problem(name, None, "", "", f"cannot read the file: {exc.strerror}")]
        ) from None
    head = data.lstrip()[:1]
    if head in (b"{", b"[", b"<"):
        return import_schedule(data, name, room=room, day=day)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgrammeError(
            [Problem(name, None, "", "", f"not UTF-8 text: {exc.reason}")]
        ) from None
    if room is not None or day is not None:
        raise ProgrammeError(
            [Problem(name, None, "", "", "--room and --day are for schedule.xml/json")]
        )
    return Imported(loads(text, name, lang), ())
