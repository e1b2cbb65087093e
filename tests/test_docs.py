"""The documentation keeps up with the code."""

from __future__ import annotations

from pathlib import Path

from server.contract import ERRORS
from server.protocol import COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def test_protocol_doc_names_every_command_and_error_code():
    """docs/protocol.md mentions every command and every error code."""
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    missing = [n for n in [*COMMANDS, *ERRORS] if f"`{n}`" not in doc]
    assert missing == []


def test_readme_has_the_two_quick_start_commands():
    """README shows `make demo` and `make test`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
