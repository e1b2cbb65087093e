"""The foyer screen (issue 16, item 4): every room's now and next with expected times,
the announcement for all rooms only, and the QR code; four rooms at 120x34 and twelve at
240x67 all on one page, more than fit turn a page at a time."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.hall.app import make_app
from kiosk.hall.screens.foyer import CARD_HEIGHT, CARD_WIDTH, PAGE_S, RoomCard
from server.app import Running, Settings, start
from tests.conftest import MOD_TOKEN, TZ, FakeClock
from tests.kiosk.helpers import screen_text, wait_for

NAMES = ["Meitner", "Bohr", "Curie", "Ørsted", "Tycho", "Rømer", "Lorentz", "Noether",
         "Hopper", "Lovelace", "Turing", "Franklin", "Sagan", "Hypatia"]  # fmt: skip


def rooms_programme(n: int) -> str:
    """A made-up day in ``n`` rooms: a talk, a break and a panel in each."""
    out = ['[event]\ntitle = "Stor kongres"\ndate = 2025-10-02\ntimezone = "Europe/Copenhagen"\n']
    for k in range(n):
        out.append(f'[[rooms]]\nid = "r{k}"\nname = "{NAMES[k]}"\n')
    for k in range(n):
        start = 9 * 60 + 5 * k  # each room a little later than the one before
        for j, (kind, title, minutes) in enumerate(
            (
                ("talk", f"Foredrag {k + 1} i {NAMES[k]}", 60),
                ("break", "Pause", 15),
                ("panel", f"Panel {k + 1}: fremtidens foreninger", 45),
            )
        ):
            a, b = start, start + minutes
            out.append(
                f'[[items]]\nid = "i{k}-{j}"\nroom = "r{k}"\nkind = "{kind}"\ntitle = "{title}"\n'
                f'start = "{a // 60:02d}:{a % 60:02d}"\nend = "{b // 60:02d}:{b % 60:02d}"\n'
            )
            start = b
    return "\n".join(out)


async def _server(tmp_path: Path, n: int, clock: FakeClock) -> Running:
    programme = tmp_path / f"rooms-{n}.toml"
    programme.write_text(rooms_programme(n), encoding="utf-8")
    settings = Settings(
        port=0,
        db_url=f"sqlite:///{tmp_path / 'foyer.sqlite3'}",
        programme=str(programme),
        moderator_token=MOD_TOKEN,
        now=clock,
        tick_s=0.05,
    )
    return await start(settings)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 10, 2, 9, 40, tzinfo=TZ))


@pytest.mark.parametrize(
    ("n", "size"), [(4, (120, 34)), (12, (240, 67))], ids=["4@120x34", "12@240x67"]
)
async def test_every_room_on_one_page(tmp_path: Path, clock: FakeClock, n: int, size):
    running = await _server(tmp_path, n, clock)
    try:
        app = make_app(server=f"ws://127.0.0.1:{running.port}/ws", mode="foyer")
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: app.view is not None and len(app.view.foyer_rooms) == n)
            for _ in range(3):
                await pilot.pause()
            text = screen_text(app)
            cards = list(app.screen.query(RoomCard))
            assert len(cards) == n and "Side 1 af" not in text
            for k in range(n):
                assert NAMES[k] in text
            # Each card is whole on screen and large enough to read.
            for card in cards:
                region = card.region
                assert region.width >= CARD_WIDTH and region.height >= CARD_HEIGHT - 1
                assert region.bottom <= size[1] - 1
            assert f"Foredrag 1 i {NAMES[0]}" in text and "NÆSTE: kl. 10.05  Pause" in text
    finally:
        await running.close()


def _foyer_state(n: int, now: datetime, tmp_path: Path, **messages: str) -> dict[str, Any]:
    """The foyer's snapshot state for a day in ``n`` rooms, through JSON."""
    from server.contract import FOYER
    from server.programme.native import loads
    from server.protocol import parse_command
    from server.state import Actor, Context, State, apply
    from server.views import role_view

    state = State(programme=loads(rooms_programme(n), "rooms.toml"))
    for k, (name, text) in enumerate(messages.items()):
        args: dict[str, Any] = {"text": text}
        if name == "all":
            args["all_rooms"] = True
        cmd = parse_command(
            {"type": "command", "id": f"m{k}", "name": "set_hall_message", "args": args},
            "moderator",
        )
        actor = Actor("moderator", "mod-1", "r1" if name != "all" else None)
        state = apply(state, cmd, Context(now, actor, lambda: "q")).state
    return json.loads(json.dumps(role_view(state, now, "hall", FOYER)))


@pytest.mark.parametrize(
    ("n", "size"), [(4, (120, 34)), (12, (240, 67))], ids=["4@120x34", "12@240x67"]
)
def test_foyer_snapshot(snap_compare, tmp_path: Path, n: int, size):
    """Every room's now and next, the announcement for all rooms (a room's own does not
    show), and the code of the page."""
    now = datetime(2025, 10, 2, 9, 40, tzinfo=TZ)
    state = _foyer_state(
        n, now, tmp_path, room="Kun Bohr: kaffe", all="Frokost i Vandrehallen kl. 12"
    )
    assert state["hall_message"]["text"] == "Frokost i Vandrehallen kl. 12"
    app = make_app(mode="foyer", theme="podium-dark", connect=False, now=lambda: now)

    async def run_before(pilot: Any) -> None:
        pilot.app.on_welcome({"public_url": "http://192.168.1.10:8765/"})
        pilot.app.feed(1, state)
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_more_rooms_than_fit_turn_a_page_at_a_time(tmp_path: Path):
    now = datetime(2025, 10, 2, 9, 40, tzinfo=TZ)
    state = _foyer_state(14, now, tmp_path)
    app = make_app(mode="foyer", theme="podium-dark", connect=False, now=lambda: now)
    async with app.run_test(size=(120, 34)) as pilot:
        app.feed(1, state)
        for _ in range(3):
            await pilot.pause()
        first = [c.room.name for c in app.screen.query(RoomCard) if c.room]
        assert first and len(first) < 14 and "Side 1 af" in screen_text(app)
        for _ in range(int(PAGE_S)):
            app.screen.tick(now)
        for _ in range(3):
            await pilot.pause()
        second = [c.room.name for c in app.screen.query(RoomCard) if c.room]
        assert second and not set(first) & set(second) and "Side 2 af" in screen_text(app)
