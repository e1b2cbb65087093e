"""Shared by the benchmarks: the machine, medians, a server in its own process, a pty."""

from __future__ import annotations

import fcntl
import os
import platform
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Debian's Chromium, headless, for the page's benchmark and the browser tests: without the
#: background-networking flags it keeps trying hosts a closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.node()} · {cpu} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def raise_fd_limit() -> None:
    """Thousands of connections need thousands of file descriptors (children inherit it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(*args: str, repo: Path = ROOT) -> tuple[subprocess.Popen[str], int]:
    """`podium serve` on a free port of 127.0.0.1, in its own process (from ``repo``: this
    checkout, or another revision's worktree)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    m = re.search(r":(\d+)/ws", first)
    if not m:
        proc.kill()
        raise RuntimeError(f"server did not start: {first!r}")
    for line in proc.stdout:
        if line.startswith(("Stop med", "Stop with")):
            break
    return proc, int(m.group(1))


def stop(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, and SIGKILL if it has not gone within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class PtyApp:
    """A terminal app in a pseudo-terminal of a given size; its output is read and dropped."""

    def __init__(self, argv: list[str], size: tuple[int, int] = (120, 40)) -> None:
        self.master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True
        )
        os.close(slave)
        self.output = b""

    def pump(self, seconds: float) -> None:
        """Read (and keep the last 64 KiB of) the output for a while."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            r, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if r:
                try:
                    self.output = (self.output + os.read(self.master, 65536))[-65536:]
                except OSError:
                    return

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Seconds from start until ``marker`` appeared on the terminal."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            self.pump(0.01)
            if marker in self.output:
                return time.perf_counter() - self.started
        raise TimeoutError(f"{marker!r} did not appear")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def write_results(out: Path, rows: list[str]) -> int:
    """A benchmark's Markdown rows to ``out`` (its folder made) and to the terminal; 0."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(rows), encoding="utf-8")
    print("\n".join(rows))
    return 0
