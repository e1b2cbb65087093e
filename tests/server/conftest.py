"""Fixtures for server tests that need `podium serve` as a real subprocess."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, text

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


# --- PostgreSQL ----------------------------------------------------------------------

PG_URL = os.environ.get("PODIUM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    u = urlparse(PG_URL.replace("+psycopg", ""))
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or 5432), timeout=1):
            pass
    except OSError as exc:
        return f"PostgreSQL not reachable at {u.hostname}:{u.port}: {exc}"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'podium[postgres]')"
    return None


@pytest.fixture
def pg_schema_name() -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards. Skips with the reason where there is no
    PostgreSQL; with PODIUM_REQUIRE_SERVICES=1 (as on CI) that is a failure instead."""
    reason = pg_unreachable()
    if reason:
        if os.environ.get("PODIUM_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"podium_t_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
