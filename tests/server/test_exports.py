"""Exports over HTTP and the command line; an import while the server runs; the questions."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import urllib.request
from pathlib import Path

import icalendar

from kiosk.cli import main
from server.app import Running
from server.changes import QuestionChanged, VotesChanged
from server.programme.schedule_export import export_xml
from server.questions_export import export
from tests.conftest import UNIT, sample
from tests.kiosk.helpers import at, build_state


def _fetch(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=5 * UNIT) as r:
        return r.headers["Content-Type"], r.read().decode("utf-8")


async def _get(server: Running, path: str) -> tuple[str, str]:
    """GET from the server without blocking its loop (it runs in this test's loop)."""
    return await asyncio.to_thread(_fetch, f"http://127.0.0.1:{server.port}{path}")


async def test_http_exports_carry_the_expected_times(server: Running, connect_as):
    """With the day 15 minutes late, /programme.ics and /schedule.json give the expected times."""
    mod = await connect_as("moderator")
    await mod.command("set_delay", minutes=15)
    ctype, ics = await _get(server, "/programme.ics")
    assert ctype.startswith("text/calendar")
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}
    assert events["Frokost"].decoded("DTSTART").strftime("%H.%M") == "12.40"
    assert events["Velkommen"].decoded("DTSTART").strftime("%H.%M") == "10.15"  # already over
    ctype, body = await _get(server, "/schedule.json")
    assert ctype.startswith("application/json")
    frokost = next(
        e
        for d in json.loads(body)["schedule"]["conference"]["days"]
        for evs in d["rooms"].values()
        for e in evs
        if e["title"] == "Frokost"
    )
    assert frokost["start"] == "12:40"
    assert (await _get(server, "/schedule.xml"))[0].startswith("application/xml")
    assert "[[items]]" in (await _get(server, "/programme.toml"))[1]


async def test_import_while_serving_replaces_the_programme(
    server: Running, connect_as, db_url: str, capsys
):
    """`podium programme import` into the server's database: the hall gets the new programme."""
    hall = await connect_as("hall")
    assert (
        main(
            [
                "programme",
                "import",
                str(sample("democon-pretalx.control.schedule.json")),
                "--db",
                db_url,
                "--day",
                "1",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "Gemt" in out.out and "advarsel:" in out.err
    snap = await hall.expect(
        "snapshot", lambda m: m["state"]["event"]["title"] == "DemoCon", timeout=10 * UNIT
    )
    assert all(i["start"].startswith("2020-12-14") for i in snap["state"]["programme"])


def test_dry_run_changes_nothing(tmp_path: Path, capsys):
    """--dry-run reads and reports but stores nothing."""
    db = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    assert (
        main(
            [
                "programme",
                "import",
                str(sample("debconf23-asia-kolkata.schedule.xml")),
                "--db",
                db,
                "--dry-run",
            ]
        )
        == 0
    )
    assert "intet gemt" in capsys.readouterr().out
    assert main(["programme", "export", "--format", "toml", "--db", db]) == 0
    assert "Fra national strategi" in capsys.readouterr().out  # still the seed


def test_a_bad_file_is_refused_and_nothing_stored(tmp_path: Path, capsys):
    """A billion-laughs file is refused with a clear message; the database keeps its programme."""
    db = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    evil = tmp_path / "evil.xml"
    evil.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><schedule>&a;</schedule>'
    )
    assert main(["programme", "import", str(evil), "--db", db]) == 1
    assert "refused" in capsys.readouterr().err
    assert (
        main(
            [
                "programme",
                "export",
                "--format",
                "schedule-xml",
                "--db",
                db,
                "-o",
                str(tmp_path / "out.xml"),
            ]
        )
        == 0
    )
    assert (tmp_path / "out.xml").read_text(encoding="utf-8") == export_xml(
        __import__("server.programme", fromlist=["x"]).default_programme()
    )


def _questions_state():
    return build_state(
        at("11:40"),
        (
            "attendee",
            "submit_question",
            {
                "text": '=HYPERLINK("x") [bold]Hvad[/] med *de unge*?',
                "name": "Ida",
                "organisation": "DGI",
            },
        ),
        ("attendee", "submit_question", {"text": "Hvordan måles effekten?"}),
        ("moderator", "approve_question", {"question_id": "q2"}),
        ("attendee", "vote", {"question_id": "q2"}),
        ("moderator", "edit_question", {"question_id": "q2", "text": "Hvordan måler I effekten?"}),
        ("moderator", "answer_question", {"question_id": "q2"}),
    )


def test_questions_export_csv_json_md():
    """Every question with item, time, status, votes, name, organisation and edits; safe in each format."""
    state = _questions_state()
    data = json.loads(export(state, "json"))["questions"]
    assert [q["text"] for q in data] == [
        '=HYPERLINK("x") [bold]Hvad[/] med *de unge*?',
        "Hvordan måler I effekten?",
    ]
    q2 = data[1]
    assert (q2["status"], q2["votes"], q2["original_text"], q2["item"]) == (
        "answered",
        1,
        "Hvordan måles effekten?",
        "Unge, ensomhed og ungdomsuddannelser",
    )
    rows = list(csv.DictReader(io.StringIO(export(state, "csv"))))
    assert rows[0]["text"].startswith("'=HYPERLINK")  # not a spreadsheet formula
    assert rows[0]["name"] == "Ida" and rows[0]["organisation"] == "DGI"
    assert rows[1]["name"] == "" and rows[1]["organisation"] == ""  # empty, not "'"
    assert "'" not in "".join(v for r in rows for k, v in r.items() if k != "text")
    md = export(state, "md")
    assert "## kl. 11.35 Unge, ensomhed og ungdomsuddannelser" in md
    assert "\\*de unge\\*" in md and "\\[bold\\]" in md
    assert (
        "besvaret · 1 stemme*" in md
        and "0 stemmer" in md
        and "(oprindeligt: Hvordan måles effekten?)" in md
    )


def test_questions_export_command(tmp_path: Path, capsys, db_url: str):
    """`podium questions export --format md -o FILE` writes the report from the database."""
    from server.storage import Store

    store = Store(db_url)
    state = _questions_state()
    store.save_programme(state.programme, at("09:00"))
    store.commit(state, {QuestionChanged("q1"), QuestionChanged("q2"), VotesChanged("q2")}, (), 6)
    store.close()
    out = tmp_path / "report.md"
    assert main(["questions", "export", "--format", "md", "--db", db_url, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Spørgsmål fra salen") and "2 spørgsmål i alt" in text


async def test_healthz_says_error_when_the_writer_has_stopped(server: Running):
    """/healthz is 200 "ok" while commands are served, 503 "error" once the writer is gone."""
    import urllib.error

    def fetch() -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    status, body = await asyncio.to_thread(fetch)
    assert (status, body["status"], body["failures"]) == (200, "ok", 0)
    writer = server.tasks[0]
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer
    status, body = await asyncio.to_thread(fetch)
    assert (status, body["status"]) == (503, "error")


def test_markdown_export_keeps_every_question_its_own():
    """A question with a fence, a numbered line or a dash line cannot swallow the next ones."""
    from server.questions_export import _md_escape

    text = "Se her:\n```\n1. punkt\n- to\n~~~\nslut"
    out = _md_escape(text)
    assert "```" not in out and "~~~" not in out
    assert "\n1\\. punkt" in out and "\n\\- to" in out
