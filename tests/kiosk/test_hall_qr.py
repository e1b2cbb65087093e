"""The attendees' page as a QR code on the hall screen: it decodes back to the address
(read by a decoder that is not the encoder), it is as large as the screen allows, and it
shows on the welcome, the break and while the live item takes questions, never over a
question or an announcement, never where it does not fit, never with --no-qr."""

from __future__ import annotations

from typing import Any

import pytest
import zxingcpp
from PIL import Image

from kiosk.hall.app import make_app
from kiosk.widgets.qr import QrCode, QrPanel
from tests.kiosk.helpers import screen_text, wait_for
from tests.kiosk.test_hall_snapshots import _state

URL = "http://192.168.1.10:8765/"


def decode(lines: list[str]) -> list[str]:
    """Read half-block rows back into a picture (4 px a half row) and decode it."""
    top = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    width, height = len(lines[0]), len(lines) * 2
    image = Image.new("L", (width * 4, height * 4), 255)
    for y, line in enumerate(lines):
        for x, ch in enumerate(line):
            for half, dark in enumerate(top[ch]):
                if dark:
                    box = (x * 4, (2 * y + half) * 4, x * 4 + 4, (2 * y + half) * 4 + 4)
                    image.paste(0, box)
    return [r.text for r in zxingcpp.read_barcodes(image)]


async def _hall(screen: str, size: tuple[int, int], *, qr: bool = True) -> tuple[Any, Any]:
    mode, now, state = _state(screen)
    app = make_app(mode=mode, theme="podium-dark", connect=False, now=lambda: now, qr=qr)
    return app, state


async def _run(screen: str, size: tuple[int, int], check, *, qr: bool = True, url: str = URL):
    app, state = await _hall(screen, size, qr=qr)
    async with app.run_test(size=size) as pilot:
        app.on_welcome({"public_url": url})
        app.feed(1, state)
        for _ in range(3):
            await pilot.pause()
        panel = app.screen.query_one(QrPanel)
        return await check(app, panel)


@pytest.mark.parametrize("size", [(120, 34), (200, 50), (240, 67), (320, 90)], ids=str)
async def test_the_code_on_the_hall_decodes_to_the_page(size: tuple[int, int]):
    async def check(app, panel):
        assert panel.display
        code = panel.query_one(QrCode)
        assert decode(code.lines) == [URL]
        assert "192.168.1.10:8765" in screen_text(app) and "Scan og spørg panelet" in screen_text(
            app
        )
        # As large as the room allows: within its share of the width, and larger on larger
        # screens (one column a module at 120x34, more on a TV).
        assert code.size.width <= size[0] * QrPanel.SHARE
        return code.scale

    scale = await _run("before", size, check)
    assert scale == {120: 1, 200: 1, 240: 2, 320: 2}[size[0]]


@pytest.mark.parametrize(
    ("screen", "shown"),
    [
        ("before", True),
        ("break", True),
        ("live", True),  # the live item takes questions
        ("late", True),
        ("question", False),  # the question has the stage
        ("announcement", False),
        ("after", False),
    ],
)
async def test_where_the_code_shows(screen: str, shown: bool):
    async def check(app, panel):
        return panel.display

    assert await _run(screen, (160, 45), check) is shown


async def test_not_while_the_live_item_takes_no_questions():
    """A talk without questions (the minister's) shows no code."""
    from tests.kiosk.helpers import at, snapshot

    now = at("10:35")
    state = snapshot(now, "hall")
    assert state["current"]["id"] == "minister" and not state["current"]["questions_open"]
    app = make_app(mode="audience", theme="podium-dark", connect=False, now=lambda: now)
    async with app.run_test(size=(160, 45)) as pilot:
        app.on_welcome({"public_url": URL})
        app.feed(1, state)
        await pilot.pause()
        assert not app.screen.query_one(QrPanel).display


async def test_never_where_it_does_not_fit_with_no_qr_or_without_an_address():
    async def check(app, panel):
        return panel.display

    assert await _run("before", (80, 24), check) is False  # 33 columns x 17 rows do not fit
    assert await _run("before", (160, 45), check, qr=False) is False
    assert await _run("before", (160, 45), check, url="javascript:alert(1)") is False


async def test_the_address_comes_from_the_server(server):
    """A hall connected to a real server draws the code of the server's page."""
    app = make_app(server=f"ws://127.0.0.1:{server.port}/ws")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await pilot.pause()
        panel = app.screen.query_one(QrPanel)
        assert panel.display
        assert decode(panel.query_one(QrCode).lines) == [f"http://127.0.0.1:{server.port}/"]


async def test_with_several_rooms_the_code_leads_to_the_halls_room(two_rooms):
    app = make_app(server=f"ws://127.0.0.1:{two_rooms.port}/ws", room="Bohr Auditoriet")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.view is not None)
        await pilot.pause()
        panel = app.screen.query_one(QrPanel)
        assert panel.display  # the workshop takes questions
        assert decode(panel.query_one(QrCode).lines) == [
            f"http://127.0.0.1:{two_rooms.port}/?room=bohr"
        ]
