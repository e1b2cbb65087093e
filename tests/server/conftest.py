"""Fixtures for server tests that need `podium serve` as a real subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.conftest import UNIT

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    """`python -m kiosk.cli serve …` in its own process."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.lines: list[str] = []
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("Stop med"):
                break
        else:
            raise AssertionError(
                f"server did not start: {self.proc.stderr.read() if self.proc.stderr else ''}"
            )
        m = re.search(r":(\d+)/ws", self.lines[0])
        assert m, self.lines
        self.port = int(m.group(1))

    def token(self, label: str) -> str:
        line = next(ln for ln in self.lines if ln.startswith(label))
        return line.rsplit(": ", 1)[1].strip()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=10 * UNIT)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["XDG_DATA_HOME"] = str(tmp_path / "data")  # the user's data directory, for the default db
    e["HOME"] = str(tmp_path / "home")
    for k in (
        "PODIUM_DB",
        "PODIUM_MODERATOR_TOKEN",
        "PODIUM_STAGE_TOKEN",
        "http_proxy",
        "https_proxy",
    ):
        e.pop(k, None)
    e["PYTHONPATH"] = str(ROOT)
    return e


@pytest.fixture
async def spawn(env: dict[str, str]) -> AsyncIterator[Callable[..., ServerProcess]]:
    procs: list[ServerProcess] = []

    def _spawn(*args: str, extra_env: dict[str, str] | None = None) -> ServerProcess:
        p = ServerProcess(list(args), {**env, **(extra_env or {})})
        procs.append(p)
        return p

    yield _spawn
    for p in procs:
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()
        for stream in (p.proc.stdout, p.proc.stderr):
            if stream:
                stream.close()
