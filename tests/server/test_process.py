"""`podium serve` as a real subprocess: start-up, SIGKILL and restart, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import UNIT, Client

ROOT = Path(__file__).resolve().parents[2]


async def hello(port: int, role: str, **kw: Any) -> Client:
    ws = await connect(f"ws://127.0.0.1:{port}/ws", proxy=None)
    c = Client(ws)
    await c.send({"type": "hello", "protocol": 1, "role": role, **kw})
    c.welcome = await c.expect("welcome")
    await c.expect("snapshot")
    return c


async def test_serve_with_no_flags_uses_the_seed_and_the_data_dir(spawn, env):
    """`podium serve` on a fresh machine: seed, SQLite in a private data dir, new tokens
    printed once (only their hash is stored); later starts print none, and
    --show-tokens makes new ones."""
    p = spawn()
    assert any(ln.startswith("Moderator-kode (ny):") for ln in p.lines)
    db = Path(env["XDG_DATA_HOME"]) / "podium" / "podium.sqlite3"
    assert db.exists()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    token = p.token("Moderator-kode")
    health = f"http://127.0.0.1:{p.port}/healthz"
    body = json.loads(urllib.request.urlopen(health, timeout=5).read())
    assert body["status"] == "ok" and "clients" not in body  # who is connected: not public
    asked = urllib.request.Request(health, headers={"Authorization": f"Bearer {token}"})
    body = json.loads(urllib.request.urlopen(asked, timeout=5).read())
    assert set(body["clients"]) == {"hall", "stage", "moderator", "attendee"}
    hall = await hello(p.port, "hall")
    assert len(hall.snapshot["state"]["programme"]) == 12
    await hall.close()
    assert p.stop() == 0
    stored = b"".join(f.read_bytes() for f in db.parent.glob("podium.sqlite3*"))
    assert token.encode() not in stored and b"pbkdf2_sha256$" in stored
    again = spawn()
    assert not any(ln.startswith(("Moderator-kode", "Scene-kode")) for ln in again.lines)
    assert any("vises kun, når de laves" in ln for ln in again.lines)
    mod = await hello(again.port, "moderator", token=token)  # the same token still opens
    assert mod.welcome["role"] == "moderator"
    await mod.close()
    assert again.stop() == 0
    shown = spawn("--show-tokens")
    assert any(ln.startswith("Moderator-kode (ny – den gamle") for ln in shown.lines)
    assert shown.token("Moderator-kode") != token


async def test_a_token_file_is_read_and_a_missing_one_refused(spawn, tmp_path: Path):
    """--moderator-token-file keeps the token out of `ps`; an unreadable file stops serve."""
    path = tmp_path / "moderator.token"
    path.write_text("fra-filen\n", encoding="utf-8")
    p = spawn("--moderator-token-file", str(path))
    mod = await hello(p.port, "moderator", token="fra-filen")
    assert mod.welcome["role"] == "moderator"
    await mod.close()
    p.stop()
    r = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "serve", "--moderator-token-file", str(tmp_path / "nej")],
        capture_output=True, text=True, timeout=30 * UNIT, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 2 and "Kan ikke læse adgangskoden" in r.stderr


async def test_question_on_screen_survives_sigkill(spawn, tmp_path: Path):
    """Acked changes survive a SIGKILL: the restarted server shows the same question on screen."""
    db = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    p = spawn("--db", db, "--clock", "2025-09-25T11:40", "--moderator-token", "m")
    att = await hello(p.port, "attendee", client_id="ida")
    assert att.snapshot["state"]["current"]["title"] == "Unge, ensomhed og ungdomsuddannelser"
    mod = await hello(p.port, "moderator", token="m")
    ack = await att.command("submit_question", text="Overlever jeg et nedbrud?", name="Ida")
    qid = ack["result"]["question_id"]
    await mod.command("approve_question", question_id=qid)
    shown = await mod.command("show_question", question_id=qid)
    assert shown["type"] == "ack"
    p.stop(signal.SIGKILL)
    q = spawn("--db", db, "--clock", "2025-09-25T11:41", "--moderator-token", "m")
    hall = await hello(q.port, "hall")
    on = hall.snapshot["state"]["on_screen_question"]
    assert on["id"] == qid and on["text"] == "Overlever jeg et nedbrud?" and on["name"] == "Ida"
    assert hall.snapshot["revision"] >= shown["revision"]
    # the resent command is answered from the log, not applied again
    att2 = await hello(q.port, "attendee", client_id=att.welcome["client_id"])
    assert att2.welcome["client_id"] == att.welcome["client_id"]  # the signing key is stored
    await att2.send(
        {
            "type": "command",
            "id": "c1",
            "name": "submit_question",
            "args": {"text": "Overlever jeg et nedbrud?", "name": "Ida"},
        }
    )
    again = await att2.expect("ack")
    assert again["result"]["question_id"] == qid
    mod2 = await hello(q.port, "moderator", token="m")
    assert len(mod2.snapshot["state"]["questions"]) == 1


async def test_sigterm_closes_clients_with_1001(spawn):
    """SIGTERM: connected clients see close code 1001 and the process exits 0."""
    p = spawn()
    hall = await hello(p.port, "hall")
    p.proc.send_signal(signal.SIGTERM)
    with pytest.raises(ConnectionClosed):
        while True:
            await hall.recv(timeout=10 * UNIT)
    assert hall.ws.close_code == 1001
    assert p.proc.wait(timeout=10 * UNIT) == 0


async def test_tokens_from_environment(spawn):
    """PODIUM_MODERATOR_TOKEN sets the moderator token."""
    p = spawn(extra_env={"PODIUM_MODERATOR_TOKEN": "fra-miljøet"})
    assert not any(ln.startswith("Moderator-kode") for ln in p.lines)  # known: not printed
    mod = await hello(p.port, "moderator", token="fra-miljøet")
    assert mod.welcome["role"] == "moderator"


async def test_unknown_path_is_404(spawn):
    """Anything but /ws and /healthz is a 404 with a JSON body."""
    p = spawn()
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"http://127.0.0.1:{p.port}/nope", timeout=5)
    assert exc.value.code == 404


async def test_bad_programme_refuses_to_start_and_changes_nothing(spawn, env, tmp_path: Path):
    """A bad --programme makes serve exit 2 with the problems, leaving the stored programme."""
    db = f"sqlite:///{tmp_path / 'prog.sqlite3'}"
    first = spawn("--db", db)
    assert first.stop() == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[event]\ntitle = "X"\ndate = 2025-09-25\n\n'
        '[[items]]\ntitle = "A"\nstart = "25:00"\nend = "10:00"\n'
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "serve",
            "--port",
            "0",
            "--db",
            db,
            "--programme",
            str(bad),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "start" in proc.stderr and "25:00" in proc.stderr
    again = spawn("--db", db)
    hall = await hello(again.port, "hall")
    assert len(hall.snapshot["state"]["programme"]) == 12
    await asyncio.sleep(0)


async def test_a_read_only_database_refuses_to_start(spawn, env, tmp_path: Path):
    """serve on a database it cannot write exits 1 with a clear message, not a server whose
    every command would fail after flashing on the screens."""
    path = tmp_path / "ro.sqlite3"
    first = spawn("--db", f"sqlite:///{path}")
    assert first.stop() == 0
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "serve", "--port", "0", "--db", read_only],
        capture_output=True,
        text=True,
        env=env,
        timeout=30 * UNIT,
    )
    assert proc.returncode == 1
    assert "Serveren kan ikke starte" in proc.stderr and "readonly" in proc.stderr
    assert "Traceback" not in proc.stderr


def _serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`podium serve` that is expected to refuse to start."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "serve", *args],
        capture_output=True, text=True, timeout=30 * UNIT, cwd=ROOT, env=env,
    )  # fmt: skip


async def test_a_second_serve_on_the_same_sqlite_file_is_refused(spawn, env, tmp_path: Path):
    """Two writers on one SQLite file would overwrite each other's live state: the second
    `serve` says who holds it and exits 1; once the first stops, a new one starts."""
    db = str(tmp_path / "dag.sqlite3")
    first = spawn("--db", db)
    r = _serve(env, "--db", db, "--port", "0")
    assert r.returncode == 1, r.stderr
    assert f"bruges allerede af en anden podium serve (proces {first.proc.pid})" in r.stderr
    assert first.stop() == 0
    again = spawn("--db", db)
    assert again.stop() == 0


async def test_a_port_in_use_is_said_in_danish_and_creates_nothing(spawn, env, tmp_path: Path):
    """The port of a running server: a Danish message with the hint, and no database made."""
    first = spawn("--db", str(tmp_path / "a.sqlite3"))
    other = tmp_path / "b.sqlite3"
    r = _serve(env, "--db", str(other), "--port", str(first.port), "--host", "127.0.0.1")
    assert r.returncode == 1
    assert f"Port {first.port} er optaget" in r.stderr and "--port" in r.stderr
    assert "Errno" not in r.stderr and not other.exists()


async def test_rewinding_a_rehearsal_is_warned(spawn, tmp_path: Path):
    """A rehearsal restarted with an earlier --clock says the day rewinds under what is
    stored (it started silently); a later --clock says nothing."""
    db = str(tmp_path / "proeve.sqlite3")
    first = spawn("--db", db, "--clock", "2025-09-25T15:20", "--moderator-token", "m")
    mod = await hello(first.port, "moderator", token="m")
    assert (await mod.command("next"))["type"] == "ack"  # the panel went live at 15.20
    await mod.close()
    assert first.stop() == 0
    again = spawn("--db", db, "--clock", "2025-09-25T10:00")
    assert any(ln.startswith("Advarsel: --clock (25.09. 10.00) ligger før") for ln in again.lines)
    assert again.stop() == 0
    later = spawn("--db", db, "--clock", "2025-09-25T16:00", "--clock-speed", "10")
    assert not any("Advarsel" in ln for ln in later.lines)
    assert later.stop() == 0
