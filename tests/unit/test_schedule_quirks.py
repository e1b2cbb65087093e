"""Schedule files from many generators: every title, time, room and speaker comes through,
with one warning for each kind of guess.

Each small file in tests/data/schedules reproduces, with events of our own, a shape seen in
a real file (the file's comment names the generator); the real 4-day frab file of 31C3 is
read from ../shared/samples.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import main
from server.programme import ProgrammeError
from server.programme.importer import read_programme_file
from server.programme.plaintext import plain_text
from server.programme.schedule import Imported, import_schedule
from tests.conftest import sample

DATA = Path(__file__).parent.parent / "data" / "schedules"
CPH = ZoneInfo("Europe/Copenhagen")


def _read(name: str, **kw) -> Imported:
    return read_programme_file(DATA / name, **kw)


def _by_title(imp: Imported, title: str) -> list:
    return [i for i in imp.programme.items if i.title == title]


def _keys(imp: Imported) -> list[str]:
    return [w.key for w in imp.warnings]


def _said(imp: Imported, key: str) -> str:
    (notice,) = [w for w in imp.warnings if w.key == key]
    return notice.line("en")


def test_hand_made_entries_hhmm_minutes_and_one_entry_in_two_rooms():
    """A hand-made Django export: <entry> under <day>, 0930, minutes, "Sal A, Sal B", "ALL"."""
    imp = _read("handmade-entries.xml")
    (keynote,) = _by_title(imp, "Fællesskab i praksis")
    assert keynote.start == datetime(2025, 10, 2, 9, 30, tzinfo=CPH)
    assert keynote.end - keynote.start == timedelta(minutes=45)
    assert [s.name for s in keynote.speakers] == ["Ida Holm"] and keynote.kind == "talk"
    assert keynote.description == "Om at mødes."  # the abstract and its repeat, said once
    (workshop,) = _by_title(imp, "Værksted: lokale netværk")
    assert workshop.room == "sal-b" and workshop.end - workshop.start == timedelta(minutes=90)
    breakfast = _by_title(imp, "Morgenmad")
    assert sorted(i.room for i in breakfast) == ["sal-a", "sal-b"]
    assert len({i.id for i in imp.programme.items}) == len(imp.programme.items)
    assert all(i.kind == "lunch" for i in breakfast)
    lunch = _by_title(imp, "Frokost")
    assert sorted(i.room for i in lunch) == ["sal-a", "sal-b"]
    assert [r.name for r in imp.programme.rooms] == ["Sal A", "Sal B"]
    assert _said(imp, "start_no_colon") == (
        "start times without a colon (e.g. '0900') read as hours and minutes (4 in all)"
    )
    assert _said(imp, "duration_minutes").startswith("durations as a bare number (e.g. '30')")
    assert _said(imp, "several_rooms").endswith("in several rooms (Sal A, Sal B): one item in each")
    assert _said(imp, "every_room").endswith("room 'ALL': put in all 2 rooms")
    assert "timezone_assumed" in _keys(imp)


def test_static_site_local_times_marked_utc_and_persons_in_one_string():
    """Jekyll: <date>…09:00Z beside <start>09:00 is 09.00 local, not 11.00; <person> loose."""
    imp = _read("static-site.xml")
    (welcome,) = _by_title(imp, "Velkomst")
    assert welcome.start == datetime(2025, 5, 22, 9, 0, tzinfo=CPH)
    assert [s.name for s in welcome.speakers] == ["Dr. Ida Holm", "Prof. Dr. Ole Berg"]
    assert welcome.kind == "welcome"
    coffee = _by_title(imp, "Kaffe og plakater")
    assert sorted(i.room for i in coffee) == ["store-sal", "vaerkstedet"]
    assert all(i.kind == "break" and i.start.hour == 11 for i in coffee)
    assert len({i.id for i in coffee}) == 2  # the same id twice in the file
    assert _said(imp, "utc_local").startswith("dates marked UTC (e.g. 2025-05-22T09:00:00Z)")
    assert _said(imp, "utc_local").endswith("read as local time (3 in all)")
    assert _said(imp, "person_loose").endswith("(3 in all)")
    assert "start_kept" not in _keys(imp)


def test_pentabarf_day_date_only_subtitle_and_escaped_html():
    """pentabarf: no zone, no <date>; the subtitle leads the text; "maintrack" is a talk."""
    imp = _read("pentabarf.xml")
    (school,) = _by_title(imp, "Fremtidens skole")
    assert school.start == datetime(2026, 2, 7, 10, 0, tzinfo=CPH)
    assert school.description == (
        "Filer hjemmefra i en delt infrastruktur\n\nHvordan deler elever filer?"
    )
    assert [s.name for s in school.speakers] == ["Marco Holm", "Paula Berg"]
    assert school.kind == "talk" and school.room == "m-faellesskab"
    (welcome,) = _by_title(imp, "Velkommen")
    assert welcome.speakers == () and welcome.kind == "welcome"
    assert [r.name for r in imp.programme.rooms] == ["K.1", "M.fællesskab"]
    assert "timezone_assumed" in _keys(imp)


def test_pretalx_markdown_abstract_and_an_event_through_the_night():
    """Markdown marks go, the words stay; 17.00 + 15 hours ends 08.00 the next day."""
    imp = _read("pretalx-markdown.xml")
    rome = ZoneInfo("Europe/Rome")
    (opening,) = _by_title(imp, "Lejrens åbning")
    assert opening.description == (
        "Velkommen til lejren!\nVi gennemgår lejrens kort og landsbyerne.\n\n"
        "Praktisk\n- Mad i teltet\n- Vand ved porten"
    )
    (ctf,) = _by_title(imp, "Natlig hackerkonkurrence")
    assert ctf.start == datetime(2026, 10, 2, 17, 0, tzinfo=rome)
    assert ctf.end == datetime(2026, 10, 3, 8, 0, tzinfo=rome)
    assert ctf.description == "Fem hold, tolv timer — hele natten."
    assert imp.warnings == ()


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("**fed** og __fed__", "fed og fed"),
        ("*kursiv* og _kursiv_", "kursiv og kursiv"),
        ("[tekst](https://example.org)", "tekst"),
        ('[tekst](https://example.org "titel")', "tekst"),
        ("[fibonhack]([url](https://example.org/))", "fibonhack"),
        ("snake_case_name og 5 * 3 * 2", "snake_case_name og 5 * 3 * 2"),
        ("Titel\n-----\ntekst", "Titel\n\ntekst"),
        ("===== FORUDSÆTNINGER =====\n   * en", "FORUDSÆTNINGER\n- en"),
        ("`kode` her", "kode her"),
    ],
)
def test_markdown_marks_are_removed_and_nothing_else(marked: str, plain: str):
    assert plain_text(marked, markdown=True) == plain


def test_markdown_is_left_alone_where_not_asked_for():
    """A title keeps its asterisks: only abstracts and descriptions are Markdown."""
    assert plain_text("**Ikke** fed") == "**Ikke** fed"


def test_symposion_ics_zone_speaker_line_html_and_a_break_for_every_room():
    """iCalendar from Symposion: Lisbon times stay Lisbon times, "Speaker:" becomes the
    speaker, the room-less coffee break is in every room."""
    imp = _read("symposion.ics")
    lisbon = ZoneInfo("Europe/Lisbon")
    p = imp.programme
    assert p.event.title == "Havnekonferencen 2026" and p.event.timezone == "Europe/Lisbon"
    (keynote,) = _by_title(imp, "Keynote: Hvem passer på fællesskabet?")
    assert keynote.start == datetime(2026, 1, 13, 9, 10, tzinfo=lisbon)
    assert keynote.end == datetime(2026, 1, 13, 10, 10, tzinfo=lisbon)
    assert [s.name for s in keynote.speakers] == ["Vera Holm"]
    assert keynote.description.startswith("Jeg begynder med en analyse af, hvordan foreninger")
    assert keynote.room == "arena"
    (robots,) = _by_title(imp, "Små robotter i skolen")
    assert [s.name for s in robots.speakers] == ["Daniel Berg", "Rikke Lund"]
    assert robots.description == "Seksbenede robotter uden dyre byggesæt."
    coffee = _by_title(imp, "Hovedkonference: kaffepause")
    assert sorted(i.room for i in coffee) == ["arena", "sal-5"]
    assert all(i.kind == "break" for i in coffee)
    assert _said(imp, "no_room_every").endswith("no room: put in all 2 rooms")
    assert _said(imp, "speakers_from_text").startswith(
        "speakers read from the description's first line (e.g. 'Speaker: Vera Holm')"
    )
    assert "timezone_assumed" not in _keys(imp)


def test_ics_in_utc_only_is_turned_into_the_local_zone():
    """A hand-made calendar in UTC with no zone: Copenhagen assumed (said), 11.00Z is 13.00;
    with --timezone the organiser says which zone."""
    imp = _read("utc-attendees.ics")
    (api,) = _by_title(imp, "Et åbent API-knudepunkt")
    assert api.start == datetime(2020, 9, 18, 13, 0, tzinfo=CPH)
    assert [s.name for s in api.speakers] == ["Jakob Sommer"]  # "von:", not twice
    assert api.description == "Sådan forbinder I jeres programmer."
    (linux,) = _by_title(imp, "Bæredygtighed og Linux")
    assert [s.name for s in linux.speakers] == ["Dr. Claus Hald"]  # from ATTENDEE;CN=
    assert "timezone_assumed" in _keys(imp) and "speakers_from_attendee" in _keys(imp)
    london = _read("utc-attendees.ics", timezone="Europe/London")
    (api,) = _by_title(london, "Et åbent API-knudepunkt")
    assert api.start == datetime(2020, 9, 18, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    assert "timezone_assumed" not in _keys(london)


def test_hand_made_ics_tzid_without_vtimezone_charset_and_an_all_day_event():
    """TZID=Europe/Paris with no VTIMEZONE, CHARSET parameters, an all-day event skipped."""
    imp = _read("handcal.ics")
    paris = ZoneInfo("Europe/Paris")
    p = imp.programme
    assert p.event.title == "Netværksdage 2022" and p.event.timezone == "Europe/Paris"
    (talk,) = _by_title(imp, "182 - Det digitale: geopolitik og afhængigheder")
    assert talk.start == datetime(2022, 5, 17, 14, 0, tzinfo=paris) and talk.room == "amfiteatret"
    assert talk.description == (
        "Afhængighederne begynder i landskabet…\nOg i dag kan ingen styre det hele."
    )
    assert [i.title for i in p.items] == [
        "Modtagelse af deltagere",
        "182 - Det digitale: geopolitik og afhængigheder",
    ]
    assert _said(imp, "all_day") == (
        "all-day events without a time skipped (e.g. 'Udflugtsdag') (1 in all)"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\nEND:VEVENT\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n",
    ],
)
def test_a_broken_calendar_is_refused_with_a_clear_error(data: bytes):
    with pytest.raises(ProgrammeError) as exc:
        import_schedule(data, "bad.ics", lang="en")
    assert "bad.ics" in str(exc.value)
    assert any(w in str(exc.value) for w in ("not valid iCalendar", "no events could be read"))


def test_an_unknown_timezone_is_refused():
    with pytest.raises(ProgrammeError) as exc:
        _read("utc-attendees.ics", timezone="Europe/Atlantis", lang="en")
    assert "unknown time zone 'Europe/Atlantis'" in str(exc.value)


def test_import_timezone_option_on_the_command_line(tmp_path: Path, capsys):
    """`podium programme import FILE --timezone ZONE` stores the times in that zone."""
    db = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    args = ["programme", "import", str(DATA / "utc-attendees.ics"), "--db", db]
    assert main([*args, "--timezone", "Europe/London"]) == 0
    assert "Gemt" in capsys.readouterr().out
    assert main(["programme", "export", "--format", "toml", "--db", db]) == 0
    toml = capsys.readouterr().out
    assert 'timezone = "Europe/London"' in toml and "12:00" in toml
    assert main([*args, "--timezone", "Mars/Olympus"]) == 1
    assert "ukendt tidszone 'Mars/Olympus'" in capsys.readouterr().err


def test_31c3_four_days_every_room_and_the_nights():
    """The 31C3 Fahrplan (frab, 2014): 138 events over 4 days in 4 rooms, no zone named
    (Copenhagen assumed: the same offset as Hamburg), events past midnight kept on the
    day they start, subtitles kept."""
    imp = read_programme_file(sample("31c3-frab.schedule.xml"))
    p = imp.programme
    assert len(p.items) == 138 and len(p.rooms) == 4
    assert {i.start.date().isoformat() for i in p.items} == {
        "2014-12-27",
        "2014-12-28",
        "2014-12-29",
        "2014-12-30",
    }
    opening = next(i for i in p.items if i.title == "31C3 Opening Event")
    assert opening.start == datetime(2014, 12, 27, 11, 0, tzinfo=CPH)
    assert [s.name for s in opening.speakers] == ["erdgeist", "Geraldine de Bastion"]
    late = [i for i in p.items if i.start.hour < 4]
    assert late and all(i.start.date().isoformat() > "2014-12-27" for i in late)
    assert sum(1 for i in p.items if "\n\n" in i.description or i.description) > 100
    assert [w.key for w in imp.warnings] == ["timezone_assumed"]


@pytest.mark.parametrize(
    ("type_", "title", "kind"),
    [
        ("Long talk (45 minutes)", "Perl i Debian", "talk"),  # wafer
        ("BoF (45 minutes)", "Perl-holdet", "panel"),
        ("maintrack", "Fremtidens skole", "talk"),  # pentabarf
        ("", "Formiddagskaffe", "break"),  # a Danish compound
        ("", "Kaffepause", "break"),
        ("", "iOS jailbreak", "talk"),  # an English word inside a word is no break
        ("Workshop (2h)", "Lodning", "other"),
    ],
)
def test_the_kind_from_types_and_titles_of_many_generators(type_: str, title: str, kind: str):
    from server.programme.schedule import _kind

    assert _kind(type_, title) == kind
