"""bench/page: the attendees' page — its weight, its first useful paint, and what 1,000
page-like attendees cost the server against 1,000 like the Textual client.

- Weight: every file of the page, raw and gzipped; the budget is 100 KB uncompressed.
- First useful paint: Debian's Chromium (headless, Playwright) opens the page on a real
  `podium serve` on loopback, a new browser context (cold cache) each time; the time from
  navigation start until the live item's title is on the page. Baseline in the same run:
  the first contentful paint of a one-line static HTML page from a bare HTTP server.
- Server cost: 1,000 websocket attendees that say hello as the page does (an Origin
  header, its own client id) against 1,000 as the Textual client does (no Origin): the
  server's CPU seconds to take them in (handshake, welcome, snapshot, their own questions)
  and to send them 20 announcements, and its RSS after. The sides alternate.

    python -m bench.page [--clients 1000] [--paints 7] [--alternations 2]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.common import (
    CHROMIUM_ARGS,
    ROOT,
    cpu_seconds,
    machine,
    raise_fd_limit,
    rss_mib,
    start_server,
    stop,
)

PAGE = ROOT / "server" / "page"
BUDGET = 100 * 1024
TIMEOUT = 60.0


def weight() -> list[str]:
    rows, raw_total, gz_total = [], 0, 0
    for path in sorted(PAGE.iterdir()):
        data = path.read_bytes()
        packed = len(gzip.compress(data, 6))
        raw_total += len(data)
        gz_total += packed
        rows.append(f"| {path.name} | {len(data):,} | {packed:,} |")
    met = "yes" if raw_total < BUDGET else "**no**"
    rows.append(f"| **all** | **{raw_total:,}** | **{gz_total:,}** |")
    rows.append("")
    rows.append(f"Budget: under {BUDGET:,} bytes uncompressed: met: {met}.")
    return rows


def _server_args(db: Path) -> list[str]:
    return [
        "--db", str(db), "--clock", "2025-09-25T11:40", "--moderator-token", "bench",
        "--limit", "max_connections=100000", "--limit", "max_connections_per_ip=100000",
        "--limit", "commands_per_second=100000", "--limit", "command_burst=100000",
    ]  # fmt: skip


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


async def paints(runs: int) -> tuple[list[float], list[float]] | None:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return None
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="podium-bench-page-"))
    (folder / "index.html").write_text("<!doctype html><title>x</title><p>Podium</p>\n")
    bare = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(folder))
    )
    threading.Thread(target=bare.serve_forever, daemon=True).start()
    server, port = start_server(*_server_args(folder / "paint.sqlite3"))
    useful: list[float] = []
    baseline: list[float] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for i in range(runs + 1):  # the first of each warms up
                for side in ("page", "bare"):
                    context = await browser.new_context(locale="da-DK")
                    page = await context.new_page()
                    if side == "page":
                        await page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
                        handle = await page.wait_for_function(
                            "() => document.querySelector('.now-title') && performance.now()",
                            polling=5,
                            timeout=TIMEOUT * 1000,
                        )
                        ms = float(await handle.json_value())
                        if i:
                            useful.append(ms)
                    else:
                        await page.goto(f"http://127.0.0.1:{bare.server_port}/")
                        handle = await page.wait_for_function(
                            "() => { const e = performance.getEntriesByName("
                            "'first-contentful-paint')[0]; return e && e.startTime; }",
                            polling=5,
                            timeout=TIMEOUT * 1000,
                        )
                        ms = float(await handle.json_value())
                        if i:
                            baseline.append(ms)
                    await context.close()
            await browser.close()
    finally:
        stop(server)
        bare.shutdown()
    return useful, baseline


async def _attendees(url: str, n: int, page_like: bool, port: int) -> list[ClientConnection]:
    conns: list[ClientConnection] = []

    async def one() -> None:
        headers = {"Origin": f"http://127.0.0.1:{port}"} if page_like else None
        ws = await connect(
            url,
            proxy=None,
            compression=None,
            max_size=2**22,
            open_timeout=TIMEOUT,
            ping_interval=None,
            additional_headers=headers,
        )
        hello = {"type": "hello", "protocol": 1, "role": "attendee"}
        if page_like:
            hello["lang"] = "da"
        await ws.send(json.dumps(hello))
        kinds: set[str] = set()
        while not {"welcome", "snapshot", "mine"} <= kinds:
            kinds.add(json.loads(await ws.recv())["type"])
        conns.append(ws)

    for start in range(0, n, 100):
        await asyncio.gather(*(one() for _ in range(min(100, n - start))))
    return conns


async def _drain(ws: ClientConnection, want: int, got: list[int]) -> None:
    async for frame in ws:
        if '"hall_message"' in str(frame):
            got[0] += 1
            if got[0] >= want:
                return


async def cost(n: int, page_like: bool) -> tuple[float, float, float]:
    """(CPU s to take n attendees in, CPU s for 20 announcements to them, RSS MiB after)."""
    db = Path(tempfile.mkdtemp(prefix="podium-bench-")) / "page.sqlite3"
    server, port = start_server(*_server_args(db))
    url = f"ws://127.0.0.1:{port}/ws"
    conns: list[ClientConnection] = []
    try:
        await asyncio.sleep(0.5)
        before = cpu_seconds(server.pid)
        conns = await _attendees(url, n, page_like, port)
        await asyncio.sleep(0.5)  # the mine frames and coalesced updates are out
        joined = cpu_seconds(server.pid) - before
        async with connect(url, proxy=None, compression=None, max_size=2**22) as mod:
            await mod.send(
                json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "bench"})
            )
            await mod.recv()
            await mod.recv()
            counts = [[0] for _ in conns]
            readers = [
                asyncio.create_task(_drain(ws, 20, c)) for ws, c in zip(conns, counts, strict=True)
            ]
            before = cpu_seconds(server.pid)
            for r in range(20):
                cmd = {"type": "set_hall_message", "text": f"Runde {r}"}
                await mod.send(
                    json.dumps(
                        {
                            "type": "command",
                            "id": f"m{r}",
                            "name": cmd["type"],
                            "args": {"text": cmd["text"]},
                        }
                    )
                )
                await asyncio.sleep(0.06)  # past the attendees' 50 ms coalescing
            await asyncio.wait_for(asyncio.gather(*readers), TIMEOUT)
            sent = cpu_seconds(server.pid) - before
        return joined, sent, rss_mib(server.pid)
    finally:
        await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)
        stop(server)


async def measure(n: int, alternations: int) -> list[str]:
    runs: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    for _ in range(alternations):
        for page_like in (True, False):
            runs[page_like].append(await cost(n, page_like))
            print(page_like, runs[page_like][-1], flush=True)
    rows = []
    names = ("CPU to take them in (s)", "CPU for 20 announcements (s)", "server RSS after (MiB)")
    for k, name in enumerate(names):
        page = statistics.median(r[k] for r in runs[True])
        textual = statistics.median(r[k] for r in runs[False])
        ratio = page / textual if textual else float("nan")
        rows.append(f"| {name} | {page:.2f} | {textual:.2f} | {ratio:.2f}× |")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--paints", type=int, default=7)
    p.add_argument("--alternations", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("bench/results/page.md"))
    args = p.parse_args(argv)
    raise_fd_limit()
    lines = [
        "## bench/page — the attendees' page",
        "",
        f"Machine: {machine()}.",
        "",
        "| file | bytes | gzipped |",
        "| --- | ---: | ---: |",
        *weight(),
        "",
    ]
    measured = asyncio.run(paints(args.paints))
    if measured is None:
        lines += ["First useful paint: not measured (no Chromium or no Playwright here).", ""]
    else:
        useful, baseline = measured
        u, b = statistics.median(useful), statistics.median(baseline)
        lines += [
            f"First useful paint on loopback, Chromium headless, a cold context each time "
            f"({args.paints} runs each, alternating, medians): the live item's title on the "
            f"page after **{u:.0f} ms** (min {min(useful):.0f}, max {max(useful):.0f}); a "
            f"one-line static page's first contentful paint {b:.0f} ms: **{u / b:.2f}×**. "
            "The page waits for the websocket's snapshot before it shows the programme.",
            "",
        ]
    started = time.perf_counter()
    rows = asyncio.run(measure(args.clients, args.alternations))
    lines += [
        f"Server cost of {args.clients:,} attendees, page-like (Origin header, as the page "
        f"says hello) against Textual-client-like (no Origin); {args.alternations} alternating "
        f"runs a side, medians ({time.perf_counter() - started:.0f} s in all). Same protocol, "
        "so the ratio should be about 1.",
        "",
        "| figure | page-like | Textual-like | ratio |",
        "| --- | ---: | ---: | ---: |",
        *rows,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
