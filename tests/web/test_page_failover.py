"""The attendees' page with several servers on one PostgreSQL (issue 17): it learns the
others from `welcome.servers` and, when its server dies, is online on another within
seconds, with the current state."""

from __future__ import annotations

import asyncio
import json
import signal
import socket

from websockets.asyncio.client import connect

from tests.server.conftest import PG_URL, env, pg_schema_name, spawn  # noqa: F401 (fixtures)
from tests.web.conftest import online


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_page_moves_to_another_server_when_its_own_dies(
    spawn,  # noqa: F811
    pg_schema_name: str,  # noqa: F811
    open_page,
):
    db = f"{PG_URL}?options=-csearch_path%3D{pg_schema_name}"
    pa, pb = _free_port(), _free_port()
    common = ["--db", db, "--moderator-token", "m", "--clock", "2025-09-25T11:40"]
    a = spawn(*common, "--port", str(pa), "--peer", f"http://127.0.0.1:{pb}/")
    b = spawn(*common, "--port", str(pb), "--peer", f"http://127.0.0.1:{pa}/")
    page = await open_page(a.port)
    async with connect(f"ws://127.0.0.1:{b.port}/ws", proxy=None) as mod:
        await mod.send(
            json.dumps({"type": "hello", "protocol": 1, "role": "moderator", "token": "m"})
        )
        await mod.recv()
        await mod.recv()
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        # Only a page connected to B can show this: A is gone.
        await mod.send(json.dumps({"type": "command", "id": "c1", "name": "set_hall_message",
                                   "args": {"text": "Kaffen er klar i foyeren"}}))  # fmt: skip
        await page.wait_for_selector("text=Kaffen er klar i foyeren", timeout=10_000)
        moved = loop.time() - t0
    await online(page)
    assert moved < 10, moved
    print(f"page failover: online on B {moved:.2f} s after SIGKILL of A")
