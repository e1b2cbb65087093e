"""Themes: every file loads, the high-contrast one reaches 7:1, stylesheets use variables only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.color import Color

import themes


def _luminance(c: Color) -> float:
    def ch(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(Color.parse(a)), _luminance(Color.parse(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_at_least_three_themes_dark_contrast_light():
    """A calm dark default, a high-contrast theme and a light theme ship."""
    t = themes.available()
    assert {"podium-dark", "podium-contrast", "podium-light"} <= set(t)
    assert t["podium-dark"].dark and not t["podium-light"].dark
    assert themes.DEFAULT_THEME == "podium-dark"


@pytest.mark.parametrize(
    "key", ["foreground", "primary", "secondary", "accent", "warning", "error", "success"]
)
def test_high_contrast_theme_reaches_7_to_1(key: str):
    """Every text colour of the high-contrast theme is at least 7:1 on its background."""
    t = themes.available()["podium-contrast"]
    assert t.background is not None
    assert contrast(getattr(t, key), t.background) >= 7.0


def test_high_contrast_banners_reach_7_to_1():
    """Text on the warning banner (background colour on warning) is at least 7:1 too."""
    t = themes.available()["podium-contrast"]
    assert contrast(t.background, t.warning) >= 7.0  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["podium-dark", "podium-light"])
def test_other_themes_are_readable(name: str):
    """The dark and light themes keep body text at 7:1 and accents at 4.5:1 (WCAG AA)."""
    t = themes.available()[name]
    assert contrast(t.foreground, t.background) >= 7.0  # type: ignore[arg-type]
    for key in ("primary", "secondary", "accent", "warning", "error"):
        assert contrast(getattr(t, key), t.background) >= 4.5, key


def test_stylesheets_use_theme_variables_only():
    """No .tcss file names a colour: they use $variables, so they work under every theme."""
    for sheet in themes.folder().glob("*.tcss"):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        for decl in re.findall(r"[{;]\s*([a-z-]+\s*:[^;{}]*)", css):
            assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", decl), (
                f"{sheet.name}: {decl}"
            )


def test_adding_a_theme_is_adding_a_file(tmp_path: Path):
    """A theme file is read as a theme named after the file; a bad one is refused."""
    good = tmp_path / "sal-b.toml"
    good.write_text('primary = "#336699"\nbackground = "#000000"\ndark = true\n', encoding="utf-8")
    assert themes.load_theme(good).name == "sal-b"
    bad = tmp_path / "bad.toml"
    bad.write_text('primry = "#336699"\n', encoding="utf-8")
    with pytest.raises(ValueError):
        themes.load_theme(bad)
