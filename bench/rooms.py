"""bench/rooms: what 12 rooms over 4 days cost, against one room on one day, in the same run.

Both programmes come from the same generator (a talk of 50 minutes or a 20-minute break
every slot from 09.00, a description of about 400 characters, one or two speakers), so
only the number of rooms and days differs.

- load: reading the programme file (native TOML; and the same programme as schedule.xml),
  median of 7 reads in this process;
- ready: `podium serve --programme FILE` from its start to the line saying it listens;
- snapshot: the first frame each role gets (hall, stage, moderator and attendee of the
  first room, and the foyer screen), in bytes;
- fan-out per room: K hall clients in every room; the first room's moderator posts a hall
  message for its room. Timed: from the send until the last of that room's halls has it
  (p50/p99 over the rounds); counted: the frames that reached the other rooms' halls,
  and the server's CPU time per command. The baseline is the same number of halls in
  the one-room programme. A message for all rooms is timed too.

    python -m bench.rooms [--rooms 12] [--days 4] [--per-room 40] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.common import cpu_seconds, machine, raise_fd_limit, start_server, stop, write_results
from server.programme.importer import read_programme_file
from server.programme.schedule_export import export_xml

TIMEOUT = 30.0
FIRST_DAY = date(2025, 10, 6)
CLOCK = "2025-10-06T10:10"
WORDS = [
    "fællesskab",
    "forening",
    "frivillige",
    "kommune",
    "netværk",
    "borgere",
    "samtale",
    "ensomhed",
    "lokal",
    "handling",
    "strategi",
    "erfaring",
    "praksis",
    "mødested",
    "unge",
    "ældre",
    "hverdag",
    "invitation",
]


def programme_toml(rooms: int, days: int, slots: int = 9) -> str:
    """A made-up programme: ``rooms`` rooms, ``days`` days, ``slots`` items a room a day."""
    out = [
        "[event]",
        'title = "Bænkmærket"',
        f"date = {FIRST_DAY.isoformat()}",
        'timezone = "Europe/Copenhagen"',
        "",
    ]
    for r in range(1, rooms + 1):
        out += ["[[rooms]]", f'id = "r{r:02d}"', f'name = "Sal {r}"', ""]
    for d in range(days):
        day = FIRST_DAY + timedelta(days=d)
        for r in range(1, rooms + 1):
            minute = 9 * 60
            for s in range(slots):
                brk = s % 4 == 3
                length = 20 if brk else 50
                words = " ".join(WORDS[(s + r + d + i) % len(WORDS)] for i in range(55))
                out += [
                    "[[items]]",
                    f'id = "d{d + 1}-r{r:02d}-{s}"',
                    f'room = "r{r:02d}"',
                    f"date = {day.isoformat()}",
                    f'start = "{minute // 60:02d}:{minute % 60:02d}"',
                    f'end = "{(minute + length) // 60:02d}:{(minute + length) % 60:02d}"',
                    f'kind = "{"break" if brk else "panel" if s % 4 == 1 else "talk"}"',
                    f'title = "{"Pause" if brk else f"Oplæg {s + 1} i sal {r}, dag {d + 1}"}"',
                ]
                if not brk:
                    out += [
                        f'description = "{words.capitalize()}."',
                        "speakers = [",
                        f'  {{ name = "Taler {r}-{s}", role = "formand" }},',
                        *([f'  {{ name = "Gæst {d}-{s}" }},'] if s % 2 else []),
                        "]",
                    ]
                out.append("")
                minute += length
    return "\n".join(out)


def load_times(path: Path) -> tuple[float, float, int]:
    """Median seconds to read the TOML file and the same programme as schedule.xml."""
    programme = read_programme_file(path).programme
    xml = path.with_suffix(".xml")
    xml.write_text(export_xml(programme), encoding="utf-8")
    toml_s, xml_s = [], []
    for _ in range(7):
        t0 = time.perf_counter()
        read_programme_file(path)
        toml_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_programme_file(xml)
        xml_s.append(time.perf_counter() - t0)
    return statistics.median(toml_s), statistics.median(xml_s), len(programme.items)


def _hello(role: str, room: str | None = None, **extra: object) -> str:
    msg: dict[str, object] = {"type": "hello", "protocol": 1, "role": role, **extra}
    if room is not None:
        msg["room"] = room
    return json.dumps(msg)


async def _open(url: str, hello: str) -> tuple[ClientConnection, str]:
    ws = await connect(url, proxy=None, compression=None, max_size=2**23, ping_interval=None)
    await ws.send(hello)
    await ws.recv()  # welcome
    return ws, str(await ws.recv())  # the first snapshot


class Halls:
    """K hall clients of one room: their arrivals after ``arm()`` are timed and counted."""

    def __init__(self) -> None:
        self.conns: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.t0 = 0.0
        self.pending = 0
        self.samples: list[float] = []
        self.frames = 0
        self.done = asyncio.Event()

    async def open(self, url: str, room: str, k: int) -> None:
        for start in range(0, k, 50):
            pairs = await asyncio.gather(
                *(_open(url, _hello("hall", room)) for _ in range(min(50, k - start)))
            )
            self.conns += [ws for ws, _ in pairs]
        self.tasks = [asyncio.create_task(self._read(ws)) for ws in self.conns]

    async def _read(self, ws: ClientConnection) -> None:
        async for _frame in ws:
            self.frames += 1
            if self.pending > 0:
                self.samples.append(time.perf_counter() - self.t0)
                self.pending -= 1
                if self.pending == 0:
                    self.done.set()

    def arm(self, t0: float) -> None:
        self.done.clear()
        self.pending = len(self.conns)
        self.t0 = t0

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*(ws.close() for ws in self.conns), return_exceptions=True)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


async def serve_and_measure(path: Path, rooms: int, halls: int, rounds: int) -> dict[str, object]:
    """Ready time, snapshot sizes, and the fan-out of a room's and an all-rooms message."""
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "rooms.sqlite3"
    t0 = time.perf_counter()
    server, port = start_server(
        "--db", str(db), "--programme", str(path), "--clock", CLOCK,
        "--moderator-token", "bench", "--stage-token", "bench-stage",
        "--limit", "max_connections=100000", "--limit", "max_connections_per_ip=100000",
        "--limit", "commands_per_second=100000", "--limit", "command_burst=100000",
    )  # fmt: skip
    ready = time.perf_counter() - t0
    url = f"ws://127.0.0.1:{port}/ws"
    out: dict[str, object] = {"ready": ready}
    groups: list[Halls] = []
    try:
        sizes = {}
        for role, hello in (
            ("hall", _hello("hall", "r01")),
            ("stage", _hello("stage", "r01", token="bench-stage")),
            ("moderator", _hello("moderator", "r01", token="bench")),
            ("attendee", _hello("attendee", "r01", client_id="bench-attendee-1")),
            ("foyer", _hello("hall", foyer=True)),
        ):
            ws, snap = await _open(url, hello)
            sizes[role] = len(snap.encode())
            await ws.close()
        out["sizes"] = sizes
        per_room = max(1, halls // rooms)
        for r in range(1, rooms + 1):
            g = Halls()
            await g.open(url, f"r{r:02d}", per_room)
            groups.append(g)
        mod, _ = await _open(url, _hello("moderator", "r01", token="bench"))
        try:
            for label, args in (("room", {}), ("all", {"all_rooms": True})):
                samples: list[float] = []
                others = 0
                cpu0 = cpu_seconds(server.pid)
                for n in range(rounds + 1):  # the first round warms up
                    targets = groups if label == "all" else groups[:1]
                    for g in groups:
                        g.samples, g.frames = [], 0
                    t = time.perf_counter()
                    for g in targets:
                        g.arm(t)
                    await mod.send(
                        json.dumps(
                            {
                                "type": "command",
                                "id": f"{label}{n}",
                                "name": "set_hall_message",
                                "args": {"text": f"Runde {n}", **args},
                            }
                        )
                    )
                    await asyncio.wait_for(
                        asyncio.gather(*(g.done.wait() for g in targets)), TIMEOUT
                    )
                    await asyncio.sleep(0.05)  # what else arrives, arrives now
                    if n:
                        samples += [s for g in targets for s in g.samples]
                        others += sum(g.frames for g in groups if g not in targets)
                cpu = (cpu_seconds(server.pid) - cpu0) / (rounds + 1)
                out[label] = {
                    "p50": pct(samples, 50) * 1000,
                    "p99": pct(samples, 99) * 1000,
                    "others": others / rounds,
                    "cpu_ms": cpu * 1000,
                    "clients": sum(
                        len(g.conns) for g in (groups if label == "all" else groups[:1])
                    ),
                }
        finally:
            await mod.close()
    finally:
        for g in groups:
            await g.close()
        stop(server)
    return out


def measure(rooms: int, days: int, halls: int, rounds: int) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="podium-rooms-"))
    big, small = tmp / "big.toml", tmp / "small.toml"
    big.write_text(programme_toml(rooms, days), encoding="utf-8")
    small.write_text(programme_toml(1, 1), encoding="utf-8")
    load = {name: load_times(p) for name, p in (("big", big), ("small", small))}
    runs: dict[str, list[dict[str, object]]] = {"big": [], "small": []}
    for _ in range(2):  # alternate the two sides
        runs["small"].append(asyncio.run(serve_and_measure(small, 1, halls, rounds)))
        runs["big"].append(asyncio.run(serve_and_measure(big, rooms, halls, rounds)))

    def med(side: str, *path: str) -> float:
        vals = []
        for run in runs[side]:
            v: object = run
            for p in path:
                v = v[p]  # type: ignore[index]
            vals.append(float(v))  # type: ignore[arg-type]
        return statistics.median(vals)

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}×" if b else "—"

    n_big, n_small = load["big"][2], load["small"][2]
    rows = [
        f"## bench/rooms — {rooms} rooms over {days} days, against 1 room on 1 day",
        "",
        f"Machine: {machine()}. Programmes from one generator: {n_big} items "
        f"({rooms} rooms × {days} days) and {n_small} items (1 × 1). Servers in their own "
        f"process, clients in this one; 2 alternating runs per side, medians; {rounds} rounds "
        f"of each message per run.",
        "",
        f"| what | {rooms} rooms × {days} days | 1 room × 1 day | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    bt, bx, _ = load["big"]
    st, sx, _ = load["small"]
    rows.append(
        f"| read the TOML file | {bt * 1000:.1f} ms | {st * 1000:.1f} ms | {ratio(bt, st)} |"
    )
    rows.append(
        f"| read it as schedule.xml | {bx * 1000:.1f} ms | {sx * 1000:.1f} ms | {ratio(bx, sx)} |"
    )
    b, s = med("big", "ready"), med("small", "ready")
    rows.append(f"| `podium serve` until it listens | {b:.2f} s | {s:.2f} s | {ratio(b, s)} |")
    for role in ("hall", "stage", "moderator", "attendee", "foyer"):
        b, s = med("big", "sizes", role), med("small", "sizes", role)
        rows.append(
            f"| first snapshot, {role} | {b / 1024:.1f} KiB | {s / 1024:.1f} KiB | {ratio(b, s)} |"
        )
    per_room = max(1, halls // rooms)
    for label, what in (("room", "a room's hall message"), ("all", "a message for all rooms")):
        bc, sc = int(med("big", label, "clients")), int(med("small", label, "clients"))
        for key, unit, name in (
            ("p50", "ms", "p50 to its halls"),
            ("p99", "ms", "p99 to its halls"),
            ("cpu_ms", "ms", "server CPU per command"),
        ):
            b, s = med("big", label, key), med("small", label, key)
            rows.append(
                f"| {what}: {name} ({bc} / {sc} halls) | {b:.1f} {unit} | {s:.1f} {unit} | {ratio(b, s)} |"
            )
    b = med("big", "room", "others")
    rows.append(
        f"| a room's hall message: frames to the other {rooms - 1} rooms' "
        f"{per_room * (rooms - 1)} halls, per command | {b:.0f} | — | — |"
    )
    rows.append("")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rooms", type=int, default=12)
    p.add_argument("--days", type=int, default=4)
    p.add_argument("--halls", type=int, default=480, help="hall clients in all (each side)")
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--out", type=Path, default=Path("bench/results/rooms.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    rows = measure(args.rooms, args.days, args.halls, args.rounds)
    return write_results(args.out, rows)


if __name__ == "__main__":
    raise SystemExit(main())
