"""WCAG 2.2 AA on the attendees' page, checked with axe-core (vendored for the tests) in
Chromium: zero violations in every theme at a phone's and a laptop's size, with questions,
an announcement and open details on the page. Reflow: nothing scrolls sideways at 320 CSS
px (a 640 px window zoomed to 200 %). Large touch targets and a visible focus."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from server.app import Running
from tests.web.conftest import AXE, shot

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


async def _axe(page: Any) -> list[dict[str, Any]]:
    # Evaluated over the DevTools protocol: the page's own policy (no inline script) holds.
    await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


async def _busy(server: Running, connect_as) -> None:
    """Questions in both lists and an announcement: every kind of element on the page."""
    mod = await connect_as("moderator")
    att = await connect_as("attendee")
    qid = (await att.command("submit_question", text="Hvem betaler for indsatsen?", name="Ole"))[
        "result"
    ]["question_id"]
    await mod.command("approve_question", question_id=qid)
    await mod.command("show_question", question_id=qid)
    await mod.command("set_hall_message", text="Frokosten serveres i Vandrehallen")


@pytest.mark.parametrize("theme", ["light", "dark", "contrast"])
@pytest.mark.parametrize("size", [(360, 740), (1280, 800)], ids=["phone", "laptop"])
async def test_no_axe_violations(
    server: Running, connect_as, open_page, theme: str, size: tuple[int, int]
):
    await _busy(server, connect_as)
    page = await open_page(server.port, *size)
    await page.select_option("#theme", theme)
    await expect(page.locator("html")).to_have_attribute("data-theme", theme)
    await expect(page.locator("#announcement")).to_be_visible()
    await expect(page.locator("#public li[data-question]")).to_have_count(1)
    await page.fill("#q-text", "x" * 300)  # the counter in its warning colour
    await page.locator("#programme-list summary").first.click()
    assert await _axe(page) == []
    await shot(page, f"axe-{theme}-{size[0]}x{size[1]}")


async def test_it_reflows_at_320_css_pixels_and_touch_targets_are_large(
    server: Running, connect_as, open_page
):
    await _busy(server, connect_as)
    page = await open_page(server.port, 320, 640)
    await expect(page.locator("#public li[data-question]")).to_have_count(1)
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 320, wide
    small = await page.evaluate(
        """() => [...document.querySelectorAll('button, .nav a, summary, select, input[type=text]')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.id || e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == [], small
    await shot(page, "reflow-320x640")


async def test_keyboard_order_and_a_visible_focus(server: Running, open_page):
    page = await open_page(server.port, 1280, 800)
    order = []
    for _ in range(8):
        await page.keyboard.press("Tab")
        order.append(
            await page.evaluate(
                "document.activeElement.id || document.activeElement.textContent.trim()"
            )
        )
    # The skip link first, then the sections' links in the order they appear.
    assert order[:6] == [
        "Gå til “Spørg panelet”",
        "Nu",
        "Spørg panelet",
        "Stem",
        "Program",
        "Praktisk",
    ]
    await page.keyboard.press("Shift+Tab")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    # The skip link takes the keyboard to the question box's section.
    await page.goto(f"http://127.0.0.1:{server.port}/")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#ask"
