"""Browser tests: Playwright for Python driving Debian's Chromium, headless, against a real
``podium serve`` on a free port. Where there is no Chromium (or no Playwright) they skip and
say why; with PODIUM_REQUIRE_SERVICES=1 (CI, where `make test` installs Chromium) they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bench.common import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
#: Screenshots the tests take, to be looked at (not in git).
ARTEFACTS = ROOT / "test-artefacts" / "web"
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"


def _missing(reason: str) -> None:
    if os.environ.get("PODIUM_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


def chromium_path() -> str | None:
    return os.environ.get("PODIUM_CHROMIUM") or shutil.which("chromium")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        _missing("no Chromium (apt-get install chromium, or set PODIUM_CHROMIUM)")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def open_page(browser: Any) -> AsyncIterator[Callable[..., Any]]:
    """open_page(port, width=360, height=740, locale="da-DK") -> a page of the server's
    attendee page, connected. A script error on the page fails the test."""
    errors: list[str] = []
    contexts: list[Any] = []

    async def _open(
        port: int, width: int = 360, height: int = 740, locale: str = "da-DK", wait: bool = True
    ) -> Any:
        context = await browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            timezone_id="Europe/Copenhagen",
        )
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        await page.goto(f"http://127.0.0.1:{port}/")
        if wait:
            await online(page)
        return page

    yield _open
    for context in contexts:
        await context.close()
    # A refused websocket while the server is down is the browser's own console error.
    real = [e for e in errors if "WebSocket" not in e and "ERR_CONNECTION_REFUSED" not in e]
    assert not real, real


async def online(page: Any) -> None:
    await page.wait_for_selector("#conn[data-state=online]", timeout=10_000)


async def shot(page: Any, name: str) -> Path:
    """A full-page screenshot in test-artefacts/web/NAME.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
