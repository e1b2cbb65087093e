"""The organiser's commands: ``podium serve``, ``podium programme …``, ``podium questions …``.

They live next to the server they administer. Only the standard library is imported
at the top: ``kiosk.cli`` registers these commands on its parser, and a hall screen
started with ``podium hall`` must not load SQLModel; each command imports what it
needs when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server import strings

if TYPE_CHECKING:
    from server.app import Running
    from server.protocol import Limits
    from server.storage import Store

#: The machine-readable line ``serve --ready-line`` prints first (``podium demo`` reads it).
READY_PREFIX = "PODIUM-READY "


def say(lang: str, key: str, **kw: object) -> str:
    """A message of :data:`server.strings.CLI` in ``lang`` (Danish unless "en")."""
    return strings.say(strings.CLI, lang, key, **kw)


def clock_arg(value: str) -> datetime:
    """``--clock``: a local time such as 2025-09-25T11:40."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(say("da", "bad_clock", value=value)) from None


def port_arg(value: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(say("da", "bad_port", value=value))
    return port


def _lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("da", "en"), default="da", help="sprog (da eller en)")


# --- argparse in Danish ----------------------------------------------------------


def speak(argv: Sequence[str]) -> str:
    """Make argparse speak the language ``argv`` asks for (Danish unless ``--lang en``)."""
    args = list(argv)
    lang = (
        "en"
        if "--lang=en" in args
        or any(a == "--lang" and b == "en" for a, b in itertools.pairwise(args))
        else "da"
    )
    table = {} if lang == "en" else {k: da for k, (da, _) in strings.ARGPARSE.items()}
    # argparse looks these two up in its module at every call (Python's own catalogue has
    # no Danish): the one place its texts can be given.
    setattr(argparse, "_", lambda text: table.get(text, text))  # noqa: B010

    def plural(one: str, many: str, n: int) -> str:
        text = one if n == 1 else many
        return table.get(text, text)

    setattr(argparse, "ngettext", plural)  # noqa: B010
    return lang


class _WithDefaults(argparse.HelpFormatter):
    """Every option's help ends with its default, when it has one worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.default not in (None, False, True, argparse.SUPPRESS, [])
        said = "%(default)" in text or "(standard:" in text or "(default:" in text
        if shown and not said and action.option_strings:
            text += " " + argparse._("(default: %(default)s)")  # type: ignore[attr-defined]
        return text


class PodiumParser(argparse.ArgumentParser):
    """The parser of every `podium` command: its help shows each option's default (and its
    sub-commands are the same kind of parser)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("formatter_class", _WithDefaults)
        super().__init__(*args, **kw)


