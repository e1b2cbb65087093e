"""The programme model, the native TOML format, the seed and `podium programme check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from server.programme import ProgrammeError, default_programme, load_file, loads

GOOD = """
[event]
title = "Testdag"
date = 2025-09-25
timezone = "Europe/Copenhagen"

[[items]]
id = "a"
title = "Åbning"
kind = "welcome"
start = "09:00"
end = "09:30"

[[items]]
id = "b"
title = "Oplæg"
start = "09.30"
end = "10.00"
"""


def test_seed_is_complete_and_exact():
    """The embedded programme has the 12 printed items with their times and texts."""
    p = default_programme()
    assert (
        p.event.title
        == "Fra national strategi til lokal handling – fra Christiansborg til Holstebro"
    )
    assert p.event.date.isoformat() == "2025-09-25" and p.event.timezone == "Europe/Copenhagen"
    assert p.event.moderator == "Tine Gøtzsche, journalist"
    assert p.event.caveat == "med forbehold for ændringer"
    assert "Kom i god tid pga. sikkerhedstjek." in p.event.practical
    assert p.event.entrance == "Indgang via Folketingets besøgsindgang."
    assert "2974 7847" in p.event.contact and "Majken Lundberg" in p.event.contact
    assert "250 kr." in p.event.price and "550 kr." in p.event.price
    times = [f"{i.start:%H.%M}-{i.end:%H.%M}" for i in p.items]
    assert times == [
        "10.15-10.30",
        "10.30-10.45",
        "10.45-11.20",
        "11.20-11.35",
        "11.35-12.25",
        "12.25-13.05",
        "13.05-13.50",
        "13.50-14.15",
        "14.15-14.40",
        "14.40-15.25",
        "15.25-16.10",
        "16.10-16.20",
    ]
    kinds = [i.kind for i in p.items]
    assert kinds.count("break") == 2 and kinds.count("lunch") == 1 and kinds.count("panel") == 2
    unge = p.item("unge")
    assert (
        unge is not None and unge.title == "Unge, ensomhed og ungdomsuddannelser" and unge.questions
    )
    assert len(unge.insights) == 3 and unge.insights[0].startswith("Opsporingsværktøjet")
    stefan = p.item("reformer").speakers[0]  # type: ignore[union-attr]
    assert (stefan.name, stefan.role) == ("Stefan Hermann", "direktør")
    assert "450.000 ekstra besøg" in p.item("sundhedsvaesenet").description  # type: ignore[union-attr]
    assert len(p.item("frivillighed").insights) == 4  # type: ignore[union-attr]


def test_seed_round_trips_through_its_stored_form():
    """to_dict/from_dict (the stored form) keeps the programme equal."""
    from server.programme import Programme

    p = default_programme()
    assert Programme.from_dict(p.to_dict()) == p


def test_good_file_loads_with_danish_and_colon_times():
    """Times may be written 09:30 or 09.30; items get the event's time zone."""
    p = loads(GOOD)
    assert [i.id for i in p.items] == ["a", "b"]
    assert p.items[1].start.isoformat() == "2025-09-25T09:30:00+02:00"


def test_every_problem_is_reported_with_line_item_and_field():
    """A file with several problems reports them all, with line, item and field."""
    text = GOOD.replace('kind = "welcome"', 'kind = "party"').replace(
        'end = "10.00"', 'end = "09.15"'
    )
    text = (
        text.replace('title = "Oplæg"', 'title = ""')
        + '\n[[items]]\nid = "c"\ntitle = "C"\nstart = "9:00"\nend = "xx"\n'
    )
    with pytest.raises(ProgrammeError) as exc:
        loads(text, "p.toml")
    msgs = [str(p) for p in exc.value.problems]
    kind = next(p for p in exc.value.problems if p.field == "kind")
    assert kind.line == text.splitlines().index('kind = "party"') + 1 and "party" in kind.message
    assert any(p.field == "title" and p.message == "titel mangler" for p in exc.value.problems)
    assert any(
        p.field == "end" and "slutter før det begynder" in p.message for p in exc.value.problems
    )
    assert any(p.field == "end" and "'xx'" in p.message for p in exc.value.problems)
    assert all(m.startswith("p.toml:") for m in msgs)


def test_overlap_is_reported():
    """Two items in one room that overlap are reported."""
    text = GOOD.replace('start = "09.30"', 'start = "09.20"')
    with pytest.raises(ProgrammeError) as exc:
        loads(text)
    assert any(p.code == "overlaps" and "kl. 09.00–09.30" in p.message for p in exc.value.problems)


