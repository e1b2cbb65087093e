"""One string catalogue per package, in both languages, and no Danish text outside it."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kiosk.text import STRINGS
from server import strings
from server.contract import ERRORS

ROOT = Path(__file__).resolve().parents[1]

CATALOGUES = {
    "kiosk.text.STRINGS": STRINGS,
    "server.contract.ERRORS": ERRORS,
    **{
        f"server.strings.{name}": table
        for name, table in vars(strings).items()
        if name.isupper() and isinstance(table, dict)
    },
}

#: Where Danish may sit in code, and why: the catalogues themselves, and data that is not
#: a message (a parsing marker of the seed format, a transliteration table for ids).
ALLOWED = {
    "kiosk/text.py": "the kiosk's catalogue",
    "server/strings.py": "the server's catalogue",
    "server/contract.py": "the wire's error texts (the clients read them too)",
    "server/programme/plaintext.py": "the 'Du får indblik i:' marker of the programme format",
    "server/programme/schedule.py": "words that name a kind in imported files (kaffe, oplæg)",
    "server/programme/readers.py": "words that name speakers in imported files (oplægsholder)",
}
DANISH = re.compile(
    r"[æøåÆØÅ]|\b(og|til|med|ikke|skal|kunne|eller|fra|Afslut|ugyldigt?|skriv|tegn|fejl)\b"
)


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_every_key_has_danish_and_english_with_the_same_fields(name: str):
    """No empty text, and both languages fill in the same {fields}."""
    for key, (da, en) in CATALOGUES[name].items():
        assert da.strip() and en.strip(), f"{name}[{key!r}] lacks a language"
        assert _fields(da) == _fields(en), f"{name}[{key!r}]: {_fields(da)} ≠ {_fields(en)}"


def _literals(path: Path) -> list[tuple[int, str]]:
    """String literals that a person could read: not docstrings, not argparse help, not logs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.keyword) and node.arg in ("help", "description", "metavar"):
            skip |= {id(n) for n in ast.walk(node.value)}  # argparse's help is Danish only
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "log"
        ):
            skip |= {id(n) for n in ast.walk(node)}  # the operator's log, in English
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and len(node.value) > 1  # single letters: transliteration tables
    ]


def test_no_danish_text_sits_in_code_outside_the_catalogues():
    """Every Danish message a person reads comes from a catalogue (so it has its English)."""
    offenders = []
    for package in ("kiosk", "server", "themes"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel in ALLOWED:
                continue
            offenders += [
                f"{rel}:{line}: {text[:60]!r}"
                for line, text in _literals(path)
                if DANISH.search(text)
            ]
    assert offenders == []


def test_the_scan_can_fail(tmp_path: Path):
    """The literal scan finds a Danish message in code, and skips docstrings and help."""
    sample = tmp_path / "m.py"
    sample.write_text(
        '"""Modul med dokumentation."""\n'
        "import argparse\n"
        "p = argparse.ArgumentParser()\n"
        'p.add_argument("--x", help="hjælp på dansk")\n'
        'print("Forkert adgangskode, prøv igen")\n',
        encoding="utf-8",
    )
    found = [text for _, text in _literals(sample) if DANISH.search(text)]
    assert found == ["Forkert adgangskode, prøv igen"]
