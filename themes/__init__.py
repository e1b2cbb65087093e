"""Podium's themes (colour palettes) and stylesheets.

A theme is a TOML file in this folder: its name is the file name, its keys are the
colours of a Textual :class:`~textual.theme.Theme`. Adding a theme is adding a file.
The stylesheets (``*.tcss``) use only theme variables, so every screen works under
every theme.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from textual.theme import Theme

DEFAULT_THEME = "podium-dark"
_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)


def folder() -> Path:
    """The folder of the themes and stylesheets (inside the installed package)."""
    return Path(str(resources.files("themes")))


def stylesheet(name: str) -> Path:
    return folder() / name


def load_theme(path: Path) -> Theme:
    """Read one theme file.

    Raises:
        ValueError: the file is not a valid theme.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    unknown = set(data) - {*_COLOUR_KEYS, "dark", "description", "variables"}
    if unknown or "primary" not in data:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)} or no primary colour")
    colours: dict[str, Any] = {k: str(data[k]) for k in _COLOUR_KEYS if k in data}
    variables = {str(k): str(v) for k, v in data.get("variables", {}).items()}
    return Theme(name=path.stem, dark=bool(data.get("dark", True)), variables=variables, **colours)


def available() -> dict[str, Theme]:
    """Every theme in the folder, by name."""
    return {p.stem: load_theme(p) for p in sorted(folder().glob("*.toml"))}
