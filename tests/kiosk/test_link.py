"""The shared link: updates patch the last snapshot; a gap asks for the whole state again."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.server import ServerConnection, serve

from kiosk.link import Link, Snapshot
from tests.conftest import UNIT


async def test_updates_patch_and_a_gap_resyncs():
    """snapshot r5, update base 5 → merged r6; update base 9 → the link sends resync."""
    received: list[dict] = []
    resynced = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()  # hello
        await ws.send(
            json.dumps(
                {
                    "type": "welcome",
                    "protocol": 1,
                    "role": "hall",
                    "revision": 5,
                    "server_time": "2025-09-25T11:40:00+02:00",
                }
            )
        )
        await ws.send(
            json.dumps(
                {
                    "type": "snapshot",
                    "revision": 5,
                    "state": {
                        "clock": "2025-09-25T11:40:00+02:00",
                        "phase": "live",
                        "hall_message": None,
                    },
                }
            )
        )
        await ws.send(
            json.dumps(
                {
                    "type": "update",
                    "revision": 6,
                    "base": 5,
                    "state": {
                        "clock": "2025-09-25T11:40:01+02:00",
                        "hall_message": {"text": "Hej"},
                    },
                }
            )
        )
        await ws.send(
            json.dumps({"type": "update", "revision": 10, "base": 9, "state": {"phase": "after"}})
        )
        async for msg in ws:
            received.append(json.loads(msg))
            if received[-1].get("type") == "resync":
                resynced.set()

    events: list[object] = []
    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        link = Link(f"ws://127.0.0.1:{port}/ws", "hall", events.append)
        task = asyncio.create_task(link.run())
        async with asyncio.timeout(5 * UNIT):
            await resynced.wait()
        link.stop()
        await asyncio.wait_for(task, 5 * UNIT)
    snaps = [e for e in events if isinstance(e, Snapshot)]
    assert [s.revision for s in snaps] == [5, 6]
    assert snaps[1].state == {
        "clock": "2025-09-25T11:40:01+02:00",
        "phase": "live",
        "hall_message": {"text": "Hej"},
    }
    assert (
        link.revision == 6 and link.state is not None and link.state["phase"] == "live"
    )  # the gapped update was not applied


async def test_every_app_link_has_a_stable_client_id():
    """The hall, stage and moderator apps say who they are in every hello."""
    from kiosk.hall.app import make_app as hall
    from kiosk.moderator.app import make_app as moderator

    for app in (moderator(connect=False), hall(connect=False), hall(connect=False, mode="stage")):
        cid = app.link.hello.get("client_id")
        assert isinstance(cid, str) and cid.startswith(app.link.hello["role"])
    assert (
        moderator(connect=False).link.hello["client_id"]
        != moderator(connect=False).link.hello["client_id"]
    )
