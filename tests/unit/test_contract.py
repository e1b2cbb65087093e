"""One contract for both sides: the clients send only what the server knows."""

from __future__ import annotations

import ast
from pathlib import Path

from server import contract, state
from server.contract import CommandName, MessageType
from server.protocol import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
KIOSK = sorted((ROOT / "kiosk").rglob("*.py"))


def _command_refs(tree: ast.AST) -> set[str]:
    """Every ``CommandName.X`` or ``C.X`` (the alias the apps use) in a module."""
    aliases = {"CommandName"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "server.contract":
            aliases |= {a.asname for a in node.names if a.name == "CommandName" and a.asname}
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
    }


def test_the_server_table_and_the_rules_know_every_command_name():
    """CommandName, the server's command table and the rules list the same commands."""
    names = {c.value for c in CommandName}
    assert set(COMMANDS) == names
    assert set(state._RULES) == names


def test_every_command_the_clients_send_exists_on_the_server():
    """Each CommandName member a kiosk module names is in the server's command table."""
    used: set[str] = set()
    for path in KIOSK:
        for attr in _command_refs(ast.parse(path.read_text(encoding="utf-8"))):
            assert attr in CommandName.__members__, f"{path.name}: CommandName.{attr}"
            used.add(CommandName[attr].value)
    assert used <= set(COMMANDS)
    # The moderator console and the attendee client between them send every command.
    assert used == set(COMMANDS), sorted(set(COMMANDS) - used)


def test_clients_never_spell_a_command_as_a_bare_string():
    """No kiosk call to send()/command() passes a string literal as the command name."""
    offenders = []
    for path in KIOSK:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("send", "command")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_builders_make_the_envelopes_the_server_parses():
    """hello() and command() build what server.protocol accepts."""
    from server.protocol import parse_command, parse_hello

    h = parse_hello(dict(contract.hello("moderator", token="t", client_id="c-1", room="main")))
    assert (h.role, h.token, h.client_id, h.room) == ("moderator", "t", "c-1", "main")
    cmd = parse_command(
        dict(contract.command("x1", CommandName.EXTEND, {"minutes": 5})), "moderator"
    )
    assert (cmd.id, cmd.name, cmd.raw_args()) == ("x1", "extend", {"minutes": 5})


def test_fatal_and_local_codes():
    """Fatal codes are server codes; the client's own codes never collide with them."""
    assert set(contract.ERRORS) >= contract.FATAL_ERRORS
    assert not contract.LOCAL_ERRORS & set(contract.ERRORS)
    assert MessageType.RESYNC == "resync"


def test_the_payload_types_describe_what_the_server_sends():
    """Items and questions in real views have every required key of their TypedDict, and no
    key the contract does not name."""
    from server.contract import ItemPayload, MessagePayload, QuestionPayload
    from server.views import role_view
    from tests.kiosk.helpers import at, build_state

    now = at("11:40")
    state = build_state(
        now,
        ("attendee", "submit_question", {"text": "Hvordan?", "name": "Ida"}),
        ("moderator", "approve_question", {"question_id": "q1"}),
        ("moderator", "set_hall_message", {"text": "Kaffe"}),
    )
    view = role_view(state, now, "moderator")
    items = [*view["programme"], view["current"], *view["next"]]
    for typed, samples in (
        (ItemPayload, items),
        (QuestionPayload, view["questions"]),
        (MessagePayload, [view["hall_message"]]),
    ):
        allowed = typed.__required_keys__ | typed.__optional_keys__
        for sample in samples:
            assert typed.__required_keys__ <= set(sample), typed.__name__
            assert set(sample) <= allowed, (typed.__name__, set(sample) - allowed)
