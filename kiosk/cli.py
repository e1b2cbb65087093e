"""The ``podium`` command line.

Server-side commands import ``server.app`` inside the command, so that the screens
(``podium hall`` on a Raspberry Pi) never load SQLModel.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.app import Running
    from server.protocol import Limits

DEMO_CLOCK = "2025-09-25T11:40"


def _clock(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ugyldigt tidspunkt {value!r} (skriv fx 2025-09-25T11:40)"
        ) from None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"ugyldig port {value!r}")
    return port


def _theme_names() -> list[str]:
    import themes

    return sorted(p.stem for p in themes.folder().glob("*.toml"))


def _theme(args: argparse.Namespace) -> str | None:
    """The chosen theme, or None (with a message) when there is no such theme file."""
    import themes

    theme: str = args.theme or themes.DEFAULT_THEME
    if theme not in _theme_names():
        print(f"Ukendt tema {theme!r}. Vælg et af: {', '.join(_theme_names())}", file=sys.stderr)
        return None
    return theme


def server_url(value: str) -> str:
    """ws://HOST:PORT/ws from what a person types: host:port, ws://host:port, wss://…"""
    value = value.strip()
    if "://" not in value:
        value = f"ws://{value}"
    scheme, rest = value.split("://", 1)
    if scheme not in ("ws", "wss"):
        raise argparse.ArgumentTypeError(
            f"ugyldig serveradresse {value!r} (skriv fx ws://192.168.1.10:8765)"
        )
    if "/" not in rest:
        rest += "/ws"
    return f"{scheme}://{rest}"


