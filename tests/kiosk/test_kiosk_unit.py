"""The kiosk set-up: `podium hall --print-kiosk-unit` writes a unit systemd accepts, and
the hall tells systemd it is ready and alive (the watchdog restarts a frozen screen)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.hall.app import make_app
from tests.kiosk.helpers import at, snapshot, wait_for


def _unit(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "hall", "--print-kiosk-unit", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def _fields(text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            fields.setdefault(key, []).append(value)
    return fields


def test_the_unit_starts_the_screen_at_boot_and_again_after_any_fall():
    text = _unit("--server", "192.168.1.10:8765", "--room", "faellessalen", "--theme",
                 "podium-contrast")  # fmt: skip
    f = _fields(text)
    start = f["ExecStart"][0]
    assert start.endswith(
        "hall --server ws://192.168.1.10:8765/ws --mode audience --lang da"
        " --room faellessalen --theme podium-contrast"
    )
    assert Path(start.split()[0]).is_absolute()  # no PATH under systemd
    assert f["Restart"] == ["always"] and f["StartLimitIntervalSec"] == ["0"]
    assert f["Type"] == ["notify"] and f["WatchdogSec"] == ["15"]
    assert f["WantedBy"] == ["multi-user.target"]  # at boot, with no desktop
    assert f["TTYPath"] == ["/dev/tty1"] and f["Conflicts"] == ["getty@tty1.service"]
    assert any("setterm --blank 0 --powerdown 0" in c for c in f["ExecStartPre"])
    assert any("setfont" in c for c in f["ExecStartPre"])


def test_a_stage_unit_reads_its_token_from_a_file_never_the_command_line():
    text = _unit("--mode", "stage", "--token", "hemmelig", "--kiosk-tty", "tty2")
    assert "hemmelig" not in text
    f = _fields(text)
    assert f["EnvironmentFile"] == ["/etc/podium/stage.env"]
    assert "--mode stage" in f["ExecStart"][0] and f["TTYPath"] == ["/dev/tty2"]


def test_systemd_accepts_the_unit(tmp_path: Path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        reason = "systemd-analyze is not installed (Debian: package systemd)"
        if os.environ.get("PODIUM_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    for args in ((), ("--mode", "stage")):
        unit = tmp_path / "podium-hall-tty1.service"
        unit.write_text(_unit("--server", "10.0.0.2:8765", *args))
        out = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        # It is a real check: a unit with a broken line is refused.
        unit.write_text(unit.read_text().replace("Restart=always", "Restart=når-som-helst"))
        out = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True)
        assert "restart specifier" in out.stderr


async def test_the_hall_tells_systemd_it_is_ready_and_alive(tmp_path: Path, monkeypatch):
    """READY=1 when it shows, then WATCHDOG=1 every second while the screen ticks."""
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    got: list[str] = []

    def read() -> list[str]:
        try:
            while True:
                got.append(sock.recv(100).decode())
        except BlockingIOError:
            return got

    now = at("11:40")
    app = make_app(connect=False, now=lambda: now)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.feed(1, snapshot(now, "hall"))
            await wait_for(pilot, lambda: read().count("WATCHDOG=1") >= 2)
            assert got[0] == "READY=1"
    finally:
        sock.close()
