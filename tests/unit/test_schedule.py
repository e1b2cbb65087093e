"""frab/pretalx import (lenient, with warnings), strict export, iCalendar and the round trip."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import jsonschema
import pytest
from lxml import etree

from server.programme import ProgrammeError, default_programme
from server.programme.ical import export_ics
from server.programme.importer import read_programme_file
from server.programme.native import loads
from server.programme.native_export import dumps
from server.programme.schedule import import_schedule
from server.programme.schedule_export import export_json, export_xml
from tests.conftest import sample


def _load(name: str, **kw):
    return import_schedule(sample(name).read_bytes(), name, **kw)


def _find(programme, title: str):
    return next(i for i in programme.items if i.title == title)


def test_frab_json_events_rooms_and_persons():
    """camp2019: the opening at 11.00 Berlin time in Curie by jinxx and smtw; 5 days, 2 rooms."""
    imp = _load("camp2019-frab.schedule.json")
    p = imp.programme
    assert p.event.timezone == "Europe/Berlin" and p.event.title == "Chaos Communication Camp 2019"
    opening = _find(p, "Opening Ceremony")
    assert opening.start == datetime(2019, 8, 21, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (opening.end - opening.start).total_seconds() == 30 * 60
    assert opening.room == "curie" and [s.name for s in opening.speakers] == ["jinxx", "smtw"]
    assert {r.name for r in p.rooms} == {"Curie", "Meitner"}
    assert len({i.start.date() for i in p.items}) == 5


def test_frab_event_across_midnight_keeps_its_day_and_length():
    """An event at 23.00 lasting 1.30 starts on its own day and ends after midnight."""
    p = _load("camp2019-frab.schedule.json").programme
    late = _find(p, "Achtung, Datenpannen!")
    tz = ZoneInfo("Europe/Berlin")
    assert late.start == datetime(2019, 8, 22, 23, 0, tzinfo=tz)
    assert late.end == datetime(2019, 8, 23, 0, 30, tzinfo=tz)


def test_html_in_abstracts_becomes_plain_text():
    """HTML links and paragraphs in an abstract come out as plain text."""
    p = _load("camp2019-frab.schedule.json").programme
    spispy = next(i for i in p.items if i.title.startswith("spispy"))
    # The subtitle leads, then the abstract.
    assert spispy.description.startswith(
        "Open source tools for flash emulation and research\n\nspispy is an open source"
    )
    assert "<a" not in spispy.description and "href" not in spispy.description
    gdpr = _find(p, "Achtung, Datenpannen!")
    assert not gdpr.description.startswith("<p>")


def test_utc_dates_do_not_move_events_an_hour_or_a_day():
    """debconf23: <date> in UTC and day/@date one day behind: the opening is 10.30 on 10 September."""
    p = _load("debconf23-asia-kolkata.schedule.xml").programme
    opening = _find(p, "Opening Ceremony")
    assert opening.start == datetime(2023, 9, 10, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert opening.room == "anamudi" and [s.name for s in opening.speakers] == ["Sruthi Chandran"]
    assert p.event.timezone == "Asia/Kolkata"
    for item in p.items:  # every start agrees with the local <start> of the file
        assert (
            item.start.tzinfo is not None and item.start.utcoffset().total_seconds() == 5.5 * 3600
        )


def test_pretalx_json_trusts_the_local_start():
    """democon (time_zone_name UTC, dates with +01:00): 09.00 stays 09.00, with a warning."""
    imp = _load("democon-pretalx.control.schedule.json")
    first = _find(imp.programme, "Focused 5thgeneration hardware")
    assert (first.start.hour, first.start.minute) == (
        9,
        0,
    ) and first.start.date().isoformat() == "2020-12-14"
    assert any("start kept" in w.message and "Focused" in w.where for w in imp.warnings)


def test_missing_type_is_a_warning_naming_the_event():
    """debconf23 events without <type> are read as talks/breaks from their <track> and title,
    said once for the 32 of them."""
    imp = _load("debconf23-asia-kolkata.schedule.xml")
    assert [w.message for w in imp.warnings if w.key == "type_from"] == [
        "no <type>: the kind guessed from <track> (e.g. 'No Track') (32 in all)"
    ]
    assert _find(imp.programme, "Lunch").kind == "lunch"


def _mini(event: dict) -> bytes:
    base = {
        "id": 1,
        "guid": "11111111-2222-3333-4444-555555555555",
        "date": "2025-09-25T10:00:00+02:00",
        "start": "10:00",
        "duration": "00:45",
        "room": "Sal A",
        "title": "Oplæg",
        "type": "talk",
        "abstract": "",
        "persons": [],
    }
    base.update(event)
    day = {
        "index": 1,
        "date": "2025-09-25",
        "day_start": "2025-09-25T06:00:00+02:00",
        "day_end": "2025-09-26T03:00:00+02:00",
        "rooms": {"Sal A": [base]},
    }
    conf = {
        "title": "Mini",
        "acronym": "mini",
        "time_zone_name": "Europe/Copenhagen",
        "days": [day],
    }
    return json.dumps({"schedule": {"version": "1", "conference": conf}}).encode()


def test_persons_in_one_comma_separated_string():
    """'Ida Holm, Ole Berg' becomes two speakers, with a warning."""
    imp = import_schedule(_mini({"persons": [{"public_name": "Ida Holm, Ole Berg"}]}))
    assert [s.name for s in imp.programme.items[0].speakers] == ["Ida Holm", "Ole Berg"]
    assert any("split into 2 names" in w.message for w in imp.warnings)


def test_empty_duration_and_missing_guid_are_guessed_with_warnings():
    """An empty duration takes the timeslot (15 min by default); a missing guid is made."""
    imp = import_schedule(_mini({"duration": "", "guid": ""}))
    item = imp.programme.items[0]
    assert (item.end - item.start).total_seconds() == 15 * 60
    messages = " ".join(w.message for w in imp.warnings)
    assert "duration '' empty or bad" in messages and "no guid" in messages


def test_room_and_day_selection():
    """--room keeps one room, --day one day (by number or date)."""
    p = _load("camp2019-frab.schedule.json", room="Meitner", day="2").programme
    assert {i.room for i in p.items} == {"meitner"} and {
        i.start.date().isoformat() for i in p.items
    } == {"2019-08-22"}
    with pytest.raises(ProgrammeError):
        _load("camp2019-frab.schedule.json", room="Nowhere")
    with pytest.raises(ProgrammeError):
        _load("camp2019-frab.schedule.json", day="9")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<schedule><conference><title>&lol3;</title></conference></schedule>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&x;</title></conference></schedule>"""


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"]
)
def test_unsafe_xml_is_refused(data: bytes):
    """A DTD with entities is refused with a clear error; nothing is expanded or fetched."""
    with pytest.raises(ProgrammeError) as exc:
        import_schedule(data, "evil.xml", lang="en")
    assert "refused" in str(exc.value)


