"""A rehearsal of the seed day as a test: 09.50 to 16.40 on a fast clock.

A real server (in this process, its clock moved by the test), a scripted moderator and
three scripted attendees speaking the protocol, and at each step the real screens — the
hall at 80x24 and 200x50, the stage monitor, the moderator's console and an attendee's
client — fed what their connections received, and read as text. Each step checks what a
person in the hall would see. `make rehearse` runs it with every screen printed.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.attendee.app import make_app as make_attendee
from kiosk.hall.app import make_app as make_hall
from kiosk.moderator.app import make_app as make_moderator
from server.app import Running
from server.hub import _comparable
from server.protocol import Limits
from server.views import role_view
from tests.conftest import UNIT, Client, FakeClock
from tests.kiosk.helpers import at, screen_text

NARRATE = os.environ.get("PODIUM_REHEARSE") == "1"


@pytest.fixture
def limits() -> Limits:
    """A rehearsal sends many commands quickly from one address."""
    return Limits(hello_timeout_s=2 * UNIT, commands_per_second=100, command_burst=100)


class Day:
    """The clients of the rehearsal, and the screens they feed."""

    def __init__(self, server: Running, clock: FakeClock, tmp: Path) -> None:
        self.server, self.clock, self.tmp = server, clock, tmp
        self.clients: dict[str, Client] = {}

    async def at(self, hhmm: str) -> None:
        """Move the clock to hh:mm and wait until every screen has caught up."""
        self.clock.t = at(hhmm)
        await self.settle()

    async def settle(self) -> None:
        """Read until every client's state is what the server says its role sees now."""
        await asyncio.sleep(0.12)  # a tick: the server republishes what the clock changed
        async with asyncio.timeout(10 * UNIT):
            for name, client in self.clients.items():
                role = client.role
                while True:
                    want = _comparable(role_view(self.server.sequencer.state, self.clock(), role))
                    have = _comparable(client.snapshot.get("state", {}))
                    if _same(want, have):
                        break
                    try:
                        await client.recv(timeout=0.1)
                    except TimeoutError:
                        if name.startswith("att") and role == "attendee":
                            await asyncio.sleep(0.06)  # attendees' updates are coalesced

    async def screens(self) -> dict[str, str]:
        """What each screen shows now, as text."""
        now = self.clock()
        shown: dict[str, str] = {}
        for name, make, client, size in (
            ("hall 80x24", lambda: make_hall(connect=False, now=lambda: now), "hall", (80, 24)),
            ("hall 200x50", lambda: make_hall(connect=False, now=lambda: now), "hall", (200, 50)),
            ("stage", lambda: make_hall(connect=False, now=lambda: now, mode="stage"), "stage", (120, 40)),
            ("moderator", lambda: make_moderator(connect=False, now=lambda: now), "mod", (120, 40)),
            ("attendee", lambda: make_attendee(connect=False, now=lambda: now,
                                               config_dir=self.tmp), "ida", (120, 40)),
        ):  # fmt: skip
            shown[name] = await _render(make, self.clients[client], size)
        if NARRATE:
            print(f"\n======== kl. {now:%H.%M} ========")
            for name, text in shown.items():
                print(f"--- {name} ---\n{text}")
        return shown


def _same(want: dict[str, Any], have: dict[str, Any]) -> bool:
    return json.loads(json.dumps(want)) == json.loads(json.dumps(have))


async def _render(make: Callable[[], Any], client: Client, size: tuple[int, int]) -> str:
    app = make()
    async with app.run_test(size=size) as pilot:
        app.feed(client.snapshot["revision"], client.snapshot["state"])
        if client.role == "attendee" and "mine" in client.latest:
            app.on_mine(client.latest["mine"])
        await pilot.pause()
        return _text(app)


def _text(app: Any) -> str:
    """Every text on the screen: labels, panels, and the rows of every table."""
    from textual.widgets import DataTable

    rows = [
        "  ".join(str(cell) for cell in table.get_row_at(n))
        for table in app.screen.query(DataTable)
        if table.display
        for n in range(table.row_count)
    ]
    return "\n".join([screen_text(app), *rows])


async def _ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["type"] == "ack", reply
    return reply