def _client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--server",
        type=server_url,
        default="ws://127.0.0.1:8765/ws",
        help="serverens adresse (ws://HOST:PORT)",
    )
    p.add_argument("--lang", choices=("da", "en"), default="da", help="sprog (da eller en)")
    p.add_argument(
        "--cafile", metavar="FILE", help="CA-certifikat at stole på ved wss:// (eget certifikat)"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="podium", description="Podium: skærmene til en konference.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("serve", help="start serveren (websocket på /ws)")
    s.add_argument("--host", default="127.0.0.1", help="adresse at lytte på (0.0.0.0 på et LAN)")
    s.add_argument("--port", type=_port, default=8765)
    s.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy-URL eller filsti (standard: SQLite i brugerens datamappe)",
    )
    s.add_argument(
        "--programme", metavar="FILE", help="programfil (TOML), der erstatter det gemte program"
    )
    s.add_argument(
        "--clock", type=_clock, metavar="TIME", help="start serverens ur på et lokalt tidspunkt"
    )
    s.add_argument(
        "--moderator-token",
        metavar="T",
        help="moderatorens adgangskode (ellers PODIUM_MODERATOR_TOKEN)",
    )
    s.add_argument(
        "--stage-token", metavar="T", help="scenemonitorens adgangskode (ellers PODIUM_STAGE_TOKEN)"
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
    s.add_argument("--lang", choices=("da", "en"), default="da", help="sprog (da eller en)")
    s.add_argument("-v", "--verbose", action="store_true")

    d = sub.add_parser("demo", help="server og salskærm på en øvedag med de indbyggede standarder")
    d.add_argument("--port", type=_port, default=8765)
    d.add_argument("--clock", type=_clock, default=_clock(DEMO_CLOCK), metavar="TIME")
    d.add_argument("--mode", choices=("audience", "stage"), default="audience")
    d.add_argument("--theme", default="podium-dark", help="tema: " + ", ".join(_theme_names()))
    d.add_argument("--lang", choices=("da", "en"), default="da")
    d.add_argument("--no-hall", action="store_true", help="kun serveren (uden salskærm)")

    h = sub.add_parser("hall", help="salskærmen (publikum) eller scenemonitoren (--mode stage)")
    _client_args(h)
    h.add_argument("--mode", choices=("audience", "stage"), default="audience")
    h.add_argument("--token", help="scene-koden til --mode stage (ellers PODIUM_STAGE_TOKEN)")
    h.add_argument("--room", help="salens id, hvis der er flere sale")
    h.add_argument("--theme", default=None, help="tema: " + ", ".join(_theme_names()))
    h.add_argument("--warn-minutes", type=int, default=5, help="gul advarsel de sidste N minutter")

    mo = sub.add_parser(
        "moderator", help="moderatorkonsollen: styr dagen, noter, spørgsmål, beskeder"
    )
    _client_args(mo)
    mo.add_argument("--token", help="moderator-koden (ellers PODIUM_MODERATOR_TOKEN)")
    mo.add_argument("--theme", default=None, help="tema: " + ", ".join(_theme_names()))

    at = sub.add_parser("attendee", help="deltagerens program, spørgsmål til panelet og afstemning")
    _client_args(at)
    at.add_argument("--name", help="dit navn ved spørgsmål (frivilligt, huskes)")
    at.add_argument("--organisation", help="din organisation (frivilligt, huskes)")
    at.add_argument("--theme", default=None, help="tema: " + ", ".join(_theme_names()))

    prog = sub.add_parser("programme", help="tjek et program")
    psub = prog.add_subparsers(dest="action", required=True, metavar="ACTION")
    chk = psub.add_parser("check", help="tjek en programfil og vis alle fejl")
    chk.add_argument("file")
    chk.add_argument("--lang", choices=("da", "en"), default="da", help="sprog (da eller en)")
    imp = psub.add_parser(
        "import", help="indlæs et program (TOML, schedule.xml, schedule.json) i databasen"
    )
    imp.add_argument("file")
    imp.add_argument("--db", metavar="URL", help="databasen (standard som podium serve)")
    imp.add_argument("--room", help="kun denne sal (navn eller id)")
    imp.add_argument("--day", help="kun denne dag (nummer fra 1 eller dato 2025-09-25)")
    imp.add_argument("--dry-run", action="store_true", help="læs og vis advarsler, men gem intet")
    exp = psub.add_parser(
        "export", help="skriv programmet som schedule.xml/json, iCalendar eller TOML"
    )
    exp.add_argument(
        "--format", required=True, choices=("schedule-xml", "schedule-json", "ics", "toml")
    )
    exp.add_argument("--db", metavar="URL")
    exp.add_argument("-o", "--output", metavar="FILE", help="fil (standard: standard output)")

    q = sub.add_parser("questions", help="spørgsmålene til rapporten")
    qsub = q.add_subparsers(dest="action", required=True, metavar="ACTION")
    qexp = qsub.add_parser("export", help="skriv alle spørgsmål som CSV, JSON eller Markdown")
    qexp.add_argument("--format", required=True, choices=("csv", "json", "md"))
    qexp.add_argument("--db", metavar="URL")
    qexp.add_argument("-o", "--output", metavar="FILE")
    return p


_TEXT = {
    "running": (
        "Podium kører på {ws}  (sundhed: {health})",
        "Podium is running at {ws}  (health: {health})",
    ),
    "moderator": ("Moderator-kode", "Moderator token"),
    "stage": ("Scene-kode", "Stage token"),
    "new": (" (ny)", " (new)"),
    "stop": ("Stop med Ctrl+C.", "Stop with Ctrl+C."),
    "bad_programme": ("Programmet kan ikke indlæses:", "The programme cannot be loaded:"),
    "cannot_start": ("Serveren kan ikke starte: {error}", "The server cannot start: {error}"),
}


def _t(lang: str, key: str, **kw: object) -> str:
    da, en = _TEXT[key]
    return (en if lang == "en" else da).format(**kw)


def _announce(running: Running, lang: str = "da") -> None:
    host = next(iter(running.server.sockets)).getsockname()[0]
    secure = running.server_ssl
    ws = f"{'wss' if secure else 'ws'}://{host}:{running.port}/ws"
    health = f"{'https' if secure else 'http'}://{host}:{running.port}/healthz"
    print(_t(lang, "running", ws=ws, health=health))
    for role, token in running.tokens.items():
        note = _t(lang, "new") if role in running.generated else ""
        print(f"{_t(lang, role)}{note}: {token}")
    print(_t(lang, "stop"), flush=True)


def _limits(pairs: list[str]) -> Limits:
    """--limit NAME=VALUE (repeatable) over the defaults."""
    import dataclasses

    from server.protocol import DEFAULT_LIMITS

    changes: dict[str, float | int] = {}
    names = [f.name for f in dataclasses.fields(DEFAULT_LIMITS)]
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or name not in names:
            raise ValueError(f"{pair!r} (kendte navne: {', '.join(names)})")
        kind = type(getattr(DEFAULT_LIMITS, name))
        try:
            number = kind(value)
        except ValueError:
            raise ValueError(f"{pair!r}: {value!r} er ikke et tal") from None
        if number <= 0 and name != "delay_min":
            raise ValueError(f"{pair!r}: skal være større end 0")
        changes[name] = number
    return dataclasses.replace(DEFAULT_LIMITS, **changes)  # type: ignore[arg-type]


def cmd_serve(args: argparse.Namespace) -> int:
    from server.app import Settings, run
    from server.programme import ProgrammeError

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    try:
        limits = _limits(args.limit)
    except ValueError as exc:
        print(f"Ugyldig --limit: {exc}", file=sys.stderr)
        return 2
    settings = Settings(
        limits=limits,
        host=args.host,
        port=args.port,
        db_url=args.db,
        programme=args.programme,
        clock=args.clock,
        moderator_token=args.moderator_token,
        stage_token=args.stage_token,
        compression=args.compression,
        lang=args.lang,
        certfile=args.certfile,
        keyfile=args.keyfile,
    )
    try:
        asyncio.run(run(settings, lambda r: _announce(r, args.lang)))
    except ProgrammeError as exc:
        print(_t(args.lang, "bad_programme"), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(_t(args.lang, "cannot_start", error=exc), file=sys.stderr)
        return 1
    return 0


def cmd_hall(args: argparse.Namespace) -> int:
    import os

    from kiosk.hall.app import make_app

    theme = _theme(args)
    if theme is None:
        return 2
    token = args.token or os.environ.get("PODIUM_STAGE_TOKEN")
    if args.mode == "stage" and not token:
        print(
            "Scenemonitoren skal have scene-koden: --token KODE (eller PODIUM_STAGE_TOKEN).",
            file=sys.stderr,
        )
        return 2
    app = make_app(
        server=args.server,
        mode=args.mode,
        token=token,
        room=args.room,
        theme=theme,
        lang=args.lang,
        warn_minutes=max(0, args.warn_minutes),
        cafile=args.cafile,
    )
    app.run()
    return 0


def _spawn_server(argv: list[str]) -> tuple[subprocess.Popen[str], int] | None:
    """Start `podium serve` in its own process; its port, once it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = ""
    for line in proc.stdout:
        first = first or line
        if line.startswith(("Stop med", "Stop with")):
            port = int(first.split("/ws")[0].rsplit(":", 1)[1])
            return proc, port
    proc.wait()
    return None


def cmd_moderator(args: argparse.Namespace) -> int:
    import os

    from kiosk.moderator.app import make_app

    theme = _theme(args)
    if theme is None:
        return 2
    token = args.token or os.environ.get("PODIUM_MODERATOR_TOKEN")
    if not token:
        print(
            "Moderatorkonsollen skal have moderator-koden: --token KODE "
            "(eller PODIUM_MODERATOR_TOKEN).\n"
            "Koden står i det, `podium serve` skrev, da den startede.",
            file=sys.stderr,
        )
        return 2
    make_app(server=args.server, token=token, theme=theme, lang=args.lang, cafile=args.cafile).run()
    return 0


def cmd_attendee(args: argparse.Namespace) -> int:
    from kiosk.attendee.app import make_app

    theme = _theme(args)
    if theme is None:
        return 2
    app = make_app(
        server=args.server,
        name=args.name,
        organisation=args.organisation,
        theme=theme,
        lang=args.lang,
        cafile=args.cafile,
    )
    app.run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    tmp = tempfile.mkdtemp(prefix="podium-demo-")
    argv = [
        "--db",
        str(Path(tmp) / "demo.sqlite3"),
        "--clock",
        args.clock.isoformat(timespec="minutes"),
    ]
    argv += ["--moderator-token", "demo", "--stage-token", "demo"]
    started = _spawn_server([*argv, "--port", str(args.port)]) or _spawn_server(
        [*argv, "--port", "0"]
    )
    if started is None:
        print("Demoens server kunne ikke starte.", file=sys.stderr)
        return 1
    proc, port = started
    url = f"ws://127.0.0.1:{port}"
    how = (
        f"Podium-demo: serveren kører på {url}/ws, uret går fra {args.clock:%d.%m.%Y kl. %H.%M}.\n"
        f"  Moderatorkonsol:  podium moderator --server {url} --token demo\n"
        f"  Deltager:         podium attendee --server {url}\n"
        f"  Scenemonitor:     podium hall --mode stage --server {url} --token demo\n"
        f"  Database:         {tmp}/demo.sqlite3\n"
        "Salskærmen åbner nu; luk den med Ctrl+Q."
    )
    print(how, flush=True)
    # SIGTERM ends the demo like Ctrl+C, so that the server below is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.no_hall:
            proc.wait()
        else:
            from kiosk.hall.app import make_app

            make_app(
                server=f"{url}/ws", mode=args.mode, token="demo", theme=args.theme, lang=args.lang
            ).run()
            print(how.rsplit("\n", 1)[0])
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


def cmd_programme_check(args: argparse.Namespace) -> int:
    from server.programme import ProgrammeError, load_file

    en = args.lang == "en"
    try:
        prog = load_file(args.file, args.lang)
    except ProgrammeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        if en:
            print(f"{n} problem{'s' if n != 1 else ''} in {args.file}.", file=sys.stderr)
        else:
            print(f"{n} fejl i {args.file}.", file=sys.stderr)
        return 1
    first, last = prog.items[0], prog.items[-1]
    if en:
        print(
            f"{args.file}: OK – {prog.event.title}, {len(prog.items)} items, "
            f"{first.start:%H.%M}–{last.end:%H.%M}."
        )
    else:
        print(
            f"{args.file}: i orden – {prog.event.title}, {len(prog.items)} punkter, "
            f"kl. {first.start:%H.%M}–{last.end:%H.%M}."
        )
    return 0


def _write(text: str, output: str | None) -> int:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"Kan ikke skrive {output}: {exc.strerror}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


def _open_db(url: str | None):  # type: ignore[no-untyped-def]
    import os

    from server.storage import Store, default_db_url

    return Store(url or os.environ.get("PODIUM_DB") or default_db_url())


def cmd_programme_import(args: argparse.Namespace) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from server.programme import ProgrammeError
    from server.programme.importer import read_programme_file

    try:
        imported = read_programme_file(args.file, room=args.room, day=args.day)
    except ProgrammeError as exc:
        print("Programmet kan ikke indlæses:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for warning in imported.warnings:
        print(f"advarsel: {warning}", file=sys.stderr)
    prog = imported.programme
    days = sorted({i.start.date() for i in prog.items})
    summary = (
        f"{prog.event.title}: {len(prog.items)} punkter i {len(prog.rooms)} sal(e) "
        f"over {len(days)} dag(e), {len(imported.warnings)} advarsler."
    )
    if args.dry_run:
        print(f"{summary} (intet gemt: --dry-run)")
        return 0
    store = _open_db(args.db)
    try:
        store.save_programme(prog, datetime.now(ZoneInfo(prog.event.timezone)))
    finally:
        store.close()
    print(f"{summary} Gemt; en kørende server skifter til det inden for et par sekunder.")
    return 0


def cmd_programme_export(args: argparse.Namespace) -> int:
    from server.programme import default_programme
    from server.programme.ical import export_ics
    from server.programme.native import dumps
    from server.programme.schedule import export_json, export_xml

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
    return _write(render[args.format](prog), args.output)


def cmd_questions_export(args: argparse.Namespace) -> int:
    from server.programme import default_programme
    from server.questions_export import export

    store = _open_db(args.db)
    try:
        state, _ = store.load_state(store.load_programme() or default_programme())
    finally:
        store.close()
    return _write(export(state, args.format), args.output)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "hall":
        return cmd_hall(args)
    if args.command == "moderator":
        return cmd_moderator(args)
    if args.command == "attendee":
        return cmd_attendee(args)
    if args.command == "demo":
        return cmd_demo(args)
    if args.command == "programme" and args.action == "check":
        return cmd_programme_check(args)
    if args.command == "programme" and args.action == "import":
        return cmd_programme_import(args)
    if args.command == "programme" and args.action == "export":
        return cmd_programme_export(args)
    if args.command == "questions" and args.action == "export":
        return cmd_questions_export(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
