"""bench/attack: how fast a moderator's command reaches a hall while the server is attacked.

The attacks of issue 12, each from its own process on the same machine (one address, as
behind a venue's NAT), against a real `podium serve`: a slot leak (1,200 plain GET /ws),
a question flood (300 fresh client ids × 5 questions of 280 emoji with 80-emoji names),
a ping flood (16 sockets), a resync storm (200 attendees asking 10 times a second), an
export flood (100 /programme.ics a second of a 1,000-item programme). While it runs, a
moderator sends `set_hall_message` 20 times and a hall times each until it shows it.
A moderator that cannot connect (or cannot load its snapshot) is reported as such.

With ``--before REV`` the same attacks run against that revision too (a git worktree),
so the figures before and after a fix come from one run on one machine.

    python -m bench.attack [--before 8804c84^] [--only pings,exports] [--samples 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bench.common import ROOT, machine, raise_fd_limit, start_server, stop

TOKEN = "bench-moderator"
ATTACKS = ("none", "slots", "questions", "pings", "resyncs", "exports")
#: Seconds the attack runs before the moderator starts measuring.
WARMUP_S = 2.0


# --- the server ---------------------------------------------------------------------


def programme_file(folder: Path, items: int = 1000) -> Path:
    """A valid programme of ``items`` one-minute talks (for the export flood)."""
    lines = [
        "[event]",
        'title = "Belastningsprøve"',
        'date = "2025-09-25"',
        'timezone = "Europe/Copenhagen"',
        'venue = "Loopback"',
    ]
    for n in range(items):
        t = 6 * 60 + n
        lines += [
            "",
            "[[items]]",
            f'title = "Punkt {n}: ensomhed og fællesskab"',
            f'start = "{t // 60:02d}:{t % 60:02d}"',
            'duration = "00:01"',
            'description = "En samtale om at række ud og om at blive set, hørt og mødt."',
        ]
    path = folder / "programme.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spawn(repo: Path, folder: Path, programme: Path | None) -> tuple[subprocess.Popen[str], int]:
    args = [
        "--db", str(folder / "bench.sqlite3"), "--clock", "2025-09-25T11:40",
        "--moderator-token", TOKEN, "--stage-token", "bench-stage",
    ]  # fmt: skip
    if programme is not None:
        args += ["--programme", str(programme), "--clock", "2025-09-25T06:30"]
    return start_server(*args, repo=repo)


# --- the attackers (each in its own process) -----------------------------------------


async def _slots(port: int, stop: float) -> None:
    """1,200 plain GET /ws without Upgrade, 50 at a time (each one leaked a slot)."""

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        await reader.read()
        writer.close()

    for _ in range(24):
        await asyncio.gather(*(one() for _ in range(50)), return_exceptions=True)


async def _questions(port: int, stop: float) -> None:
    """300 fresh client ids, 5 questions each, 280 emoji with an 80-emoji name."""
    text, name = "😀" * 280, "🙂" * 80

    async def one(n: int) -> None:
        async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None, max_size=2**24) as ws:
            hello = {"type": "hello", "protocol": 1, "role": "attendee", "client_id": f"f{n}"}
            await ws.send(json.dumps(hello))
            for k in range(5):
                args = {"text": text, "name": name}
                cmd = {"type": "command", "id": f"{n}-{k}", "name": "submit_question", "args": args}
                await ws.send(json.dumps(cmd))
            async with asyncio.timeout(30):
                acks = 0
                async for frame in ws:
                    msg = json.loads(frame)
                    if msg.get("type") in ("ack", "error") and msg.get("id"):
                        acks += 1
                        if acks == 5:
                            return

    for start in range(0, 300, 50):
        await asyncio.gather(*(one(n) for n in range(start, start + 50)), return_exceptions=True)


async def _hammer(port: int, stop: float, role: str, frame: str, pause: float, sockets: int) -> int:
    """``sockets`` connections of ``role``, each sending ``frame`` every ``pause`` seconds
    until ``stop``, reading everything and reconnecting when closed; the bytes received."""
    got = 0

    async def one() -> None:
        nonlocal got
        while time.monotonic() < stop:
            try:
                async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None, max_size=2**24) as ws:
                    await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": role}))

                    async def drain() -> None:
                        nonlocal got
                        async for f in ws:
                            got += len(f)

                    reader = asyncio.create_task(drain())
                    while time.monotonic() < stop:
                        await ws.send(frame)
                        await asyncio.sleep(pause)
                    reader.cancel()
            except (OSError, ConnectionClosed, InvalidStatus):
                await asyncio.sleep(0.05)

    await asyncio.gather(*(one() for _ in range(sockets)))
    return got


async def _pings(port: int, stop: float) -> None:
    """16 sockets sending app-level pings as fast as they can."""
    await _hammer(port, stop, "hall", json.dumps({"type": "ping"}), 0, 16)


async def _resyncs(port: int, stop: float) -> None:
    """200 attendees, each asking for the whole state 10 times a second."""
    t0 = time.monotonic()
    got = await _hammer(port, stop, "attendee", json.dumps({"type": "resync"}), 0.1, 200)
    print(json.dumps({"attacker_mb_per_s": round(got / (time.monotonic() - t0) / 1e6, 1)}))


def _get(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /programme.ics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        while s.recv(65536):
            pass


async def _exports(port: int, stop: float) -> None:
    """100 /programme.ics a second."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Future[None]] = set()
    while time.monotonic() < stop:
        fut = loop.run_in_executor(None, _get, port)
        pending.add(fut)
        fut.add_done_callback(pending.discard)
        await asyncio.sleep(0.01)
    await asyncio.gather(*pending, return_exceptions=True)


