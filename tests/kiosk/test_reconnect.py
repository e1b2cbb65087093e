"""After a server restart every kind of client reconnects by itself, with a capped backoff,
and ends up with exactly the state a fresh client gets."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

from websockets.asyncio.client import connect

from kiosk import link as link_module
from kiosk.attendee.app import make_app as make_attendee
from kiosk.hall.app import make_app as make_hall
from kiosk.link import Link, Status
from kiosk.model import StateView, parse_state
from kiosk.moderator.app import make_app as make_moderator
from tests.conftest import MOD_TOKEN, STAGE_TOKEN, UNIT
from tests.kiosk.helpers import wait_for


async def _fresh_view(port: int, role: str, **hello: str) -> StateView:
    async with connect(f"ws://127.0.0.1:{port}/ws", proxy=None) as ws:
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": role, **hello}))
        await ws.recv()
        snap = json.loads(await ws.recv())
        return parse_state(snap["revision"], snap["state"])


def _same(a: StateView | None, b: StateView) -> bool:
    """Equal but for the moment the snapshot was taken."""
    return a is not None and dataclasses.replace(a, clock=None) == dataclasses.replace(
        b, clock=None
    )


async def test_every_client_resyncs_after_a_restart(restartable, tmp_path: Path):
    """Hall, stage, moderator and attendee: server down, changes made, server up: all agree with a fresh client."""
    first = await restartable()
    port = first.port
    url = f"ws://127.0.0.1:{port}/ws"
    apps = {
        "hall": make_hall(server=url),
        "stage": make_hall(server=url, mode="stage", token=STAGE_TOKEN),
        "moderator": make_moderator(server=url, token=MOD_TOKEN),
        "attendee": make_attendee(server=url, config_dir=tmp_path),
    }
    async with (
        apps["hall"].run_test(size=(100, 30)) as p1,
        apps["stage"].run_test(size=(100, 30)) as p2,
        apps["moderator"].run_test(size=(120, 40)) as p3,
        apps["attendee"].run_test(size=(100, 30)) as p4,
    ):
        pilots = dict(zip(apps, (p1, p2, p3, p4), strict=True))
        for role, app in apps.items():
            await wait_for(pilots[role], lambda app=app: app.view is not None)
        await first.close()
        for role, app in apps.items():
            await wait_for(pilots[role], lambda app=app: app.link.status.state == "reconnecting")
        second = await restartable(port)
        try:
            # changes made while the clients were away
            async with connect(url, proxy=None) as ws:
                await ws.send(
                    json.dumps(
                        {"type": "hello", "protocol": 1, "role": "moderator", "token": MOD_TOKEN}
                    )
                )
                for cid, name, args in (
                    ("a", "set_hall_message", {"text": "Velkommen tilbage"}),
                    ("b", "set_stage_message", {"text": "Start igen"}),
                    ("c", "go_live", {"item_id": "frokost"}),
                ):
                    await ws.send(
                        json.dumps({"type": "command", "id": cid, "name": name, "args": args})
                    )
                    while json.loads(await ws.recv()).get("id") != cid:
                        pass
            fresh = {
                "hall": await _fresh_view(port, "hall"),
                "stage": await _fresh_view(port, "stage", token=STAGE_TOKEN),
                "moderator": await _fresh_view(port, "moderator", token=MOD_TOKEN),
                "attendee": await _fresh_view(
                    port, "attendee", client_id=apps["attendee"].profile.client_id
                ),
            }
            for role, app in apps.items():
                await wait_for(
                    pilots[role],
                    lambda app=app, role=role: _same(app.view, fresh[role]),
                    timeout=20 * UNIT,
                )
            assert all(_same(app.view, fresh[role]) for role, app in apps.items())
        finally:
            await second.close()


async def test_backoff_grows_and_is_capped(monkeypatch):
    """With nobody listening, the link retries after 0.5, 1, 2, 4, 5, 5 … seconds (with jitter)."""
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) >= 8:
            link.stop()
        await real_sleep(0)

    monkeypatch.setattr(link_module.asyncio, "sleep", fake_sleep)
    monkeypatch.setattr(link_module.random, "random", lambda: 0.5)  # no jitter
    events: list[object] = []
    link = Link("ws://127.0.0.1:9/ws", "hall", events.append)
    async with asyncio.timeout(30 * UNIT):
        await link.run()
    assert delays[:6] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert max(delays) <= link_module.BACKOFF_CAP
    assert any(isinstance(e, Status) and e.state == "reconnecting" for e in events)