def test_oversized_file_is_refused():
    """A file over the import limit is refused before parsing."""
    with pytest.raises(ProgrammeError) as exc:
        import_schedule(b"<" + b" " * (10 * 1024 * 1024 + 1), "big.xml", lang="en")
    assert "larger than" in str(exc.value)


def test_import_speaks_danish_by_default():
    """Refusals and notices are Danish unless English is asked for."""
    with pytest.raises(ProgrammeError) as exc:
        import_schedule(BILLION_LAUGHS, "evil.xml")
    assert "afvist: XML'en erklærer en DTD" in str(exc.value)
    imp = import_schedule(_mini({"type": ""}))
    (notice,) = [w for w in imp.warnings if w.key == "no_type"]
    assert notice.line() == (
        "ingen type: arten gættet ud fra titlen, ellers foredrag (fx 'Oplæg') (1 i alt)"
    )
    assert notice.line("en") == (
        "no type: the kind guessed from the title, else a talk (e.g. 'Oplæg') (1 in all)"
    )


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads(sample("schedule.schema.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def xsd():
    return etree.XMLSchema(etree.parse(str(sample("schedule.xml.xsd"))))


@pytest.mark.parametrize(
    "source", ["seed", "camp2019-frab.schedule.json", "debconf23-asia-kolkata.schedule.xml"]
)
def test_exports_validate_against_the_official_schemas(json_validator, xsd, source: str):
    """schedule.json and schedule.xml written by Podium validate, for the seed and imported programmes."""
    prog = default_programme() if source == "seed" else _load(source).programme
    errors = [e.message for e in json_validator.iter_errors(json.loads(export_json(prog)))]
    assert errors == []
    doc = etree.fromstring(export_xml(prog).encode())
    assert xsd.validate(doc), [str(e) for e in xsd.error_log][:3]


def test_json_validator_can_fail(json_validator):
    """The schema check is real: a schedule without a conference title fails it."""
    doc = json.loads(export_json(default_programme()))
    del doc["schedule"]["conference"]["title"]
    assert list(json_validator.iter_errors(doc))


def test_ics_reads_back_with_stable_uids_and_local_times():
    """The iCalendar has 12 events at local Copenhagen times; UIDs are the same in every export."""
    prog = default_programme()
    first, second = export_ics(prog), export_ics(prog)
    cal = icalendar.Calendar.from_ical(first)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 12
    unge = next(e for e in events if str(e["SUMMARY"]) == "Unge, ensomhed og ungdomsuddannelser")
    start = unge.decoded("DTSTART")
    assert start == datetime(2025, 9, 25, 11, 35, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert unge["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert "Du får indblik i:" in str(unge["DESCRIPTION"])
    assert any(c.name == "VTIMEZONE" for c in cal.walk())

    def uids(text: str) -> list[str]:
        return sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT"))

    assert uids(first) == uids(second) and len(set(uids(first))) == 12


def test_round_trip_native_to_schedule_xml_and_back():
    """native → schedule.xml → native keeps times, titles, speakers and texts of the seed."""
    seed = default_programme()
    back = import_schedule(export_xml(seed).encode(), "roundtrip.xml").programme
    assert len(back.items) == len(seed.items)
    for a, b in zip(seed.items, back.items, strict=True):
        assert (b.start, b.end, b.title, b.kind) == (a.start, a.end, a.title, a.kind)
        assert [s.name for s in b.speakers] == [s.name for s in a.speakers]
        assert (b.description, b.insights) == (a.description, a.insights)
    assert back.event.title == seed.event.title and back.event.timezone == seed.event.timezone


def test_round_trip_through_json_too():
    """native → schedule.json → native keeps the same things."""
    seed = default_programme()
    back = import_schedule(export_json(seed).encode(), "roundtrip.json").programme
    assert [(i.start, i.title, i.insights) for i in back.items] == [
        (i.start, i.title, i.insights) for i in seed.items
    ]


def test_toml_export_of_an_import_reads_back(tmp_path: Path):
    """An imported multi-day, multi-room programme written as TOML loads back equal."""
    p = _load("camp2019-frab.schedule.json").programme
    assert loads(dumps(p)) == p
    f = tmp_path / "camp.toml"
    f.write_text(dumps(p), encoding="utf-8")
    assert read_programme_file(f).programme == p


# --- the same traps in small files of our own (they run without ../shared/samples) ------


def test_own_event_across_midnight_keeps_its_day_and_length():
    """A 23.00 event of 1.30 on the 25th ends at 00.30 on the 26th, not on the 25th."""
    imp = import_schedule(
        _mini({"start": "23:00", "duration": "01:30", "date": "2025-09-25T23:00:00+02:00"})
    )
    item = imp.programme.items[0]
    tz = ZoneInfo("Europe/Copenhagen")
    assert item.start == datetime(2025, 9, 25, 23, 0, tzinfo=tz)
    assert item.end == datetime(2025, 9, 26, 0, 30, tzinfo=tz)


def test_own_html_abstract_becomes_plain_text():
    """<p> and <a href> in an abstract come out as the words alone."""
    html = '<p>Læs <a href="https://example.org/x">rapporten</a> først.</p><p>Og så?</p>'
    item = import_schedule(_mini({"abstract": html})).programme.items[0]
    assert "<" not in item.description and "href" not in item.description
    assert "Læs rapporten først." in item.description and "Og så?" in item.description


UTC_DATES_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<schedule>
  <version>1</version>
  <conference>
    <acronym>utc</acronym><title>UTC-datoer</title>
    <start>2023-09-10</start><end>2023-09-10</end><days>1</days>
    <time_zone_name>Asia/Kolkata</time_zone_name>
  </conference>
  <day index="1" date="2023-09-09" start="2023-09-09T18:30:00+00:00" end="2023-09-10T18:29:00+00:00">
    <room name="Anamudi">
      <event guid="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" id="1">
        <date>2023-09-10T05:00:00+00:00</date>
        <start>10:30</start><duration>00:30</duration>
        <room>Anamudi</room><title>Opening</title><type>talk</type>
        <abstract></abstract><persons><person id="1">Sruthi</person></persons>
      </event>
    </room>
  </day>
</schedule>
"""


def test_own_utc_dates_do_not_move_an_event():
    """day/@date a day behind and <date> in UTC: the local <start> 10.30 on the 10th holds."""
    item = import_schedule(UTC_DATES_XML, "utc.xml").programme.items[0]
    assert item.start == datetime(2023, 9, 10, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert (item.end - item.start).total_seconds() == 30 * 60


def test_a_title_with_a_lone_surrogate_is_refused_on_import(tmp_path: Path):
    """A JSON escape \\ud800 in a title would break every later publish: refused, nothing read."""
    f = tmp_path / "evil.json"
    f.write_bytes(_mini({"title": "Oplæg"}).replace(b'"title": "Mini"', b'"title": "\\ud800"'))
    with pytest.raises(ProgrammeError) as exc:
        read_programme_file(f, lang="en")
    assert "cannot be stored" in str(exc.value)


def test_an_item_in_the_year_9999_is_refused_on_import(tmp_path: Path):
    """Dates the server cannot delay or show are refused with the years allowed."""
    f = tmp_path / "far.json"
    f.write_bytes(_mini({"date": "9999-12-31T10:00:00+01:00"}))
    with pytest.raises(ProgrammeError) as exc:
        read_programme_file(f, lang="en")
    assert "outside the years 1900–2200" in str(exc.value)


def test_the_schedule_version_changes_with_the_expected_times():
    """A delay changes `version` in schedule.json and schedule.xml (it was always "podium",
    so apps that watch a schedule for changes never saw a delay); the same times, the same."""
    from datetime import timedelta
    from xml.etree.ElementTree import fromstring

    from server.programme import default_programme
    from server.programme.schedule_export import export_json, export_xml

    p = default_programme()
    on_time = {i.id: (i.start, i.end) for i in p.items}
    late = {i.id: (i.start + timedelta(minutes=5), i.end + timedelta(minutes=5)) for i in p.items}

    def versions(times):
        j = json.loads(export_json(p, times))["schedule"]["version"]
        x = fromstring(export_xml(p, times).encode()).findtext("version")
        return j, x

    (j1, x1), (j2, x2) = versions(on_time), versions(late)
    assert j1 == x1 and j2 == x2 and j1 != j2
    assert versions(dict(on_time)) == (j1, x1)