def add_commands(sub: Any) -> None:
    """Register serve, programme and questions on the ``podium`` parser's subparsers."""
    s = sub.add_parser("serve", help="start serveren (websocket på /ws)")
    s.add_argument("--host", default="127.0.0.1", help="adresse at lytte på (0.0.0.0 på et LAN)")
    s.add_argument("--port", type=port_arg, default=8765)
    s.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy-URL eller filsti (standard: SQLite i brugerens datamappe)",
    )
    s.add_argument(
        "--programme",
        metavar="FILE",
        help="programfil (TOML, schedule.xml eller schedule.json), der erstatter det gemte program",
    )
    s.add_argument(
        "--clock",
        type=clock_arg,
        metavar="TIME",
        help="prøve: start serverens ur på et lokalt tidspunkt (fx 2025-09-25T09:50); "
        "moderatoren kan springe det frem",
    )
    s.add_argument(
        "--clock-speed",
        type=float,
        default=1.0,
        metavar="N",
        help="prøve: med --clock går uret N gange så hurtigt (standard: 1)",
    )
    s.add_argument(
        "--moderator-token",
        metavar="T",
        help="moderatorens adgangskode; ses af alle i `ps`: brug hellere "
        "PODIUM_MODERATOR_TOKEN eller --moderator-token-file",
    )
    s.add_argument(
        "--moderator-token-file",
        metavar="FILE",
        help="læs moderatorens adgangskode fra en fil (første linje)",
    )
    s.add_argument(
        "--stage-token",
        metavar="T",
        help="scenemonitorens adgangskode; brug hellere PODIUM_STAGE_TOKEN "
        "eller --stage-token-file",
    )
    s.add_argument(
        "--stage-token-file",
        metavar="FILE",
        help="læs scenemonitorens adgangskode fra en fil (første linje)",
    )
    s.add_argument(
        "--room-token",
        action="append",
        default=[],
        metavar="SAL=KODE",
        help="en sals egen moderator-kode: styrer kun den sal (kan gentages; KODE kan være "
        "@FIL: første linje i filen); --moderator-token styrer alle sale",
    )
    s.add_argument(
        "--show-tokens",
        action="store_true",
        help="vis adgangskoderne (kun deres hash gemmes: en kode, der ikke er givet, "
        "erstattes af en ny)",
    )
    s.add_argument("--compression", action="store_true", help="slå permessage-deflate til")
    s.add_argument(
        "--certfile", metavar="FILE", help="TLS-certifikat (PEM): serveren svarer på wss://"
    )
    s.add_argument("--keyfile", metavar="FILE", help="TLS-nøgle (PEM) til --certfile")
    s.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="ændr en grænse, fx questions_per_minute=10 (se docs/reliability.md)",
    )
    s.add_argument(
        "--public-url",
        metavar="URL",
        help="adressen, deltagerne får (siden og QR-koden på salskærmen); "
        "standard: maskinens LAN-adresse med --host 0.0.0.0",
    )
    s.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help="en side på en anden adresse, der må åbne /ws fra en browser (kan gentages)",
    )
    s.add_argument(
        "--peer",
        action="append",
        default=[],
        metavar="URL",
        help="en anden podium serve på samme PostgreSQL (http://b:8765/): deltagernes side "
        "skifter dertil, hvis denne server forsvinder (kan gentages)",
    )
    s.add_argument(
        "--backlog",
        type=int,
        default=2048,
        metavar="N",
        help="forbindelser i kø hos kernen, mens serveren tager imod",
    )
    s.add_argument(
        "--ready-line",
        action="store_true",
        help=f"skriv først én maskinlæsbar linje ({READY_PREFIX.strip()} {{json}})",
    )
    _lang(s)
    s.add_argument("-v", "--verbose", action="store_true")
    s.set_defaults(func=cmd_serve)

    prog = sub.add_parser("programme", help="tjek, indlæs og eksportér programmet")
    psub = prog.add_subparsers(dest="action", required=True, metavar="ACTION")
    chk = psub.add_parser("check", help="tjek en programfil og vis alle fejl")
    chk.add_argument("file")
    _lang(chk)
    chk.set_defaults(func=cmd_programme_check)
    imp = psub.add_parser(
        "import",
        help="indlæs et program (TOML, schedule.xml, schedule.json, iCalendar) i databasen",
    )
    imp.add_argument("file")
    imp.add_argument("--db", metavar="URL", help="databasen (standard som podium serve)")
    imp.add_argument("--room", help="kun denne sal (navn eller id)")
    imp.add_argument("--day", help="kun denne dag (nummer fra 1 eller dato 2025-09-25)")
    imp.add_argument(
        "--timezone", metavar="ZONE", help="tidszonen, hvis filen ikke siger den (Europe/Berlin)"
    )
    imp.add_argument("--dry-run", action="store_true", help="læs og vis advarsler, men gem intet")
    _lang(imp)
    imp.set_defaults(func=cmd_programme_import)
    exp = psub.add_parser(
        "export", help="skriv programmet som schedule.xml/json, iCalendar eller TOML"
    )
    exp.add_argument(
        "--format", required=True, choices=("schedule-xml", "schedule-json", "ics", "toml")
    )
    exp.add_argument("--db", metavar="URL")
    exp.add_argument("-o", "--output", metavar="FILE", help="fil (standard: standard output)")
    _lang(exp)
    exp.set_defaults(func=cmd_programme_export)

    q = sub.add_parser("questions", help="spørgsmålene til rapporten")
    qsub = q.add_subparsers(dest="action", required=True, metavar="ACTION")
    qexp = qsub.add_parser("export", help="skriv alle spørgsmål som CSV, JSON eller Markdown")
    qexp.add_argument("--format", required=True, choices=("csv", "json", "md"))
    qexp.add_argument("--db", metavar="URL")
    qexp.add_argument("-o", "--output", metavar="FILE")
    _lang(qexp)
    qexp.set_defaults(func=cmd_questions_export)


def ready_line(running: Running) -> str:
    """``PODIUM-READY {"port": …, "url": …}``: where a started server listens."""
    host = next(iter(running.server.sockets)).getsockname()[0]
    scheme = "wss" if running.server_ssl else "ws"
    body = {
        "port": running.port,
        "url": f"{scheme}://{host}:{running.port}/ws",
        "page": running.page.public_url,
    }
    return READY_PREFIX + json.dumps(body)


def parse_ready_line(line: str) -> dict[str, Any] | None:
    """The JSON of a :func:`ready_line`, or None for any other line."""
    if not line.startswith(READY_PREFIX):
        return None
    try:
        body = json.loads(line[len(READY_PREFIX) :])
    except ValueError:
        return None
    return body if isinstance(body, dict) and isinstance(body.get("port"), int) else None