ATTACKERS: dict[str, Callable[[int, float], object]] = {
    "slots": _slots,
    "questions": _questions,
    "pings": _pings,
    "resyncs": _resyncs,
    "exports": _exports,
}


def attacker(kind: str, port: int, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.attack", "--attacker", kind, "--port", str(port),
         "--seconds", str(seconds)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


# --- the measurement -------------------------------------------------------------------


async def measure(port: int, samples: int) -> dict[str, object]:
    """The moderator's set_hall_message to the hall, ``samples`` times (seconds)."""
    url = f"ws://127.0.0.1:{port}/ws"
    out: dict[str, object] = {}
    try:
        hall = await connect(url, proxy=None, max_size=2**22, open_timeout=10)
        await hall.send(json.dumps({"type": "hello", "protocol": 1, "role": "hall"}))
        mod = await connect(url, proxy=None, max_size=2**22, open_timeout=10)  # as the console
        hello = {"type": "hello", "protocol": 1, "role": "moderator", "token": TOKEN}
        await mod.send(json.dumps(hello))
        async with asyncio.timeout(10):
            await mod.recv()  # welcome
            out["moderator_snapshot_bytes"] = len(str(await mod.recv()).encode())
    except InvalidStatus as exc:
        return {"refused": f"HTTP {exc.response.status_code}"}
    except ConnectionClosed as exc:
        return {"refused": f"closed {exc.rcvd.code if exc.rcvd else '?'}"}
    except (OSError, TimeoutError) as exc:
        return {"refused": type(exc).__name__}

    async def drain_mod() -> None:
        async for _ in mod:
            pass

    draining = asyncio.create_task(drain_mod())
    times: list[float] = []
    try:
        for n in range(samples):
            marker = f"Måling {n} {time.monotonic_ns()}"
            cmd = {"type": "command", "id": f"m{n}-{time.monotonic_ns()}",
                   "name": "set_hall_message", "args": {"text": marker}}  # fmt: skip
            t0 = time.perf_counter()
            await mod.send(json.dumps(cmd))
            try:
                async with asyncio.timeout(10):
                    while marker not in str(await hall.recv()):
                        pass
                times.append(time.perf_counter() - t0)
            except TimeoutError:
                times.append(10.0)
            await asyncio.sleep(0.1)
    except ConnectionClosed as exc:
        out["dropped"] = f"after {len(times)} samples ({exc.rcvd.code if exc.rcvd else '?'})"
    draining.cancel()
    for ws in (hall, mod):
        await ws.close()
    if times:
        times.sort()
        out["median_ms"] = round(statistics.median(times) * 1000, 1)
        out["max_ms"] = round(times[-1] * 1000, 1)
    return out


def run_one(repo: Path, kind: str, samples: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="podium-attack-") as tmp:
        folder = Path(tmp)
        programme = programme_file(folder) if kind == "exports" else None
        proc, port = spawn(repo, folder, programme)
        try:
            attack = None
            if kind != "none":
                seconds = WARMUP_S + samples * 0.6 + 15
                attack = attacker(kind, port, seconds)
                if kind in ("slots", "questions"):  # done before the moderator comes
                    attack.wait(timeout=180)
                else:
                    time.sleep(WARMUP_S)
            result = asyncio.run(measure(port, samples))
            if attack is not None and kind != "resyncs":
                attack.kill()
                attack.wait()
            elif attack is not None:
                try:  # the resync storm says what it received, on its last line
                    out, _ = attack.communicate(timeout=WARMUP_S + samples * 0.6 + 30)
                    result.update(json.loads(out.strip().splitlines()[-1]) if out.strip() else {})
                except (subprocess.TimeoutExpired, ValueError):
                    attack.kill()
                    attack.wait()
            return result
        finally:
            stop(proc)


def worktree(rev: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="podium-before-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), rev],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return path


def _cell(r: dict[str, object]) -> str:
    if "refused" in r:
        return f"moderator refused ({r['refused']})"
    text = f"{r.get('median_ms')} ms median, {r.get('max_ms')} ms max"
    if "dropped" in r:
        text += f"; moderator dropped {r['dropped']}"
    if "attacker_mb_per_s" in r:
        text += f"; the attackers received {r['attacker_mb_per_s']} MB/s"
    if "moderator_snapshot_bytes" in r:
        text += f"; snapshot {int(str(r['moderator_snapshot_bytes'])) / 1e6:.2f} MB"
    return text


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", help="a git revision to measure too (e.g. 8804c84^)")
    p.add_argument("--only", default=",".join(ATTACKS))
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--out", help="write the section of bench/RESULTS.md here")
    p.add_argument("--attacker", choices=list(ATTACKERS), help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, default=30.0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    raise_fd_limit()
    if args.attacker:
        asyncio.run(ATTACKERS[args.attacker](args.port, time.monotonic() + args.seconds))  # type: ignore[arg-type]
        return
    kinds = [k for k in args.only.split(",") if k in ATTACKS]
    sides = [("after", ROOT)]
    before = None
    if args.before:
        before = worktree(args.before)
        sides.insert(0, (f"before ({args.before})", before))
    rows = []
    base: dict[str, float] = {}
    try:
        for kind in kinds:
            cells = []
            for label, repo in sides:
                result = run_one(repo, kind, args.samples)
                print(f"{kind:10} {label:24} {json.dumps(result)}", flush=True)
                median = result.get("median_ms")
                if kind == "none" and isinstance(median, float):
                    base[label] = median
                cell = _cell(result)
                if kind != "none" and isinstance(median, float) and base.get(label):
                    cell += f" ({median / base[label]:.1f}× no attack)"
                cells.append(cell)
            rows.append(f"| {kind} | " + " | ".join(cells) + " |")
    finally:
        if before is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT)
    head = "| attack | " + " | ".join(label for label, _ in sides) + " |"
    table = f"{head}\n|{' --- |' * (len(sides) + 1)}\n" + "\n".join(rows)
    section = (
        "## bench/attack — a moderator's command to a hall while the server is attacked\n\n"
        f"Machine: {machine()}. {args.samples} `set_hall_message` per attack, each timed until "
        "the hall shows it; the attacks of issue 12 from another process on the same "
        "address. `none` is the baseline of the same run.\n\n" + table + "\n"
    )
    print("\n" + section)
    if args.out:
        Path(args.out).write_text(section, encoding="utf-8")


if __name__ == "__main__":
    main()