def test_unknown_time_zone_and_missing_title():
    """An unknown time zone and a missing event title are reported."""
    text = GOOD.replace('timezone = "Europe/Copenhagen"', 'timezone = "Europe/Atlantis"').replace(
        'title = "Testdag"', ""
    )
    with pytest.raises(ProgrammeError) as exc:
        loads(text)
    fields = {p.field for p in exc.value.problems}
    assert {"timezone", "title"} <= fields


def test_not_toml_has_a_line():
    """A TOML syntax error is reported with its line."""
    with pytest.raises(ProgrammeError) as exc:
        loads("[event]\ntitle = \n")
    assert exc.value.problems[0].line == 2


def test_unknown_fields_are_reported():
    """A typo in a field name is an error, not silently dropped."""
    with pytest.raises(ProgrammeError) as exc:
        loads(GOOD.replace('kind = "welcome"', 'knd = "welcome"'), lang="en")
    assert any(p.field == "knd" and p.message == "unknown field" for p in exc.value.problems)


def test_load_file_refuses_binary_and_missing(tmp_path: Path):
    """A missing or non-UTF-8 file is a clear error."""
    with pytest.raises(ProgrammeError):
        load_file(tmp_path / "missing.toml")
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ProgrammeError) as exc:
        load_file(bad)
    assert "ikke UTF-8" in str(exc.value)


def test_check_command_ok_and_failing(tmp_path: Path, capsys):
    """`podium programme check` exits 0 on a good file and 1 with every problem on a bad one."""
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["programme", "check", str(good)]) == 0
    assert "i orden" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(
        GOOD.replace('kind = "welcome"', 'kind = "party"').replace(
            'end = "10.00"', 'end = "08:00"'
        ),
        encoding="utf-8",
    )
    assert main(["programme", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "kind" in err and "end" in err and "2 fejl" in err


def test_check_gives_the_span_of_every_room(tmp_path: Path, capsys):
    """Two rooms: the span runs to the end of the room that ends last (before: to the end of
    the last item to start, 10.00, though room B ran to 12.00)."""
    two = GOOD.replace("[[items]]", '[[rooms]]\nid = "a"\nname = "Sal A"\n\n'
                       '[[rooms]]\nid = "b"\nname = "Sal B"\n\n[[items]]', 1)  # fmt: skip
    two += '\n[[items]]\nid = "c"\ntitle = "Lang workshop"\nroom = "b"\nstart = "09:15"\nend = "12:00"\n'
    f = tmp_path / "two.toml"
    f.write_text(two, encoding="utf-8")
    assert main(["programme", "check", str(f)]) == 0
    assert "3 punkter, kl. 09.00–12.00." in capsys.readouterr().out
    assert main(["programme", "check", str(f), "--lang", "en"]) == 0
    assert "3 items, 09:00–12:00." in capsys.readouterr().out


def test_check_as_a_process(tmp_path: Path):
    """The console entry point exits non-zero on a bad file."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[event]\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "programme", "check", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "titel mangler" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "programme", "check", "--lang", "en", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "missing title" in proc.stderr and "problems in" in proc.stderr


@pytest.mark.parametrize(
    "bad",
    ["\x1b[2J", "\x07", "\u202e", "\x9b31m", "\uffff"],
    ids=["esc", "bel", "rlo", "csi", "ffff"],
)
def test_control_characters_in_a_programme_are_refused(bad: str):
    """ESC, BEL, C1, direction overrides and noncharacters in any text: a clear problem."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in bad)  # TOML escapes: the file itself is valid
    text = GOOD.replace('title = "Testdag"', f'title = "Testdag{escaped}"', 1)
    with pytest.raises(ProgrammeError) as exc:
        loads(text, "p.toml", "en")
    assert any(p.code == "control_characters" for p in exc.value.problems)


def test_a_toml_bomb_is_a_problem_not_a_crash():
    """Deeply nested arrays end as bad_toml, not a RecursionError traceback."""
    with pytest.raises(ProgrammeError) as exc:
        loads("a = " + "[" * 100_000 + "]" * 100_000, "bomb.toml", "en")
    assert exc.value.problems[0].code == "bad_toml"


def test_too_many_items_are_refused(tmp_path):
    """A programme the screens could not carry is refused, with the limit."""
    from server.programme.importer import MAX_ITEMS, read_programme_file

    items = "".join(
        f'\n[[items]]\ntitle = "P{n}"\nstart = "{6 + n // 60:02d}:{n % 60:02d}"\nduration = "00:01"\n'
        for n in range(MAX_ITEMS + 1)
    )
    f = tmp_path / "big.toml"
    f.write_text(GOOD.split("[[items]]")[0] + items, encoding="utf-8")
    with pytest.raises(ProgrammeError) as exc:
        read_programme_file(f, lang="en")
    assert any(p.code == "too_many_items" for p in exc.value.problems)