def programme_rooms(path: str, lang: str = "da") -> int:
    """How many rooms the programme in ``path`` has (``podium demo --programme``).

    Raises:
        ValueError: the file cannot be read or is not a programme (the problems, in words).
    """
    from server.programme import ProgrammeError, read_programme_file

    try:
        return len(read_programme_file(path, lang=lang).programme.rooms)
    except ProgrammeError as exc:
        lines = [say(lang, "bad_programme"), *(f"  {p}" for p in exc.problems)]
        raise ValueError("\n".join(lines)) from None
    except OSError as exc:
        raise ValueError(str(exc)) from None


def is_loopback(url: str) -> bool:
    """Whether ``url`` only reaches this machine (a phone could not open it)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def announce(running: Running, lang: str = "da", ready: bool = False) -> None:
    """Tell the operator where the server listens and what the tokens are (never logged)."""
    if ready:
        print(ready_line(running), flush=True)
    host = next(iter(running.server.sockets)).getsockname()[0]
    secure = running.server_ssl
    ws = f"{'wss' if secure else 'ws'}://{host}:{running.port}/ws"
    health = f"{'https' if secure else 'http'}://{host}:{running.port}/healthz"
    print(say(lang, "running", ws=ws, health=health))
    if running.page.public_url:
        print(say(lang, "page", url=running.page.public_url))
        if is_loopback(running.page.public_url):
            print(say(lang, "page_local"))
    for key, now, seen in running.warnings:
        print(say(lang, key, now=f"{now:%d.%m. %H.%M}", seen=f"{seen:%d.%m. %H.%M}"))
    for role, (token, why) in running.tokens.shown.items():
        print(f"{say(lang, role)}{say(lang, why)}: {token}")
    if running.tokens.kept:
        print(say(lang, "tokens_hidden"))
    print(say(lang, "stop"), flush=True)


def parse_limits(pairs: list[str], lang: str = "da") -> Limits:
    """--limit NAME=VALUE (repeatable) over the defaults.

    Raises:
        ValueError: an unknown name, a value that is not a number, or not above 0.
    """
    from server.protocol import DEFAULT_LIMITS

    changes: dict[str, float | int] = {}
    names = [f.name for f in dataclasses.fields(DEFAULT_LIMITS)]
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or name not in names:
            raise ValueError(say(lang, "limit_unknown", pair=pair, names=", ".join(names)))
        kind = type(getattr(DEFAULT_LIMITS, name))
        try:
            number = kind(value)
        except ValueError:
            raise ValueError(say(lang, "limit_nan", pair=pair, value=value)) from None
        if number <= 0 and name != "delay_min":
            raise ValueError(say(lang, "limit_positive", pair=pair))
        changes[name] = number
    return dataclasses.replace(DEFAULT_LIMITS, **changes)  # type: ignore[arg-type]


def cmd_serve(args: argparse.Namespace) -> int:
    """``podium serve``."""
    from server.app import Settings, StartError, run
    from server.logs import configure as configure_logging
    from server.programme import ProgrammeError

    configure_logging(args.verbose)
    try:
        limits = parse_limits(args.limit, args.lang)
    except ValueError as exc:
        print(say(args.lang, "bad_limit", error=exc), file=sys.stderr)
        return 2
    if not 0 < args.clock_speed <= 3600:
        print(say(args.lang, "bad_clock_speed", value=args.clock_speed), file=sys.stderr)
        return 2
    from server.public import BadUrl, check_url

    urls: dict[str, list[str]] = {"--public-url": [], "--allow-origin": [], "--peer": []}
    for option, values in (
        ("--public-url", [args.public_url]),
        ("--allow-origin", args.allow_origin),
        ("--peer", args.peer),
    ):
        for value in values:
            if value is None:
                continue
            try:
                urls[option].append(check_url(value))
            except BadUrl:
                print(say(args.lang, "bad_url", option=option, value=value), file=sys.stderr)
                return 2
    tokens: dict[str, str | None] = {}
    for role, value, path in (
        ("moderator", args.moderator_token, args.moderator_token_file),
        ("stage", args.stage_token, args.stage_token_file),
    ):
        tokens[role] = value
        if not value and path:
            try:
                tokens[role] = Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
                if not tokens[role]:
                    raise ValueError("tom / empty")
            except (OSError, ValueError, IndexError) as exc:
                print(say(args.lang, "bad_token_file", file=path, error=exc), file=sys.stderr)
                return 2
    room_tokens: dict[str, str] = {}
    for pair in args.room_token:
        room, sep, token = pair.partition("=")
        if token.startswith("@"):
            try:
                token = Path(token[1:]).read_text(encoding="utf-8").splitlines()[0].strip()
            except (OSError, IndexError) as exc:
                print(say(args.lang, "bad_token_file", file=token[1:], error=exc), file=sys.stderr)
                return 2
        if not sep or not room.strip() or not token.strip():
            print(say(args.lang, "bad_room_token", pair=pair), file=sys.stderr)
            return 2
        room_tokens[room.strip()] = token.strip()
    settings = Settings(
        limits=limits,
        host=args.host,
        port=args.port,
        db_url=args.db,
        programme=args.programme,
        clock=args.clock,
        clock_speed=args.clock_speed,
        moderator_token=tokens["moderator"],
        stage_token=tokens["stage"],
        show_tokens=args.show_tokens,
        compression=args.compression,
        lang=args.lang,
        certfile=args.certfile,
        keyfile=args.keyfile,
        backlog=max(1, args.backlog),
        public_url=urls["--public-url"][0] if urls["--public-url"] else None,
        allow_origins=tuple(urls["--allow-origin"]),
        peers=tuple(urls["--peer"]),
        room_tokens=room_tokens,
    )
    try:
        asyncio.run(run(settings, lambda r: announce(r, args.lang, args.ready_line)))
    except ProgrammeError as exc:
        print(say(args.lang, "bad_programme"), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except StartError as exc:
        print(say(args.lang, exc.key, **exc.params), file=sys.stderr)
        return 1
    except OSError as exc:
        print(say(args.lang, "cannot_start", error=exc), file=sys.stderr)
        return 1
    return 0


def cmd_programme_check(args: argparse.Namespace) -> int:
    """``podium programme check FILE``: every format ``import`` reads, every problem listed."""
    from server.programme import ProgrammeError, read_programme_file

    try:
        imported = read_programme_file(args.file, lang=args.lang)
    except ProgrammeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        key = "check_problem" if n == 1 else "check_problems"
        print(say(args.lang, key, n=n, file=args.file), file=sys.stderr)
        return 1
    for warning in imported.warnings:
        print(say(args.lang, "warning", text=warning.line(args.lang)), file=sys.stderr)
    prog = imported.programme
    # The whole span, every room (the items are sorted by start, not by end).
    start = min(i.start for i in prog.items)
    end = max(i.end for i in prog.items)
    clock = "%H.%M" if args.lang != "en" else "%H:%M"
    day = "%d.%m. " if start.date() != end.date() else ""
    print(
        say(
            args.lang,
            "check_ok",
            file=args.file,
            title=prog.event.title,
            n=len(prog.items),
            start=start.strftime(day + clock),
            end=end.strftime(day + clock),
        )
    )
    return 0


def _write(text: str, output: str | None, lang: str) -> int:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(say(lang, "cannot_write", file=output, error=exc.strerror), file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


def _open_db(url: str | None) -> Store:
    from server.storage import Store, default_db_url

    return Store(url or os.environ.get("PODIUM_DB") or default_db_url())


def cmd_programme_import(args: argparse.Namespace) -> int:
    """``podium programme import FILE``: lenient, with a warning for everything guessed."""
    from zoneinfo import ZoneInfo

    from server.programme import ProgrammeError, read_programme_file

    try:
        imported = read_programme_file(
            args.file, room=args.room, day=args.day, timezone=args.timezone, lang=args.lang
        )
    except ProgrammeError as exc:
        print(say(args.lang, "bad_programme"), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for warning in imported.warnings:
        print(say(args.lang, "warning", text=warning.line(args.lang)), file=sys.stderr)
    prog = imported.programme
    summary = say(
        args.lang,
        "import_summary",
        title=prog.event.title,
        n=len(prog.items),
        rooms=len(prog.rooms),
        days=len({i.start.date() for i in prog.items}),
        warnings=len(imported.warnings),
    )
    if args.dry_run:
        print(say(args.lang, "dry_run", summary=summary))
        return 0
    store = _open_db(args.db)
    try:
        store.save_programme(prog, datetime.now(ZoneInfo(prog.event.timezone)))
    finally:
        store.close()
    print(say(args.lang, "imported", summary=summary))
    return 0


def cmd_programme_export(args: argparse.Namespace) -> int:
    """``podium programme export --format …``."""
    from server.programme import default_programme
    from server.programme.ical import export_ics
    from server.programme.native_export import dumps
    from server.programme.schedule_export import export_json, export_xml

    store = _open_db(args.db)
    try:
        prog = store.load_programme() or default_programme()
    finally:
        store.close()
    render = {
        "schedule-xml": export_xml,
        "schedule-json": export_json,
        "ics": export_ics,
        "toml": dumps,
    }
    return _write(render[args.format](prog), args.output, args.lang)


def cmd_questions_export(args: argparse.Namespace) -> int:
    """``podium questions export --format …``."""
    from server.programme import default_programme
    from server.questions_export import export

    store = _open_db(args.db)
    try:
        state, _ = store.load_state(store.load_programme() or default_programme())
    finally:
        store.close()
    return _write(export(state, args.format, args.lang), args.output, args.lang)
