"""The `podium` command line for the screens: arguments checked before anything starts."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main, server_url
from tests.conftest import UNIT

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("127.0.0.1:8765", "ws://127.0.0.1:8765/ws"),
        ("ws://sal.local:8765", "ws://sal.local:8765/ws"),
        ("wss://podium.example.org/ws", "wss://podium.example.org/ws"),
    ],
)
def test_server_url(given: str, url: str):
    """What a person types becomes a websocket URL ending in /ws."""
    assert server_url(given) == url


def test_server_url_refuses_http():
    """http:// is not a websocket address."""
    with pytest.raises(argparse.ArgumentTypeError):
        server_url("http://127.0.0.1:8765")


def test_stage_needs_a_token(capsys, monkeypatch):
    """`podium hall --mode stage` without a token stops with a clear message."""
    monkeypatch.delenv("PODIUM_STAGE_TOKEN", raising=False)
    assert main(["hall", "--mode", "stage"]) == 2
    assert "scene-koden" in capsys.readouterr().err


def test_unknown_theme(capsys):
    """An unknown theme is refused with the list of themes."""
    assert main(["hall", "--theme", "neon"]) == 2
    err = capsys.readouterr().err
    assert "neon" in err and "podium-dark" in err


def test_demo_runs_a_server_on_the_seed_day(tmp_path: Path):
    """`podium demo --no-hall` serves the seed day at 11.40 and prints how to connect."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("http_proxy", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "demo", "--no-hall", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(7)]
        text = "".join(lines)
        assert "podium moderator --server ws://127.0.0.1:" in text and "--token demo" in text
        assert "podium attendee --server" in text
        # The attendees' page, at the address printed.
        page = next(ln for ln in lines if "Deltagernes side:" in ln).split()[2]
        import urllib.request

        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(page, timeout=10 * UNIT) as r:
            assert r.status == 200 and b'<script src="app.js"' in r.read()
        # the printed command runs as printed, from where the demo was started (after
        # `make demo` the venv's bin is not on PATH: it was printed as "podium")
        line = next(ln for ln in lines if "moderator --server" in ln)
        command = line.split(":", 1)[1].split()[0]
        assert shutil.which(command) or (tmp_path / command).exists() or Path(command).exists()
        url = lines[0].split("serveren kører på ", 1)[1].split("/ws")[0]
        code = (
            "import asyncio, json\n"
            "from websockets.asyncio.client import connect\n"
            "async def m():\n"
            f"    async with connect('{url}/ws', proxy=None) as ws:\n"
            "        await ws.send(json.dumps({'type': 'hello', 'protocol': 1, 'role': 'hall'}))\n"
            "        await ws.recv()\n"
            "        print(json.loads(await ws.recv())['state']['current']['title'])\n"
            "asyncio.run(m())\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=20 * UNIT
        )
        assert out.stdout.strip() == "Unge, ensomhed og ungdomsuddannelser", out.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10 * UNIT)
        for s in (proc.stdout, proc.stderr):
            if s:
                s.close()
    assert proc.returncode == 0
    db = next(ln for ln in lines if "Database:" in ln).split("Database:", 1)[1].strip()
    leftover = subprocess.run(["pgrep", "-f", db], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""  # the demo's server stopped with it


def test_the_command_line_speaks_danish_and_shows_defaults(capsys):
    """argparse's own words are Danish (usage, options, errors, -h) unless --lang en, and
    every option of the screens has a help text with its default."""
    import pytest

    from kiosk.cli import main

    for argv in (["hall", "--help"], ["demo", "--help"], ["moderator", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert out.startswith("brug: podium") and "tilvalg:" in out, out
        assert "usage" not in out and "show this help" not in out
        options = [ln for ln in out.splitlines() if ln.startswith("  --")]
        for line in options:  # a help text on the line or the next one
            assert len(line.split()) > 1 or out.split(line, 1)[1].startswith("\n    "), line
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "(standard: 8765)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["hall", "--modee", "x"])
    assert "podium: fejl: ukendte argumenter: --modee x" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["hall", "--lang", "en", "--help"])
    assert capsys.readouterr().out.startswith("usage: podium hall")


async def test_textuals_own_words_are_danish_and_the_hall_ignores_ctrl_c():
    """The palette's commands and search field, and what Ctrl+C says, are Danish; on a
    hall screen Ctrl+C does nothing at all."""
    from kiosk.hall.app import make_app as make_hall
    from kiosk.moderator.app import make_app as make_moderator

    mod = make_moderator(connect=False)
    async with mod.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert [(n.title, n.message) for n in mod._notifications] == [
            ("Vil du afslutte?", "Tryk Ctrl+Q for at afslutte.")
        ]
        names = [c.title for c in mod.get_system_commands(mod.screen)]
        assert {"Tema", "Afslut", "Taster", "Skærmbillede"} <= set(names)
        assert not {"Theme", "Quit", "Keys", "Screenshot"} & set(names)
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.widgets import Input

        assert mod.screen.query_one(Input).placeholder == "Søg efter kommandoer …"
    hall = make_hall(connect=False)
    async with hall.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert list(hall._notifications) == [] and hall.is_running


def test_demo_on_a_two_room_programme(tmp_path: Path):
    """`podium demo --programme …demo-two-rooms.toml` serves both rooms (its hall would be
    the foyer screen)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    programme = ROOT / "server" / "programme" / "demo-two-rooms.toml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "demo", "--no-hall", "--port", "0",
         "--programme", str(programme)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split("serveren kører på ", 1)[1].split("/ws")[0]
        code = (
            "import asyncio, json\n"
            "from websockets.asyncio.client import connect\n"
            "async def m():\n"
            f"    async with connect('{url}/ws', proxy=None) as ws:\n"
            "        await ws.send(json.dumps({'type': 'hello', 'protocol': 1, 'role': 'hall', 'foyer': True}))\n"
            "        await ws.recv()\n"
            "        rooms = json.loads(await ws.recv())['state']['rooms']\n"
            "        print([(r['name'], r['current']['title']) for r in rooms])\n"
            "asyncio.run(m())\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=20 * UNIT
        )
        assert "('Meitner', 'Panel: fællesskab i byen')" in out.stdout, out.stderr
        assert "('Bohr Auditoriet', 'Workshop: frivillige i Bohr')" in out.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10 * UNIT)
        for s in (proc.stdout, proc.stderr):
            if s:
                s.close()


def test_demo_refuses_a_programme_it_cannot_read(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo", "--no-hall", "--port", "0",
         "--programme", str(tmp_path / "findes-ikke.toml")],
        capture_output=True, text=True, timeout=30 * UNIT, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "Programmet kan ikke indlæses:" in proc.stderr and "findes-ikke.toml" in proc.stderr
    assert "Traceback" not in proc.stderr
