"""Import direction and packaging: checked, not just intended."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(out.stdout))


def _top(mods: set[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


def test_protocol_imports_no_io_library():
    """server.protocol imports neither websockets, sqlmodel, sqlalchemy nor textual."""
    tops = _top(_modules_after_import("server.protocol"))
    assert not tops & {"websockets", "sqlmodel", "sqlalchemy", "textual", "kiosk"}


def test_rules_import_no_io_library():
    """server.state and server.views stay pure: no websockets, no database, no Textual."""
    tops = _top(_modules_after_import("server.views"))
    assert not tops & {"websockets", "sqlmodel", "sqlalchemy", "textual", "kiosk"}


def test_server_never_imports_kiosk_or_textual():
    """The whole server (app) loads no Textual and no kiosk module."""
    tops = _top(_modules_after_import("server.app"))
    assert "textual" not in tops and "kiosk" not in tops


def test_cli_does_not_load_the_database_layer():
    """`podium` screens start without SQLModel: the CLI module imports no storage."""
    tops = _top(_modules_after_import("kiosk.cli"))
    assert not tops & {"sqlmodel", "sqlalchemy"}


@pytest.mark.timeout_heavy
def test_wheel_contains_the_data_files(tmp_path: Path):
    """A plain wheel build holds the packages and the embedded programme."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("podium-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "server/programme/default.toml" in names
    assert "kiosk/cli.py" in names and "server/app.py" in names
    assert "kiosk/fonts/misc-fixed.txt" in names  # the hall's block letters
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "podium = kiosk.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


@pytest.mark.parametrize("app", ["kiosk.hall.app", "kiosk.moderator.app", "kiosk.attendee.app"])
def test_screens_do_not_load_the_server(app: str):
    """A hall PC loads neither pydantic nor SQLModel nor the server's rules: only the contract."""
    mods = _modules_after_import(app)
    assert not _top(mods) & {"sqlmodel", "sqlalchemy", "pydantic"}
    assert not {m for m in mods if m.startswith("server.")} - {"server", "server.contract"}


def test_contract_imports_only_the_standard_library():
    """server.contract loads nothing outside the standard library (no pydantic)."""
    mods = _modules_after_import("server.contract")
    ours = {m for m in mods if m.split(".")[0] in {"server", "kiosk", "themes"}}
    assert ours == {"server", "server.contract"}
    assert not _top(mods) & {"pydantic", "websockets", "sqlmodel", "sqlalchemy", "textual"}


#: The one kiosk module that may reach into the server: the CLI starts it for `serve` and `demo`.
CLI_MAY_IMPORT = {"server.cli", "server.app"}


def _server_imports(path: Path) -> list[tuple[int, str]]:
    """Every import of a server module in a file, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "server"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "server":
                found += [(node.lineno, f"server.{a.name}") for a in node.names]
            elif node.module.split(".")[0] == "server":
                found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "kiosk").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_kiosk_imports_only_the_contract_statically(path: Path):
    """Read, not run: a kiosk module imports server.contract and nothing else of the server."""
    allowed = {"server.contract"} | (CLI_MAY_IMPORT if path.name == "cli.py" else set())
    bad = [(line, mod) for line, mod in _server_imports(path) if mod not in allowed]
    assert bad == []
