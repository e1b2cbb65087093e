"""The `podium` command line for the screens: arguments checked before anything starts."""

from __future__ import annotations

import argparse
import os
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
        lines = [proc.stdout.readline() for _ in range(5)]
        text = "".join(lines)
        assert "podium moderator --server ws://127.0.0.1:" in text and "--token demo" in text
        assert "podium attendee --server" in text
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