async def test_the_seed_day_plays_through(
    server: Running, connect_as, clock: FakeClock, tmp_path: Path
):
    day = Day(server, clock, tmp_path)
    clock.t = at("09:50")
    day.clients["hall"] = await connect_as("hall")
    day.clients["stage"] = await connect_as("stage")
    day.clients["mod"] = mod = await connect_as("moderator")
    day.clients["ida"] = ida = await connect_as("attendee", client_id="ida")
    day.clients["ole"] = ole = await connect_as("attendee", client_id="ole")
    day.clients["fatima"] = fatima = await connect_as("attendee", client_id="fatima")

    # 09.50: before the day
    await day.settle()
    s = await day.screens()
    assert "10.15" in s["hall 200x50"] and "Velkommen" in s["hall 200x50"]

    # 10.16: the welcome, by the clock
    await day.at("10:16")
    s = await day.screens()
    assert "Velkommen" in s["hall 80x24"] and "Velkommen" in s["moderator"]

    # 10.31: an announcement for ten minutes, on the hall and the attendees' phones
    await day.at("10:31")
    await _ok(await mod.command("set_hall_message", text="Husk at slukke mobilen",
                                expires_in_s=600))  # fmt: skip
    await day.settle()
    s = await day.screens()
    for screen in ("hall 80x24", "hall 200x50", "attendee", "moderator"):
        assert "Husk at slukke mobilen" in s[screen], screen
    await day.at("10:42")
    s = await day.screens()
    assert "Husk at slukke mobilen" not in s["hall 200x50"]

    # 10.50: the day runs five minutes late while the reformer talk is on
    await day.at("10:50")
    await _ok(await mod.command("shift_delay", minutes=5))
    await day.settle()
    s = await day.screens()
    assert "kl. 10.45–11.25" in s["hall 200x50"]
    # 11.22: past its planned end, the talk is still on everywhere: no gap (issue 13, item 4)
    await day.at("11:22")
    s = await day.screens()
    assert "Reformer" in s["hall 200x50"] and "Næste punkt begynder" not in s["hall 200x50"]
    assert "Intet punkt er i gang" not in s["stage"]

    # 11.26: the break; it ends at 11.40, five minutes late
    await day.at("11:26")
    s = await day.screens()
    assert "11.40" in s["hall 200x50"]

    # 11.41: the youth panel; questions asked, approved, rejected, edited, voted, shown
    await day.at("11:41")
    a = (await _ok(await ida.command("submit_question", text="Hvordan når vi de unge?",
                                     name="Ida")))["result"]["question_id"]  # fmt: skip
    b = await _ok(await ole.command("submit_question", text="hvad gør kommunen?"))
    b = b["result"]["question_id"]
    c = await _ok(await fatima.command("submit_question", text="Køb billige ure"))
    c = c["result"]["question_id"]
    await day.settle()
    s = await day.screens()
    assert "Køb billige ure" in s["moderator"] and "Køb billige ure" not in s["hall 200x50"]
    await _ok(await mod.command("approve_question", question_id=b))
    await day.settle()
    s = await day.screens()
    # Ida's vote list has Ole's question with the very update that approved it (item 1)
    assert "hvad gør kommunen?" in s["attendee"]
    await _ok(await mod.command("edit_question", question_id=b, text="Hvad gør kommunen?"))
    await _ok(await mod.command("approve_question", question_id=a))
    await _ok(await mod.command("reject_question", question_id=c))
    await _ok(await ole.command("vote", question_id=a))
    await _ok(await fatima.command("vote", question_id=a))
    await _ok(await mod.command("show_question", question_id=a))
    await day.settle()
    s = await day.screens()
    for screen in ("hall 80x24", "hall 200x50"):
        assert "Hvordan når vi de unge?" in s[screen] and "Ida" in s[screen], screen
    assert "Køb billige ure" not in s["attendee"]
    await _ok(await mod.command("answer_question", question_id=a))
    await day.settle()
    s = await day.screens()
    assert "Hvordan når vi de unge?" not in s["hall 200x50"]

    # 12.00: a mistaken next, undone: the panel is back as it was (item 3)
    await day.at("12:00")
    await _ok(await mod.command("next"))
    await day.settle()
    assert "Frokost" in (await day.screens())["hall 80x24"]
    await day.at("12:01")
    await _ok(await mod.command("previous"))
    await day.settle()
    s = await day.screens()
    assert "kl. 11.40–12.30" in s["hall 200x50"] and "Unge" in s["hall 200x50"]
    await _ok(await mod.command("follow_clock"))

    # 12.15: a stage message until the panel ends and a last question on screen; at lunch
    # both are gone
    await day.at("12:15")
    await _ok(await mod.command("set_stage_message", text="Fem minutter tilbage",
                                until="item_end"))  # fmt: skip
    await _ok(await mod.command("show_question", question_id=b))
    await day.settle()
    s = await day.screens()
    assert "Fem minutter tilbage" in s["stage"] and "Fem minutter tilbage" not in s["hall 200x50"]
    assert "Hvad gør kommunen?" in s["hall 200x50"]
    await day.at("12:31")
    s = await day.screens()
    assert "Fem minutter tilbage" not in s["stage"] and "Frokost" in s["hall 200x50"]
    assert "Hvad gør kommunen?" not in s["hall 200x50"] and "PANELET" not in s["hall 200x50"]

    # 15.31: the afternoon panel; a morning question from an outbox comes back (item 6)
    await day.at("15:31")
    late = await ida.command("submit_question", text="Glemte jeg noget?", item_id="unge")
    assert late["code"] == "questions_closed" and "Unge" in late["message"]
    p = await _ok(await fatima.command("submit_question", text="Hvem har ansvaret?"))
    p = p["result"]["question_id"]
    await _ok(await mod.command("approve_question", question_id=p))
    await day.settle()
    s = await day.screens()
    lines = [
        ln for ln in s["attendee"].splitlines() if "Hvem har ansvaret?" in ln or "Hvad gør" in ln
    ]
    assert lines and "Hvem har ansvaret?" in lines[0]  # the live panel's first
    assert "Paneldebat" in s["hall 200x50"]

    # 16.05: the panel (15.30–16.15, the day five minutes late) gets five more minutes;
    # the goodbye moves with it, and the moderator's NÆSTE says what the hall says (item 5)
    await day.at("16:05")
    await _ok(await mod.command("extend", minutes=5))
    await day.settle()
    s = await day.screens()
    nxt = "kl. 16.10  Perspektivering – og farvel og på gensyn  (forventet kl. 16.20)"
    assert nxt in s["hall 200x50"] and nxt in s["moderator"].replace("NÆSTE: ", "")
    await day.at("16:17")
    s = await day.screens()
    assert "Paneldebat" in s["hall 80x24"] and "Næste punkt begynder" not in s["hall 200x50"]

    # 16.40: after the day
    await day.at("16:40")
    s = await day.screens()
    assert "Tak" in s["hall 200x50"] or "tak" in s["hall 200x50"]
