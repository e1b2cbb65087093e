"""The ``podium`` command line: the screens here, the organiser's commands from ``server.cli``.

``server.cli`` imports only the standard library at the top and the server inside
each command, so that the screens (``podium hall`` on a Raspberry Pi) never load
SQLModel. Every subcommand dispatches through ``set_defaults(func=…)``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.kiosk_unit import DEFAULT_FONT
from kiosk.text import Strings
from server.cli import PodiumParser, add_commands, clock_arg, parse_ready_line, port_arg, speak

DEMO_CLOCK = "2025-09-25T11:40"


def _theme_names() -> list[str]:
    import themes

    return sorted(p.stem for p in themes.folder().glob("*.toml"))


def _theme(args: argparse.Namespace) -> str | None:
    """The chosen theme, or None (with a message) when there is no such theme file."""
    import themes

    theme: str = args.theme or themes.DEFAULT_THEME
    if theme not in _theme_names():
        t = Strings(getattr(args, "lang", "da"))
        print(t("cli_bad_theme", theme=theme, themes=", ".join(_theme_names())), file=sys.stderr)
        return None
    return theme


def server_url(value: str) -> str:
    """ws://HOST:PORT/ws from what a person types: host:port, ws://host:port, wss://…"""
    value = value.strip()
    if "://" not in value:
        value = f"ws://{value}"
    scheme, rest = value.split("://", 1)
    if scheme not in ("ws", "wss"):
        # argparse checks this before --lang is read: Danish, as every default.
        raise argparse.ArgumentTypeError(Strings("da")("cli_bad_url", value=value))
    if "/" not in rest:
        rest += "/ws"
    return f"{scheme}://{rest}"


def server_urls(value: str) -> str:
    """One server address, or several separated by commas (a cluster: the client moves to
    the next when its server goes away)."""
    urls = [server_url(v.strip()) for v in value.split(",") if v.strip()]
    if not urls:
        raise argparse.ArgumentTypeError(Strings("da")("cli_bad_url", value=value))
    return ",".join(urls)


def _client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--server",
        type=server_urls,
        default="ws://127.0.0.1:8765/ws",
        help="serverens adresse (ws://HOST:PORT); flere adskilt med komma",
    )
    p.add_argument("--lang", choices=("da", "en"), default="da", help="sprog (da eller en)")
    p.add_argument(
        "--cafile", metavar="FILE", help="CA-certifikat at stole på ved wss:// (eget certifikat)"
    )


def build_parser() -> argparse.ArgumentParser:
    p = PodiumParser(prog="podium", description="Podium: skærmene til en konference.")
    sub = p.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    d = sub.add_parser("demo", help="server og salskærm på en øvedag med de indbyggede standarder")
    d.add_argument("--port", type=port_arg, default=8765, help="serverens port")
    d.add_argument(
        "--clock",
        type=clock_arg,
        default=clock_arg(DEMO_CLOCK),
        metavar="TIME",
        help=f"øvedagens ur starter her (standard: {DEMO_CLOCK})",
    )
    d.add_argument(
        "--mode",
        choices=("audience", "stage", "foyer"),
        default=None,
        help="salskærm, scene eller foyer (standard: foyer, når programmet har flere sale)",
    )
    d.add_argument(
        "--programme",
        metavar="FILE",
        help="et andet program (fx server/programme/demo-two-rooms.toml med to sale)",
    )
    d.add_argument("--theme", default="podium-dark", help="tema: " + ", ".join(_theme_names()))
    d.add_argument("--lang", choices=("da", "en"), default="da", help="sprog")
    d.add_argument("--no-hall", action="store_true", help="kun serveren (uden salskærm)")

    h = sub.add_parser("hall", help="salskærmen (publikum) eller scenemonitoren (--mode stage)")
    _client_args(h)
    h.add_argument(
        "--mode",
        choices=("audience", "stage", "foyer"),
        default="audience",
        help="audience: salen; stage: scenemonitoren; foyer: alle sale i foyeren",
    )
    h.add_argument("--token", help="scene-koden til --mode stage (ellers PODIUM_STAGE_TOKEN)")
    h.add_argument("--room", help="salen (id eller navn), hvis der er flere sale")
    h.add_argument("--theme", default=None, help="tema: " + ", ".join(_theme_names()))
    h.add_argument("--warn-minutes", type=int, default=5, help="gul advarsel de sidste N minutter")
    h.add_argument(
        "--no-qr",
        action="store_true",
        help="vis ikke QR-koden til deltagernes side (velkomst, pauser, åbne spørgsmål)",
    )
    h.add_argument(
        "--print-kiosk-unit",
        action="store_true",
        help="skriv en systemd-enhed, der kører denne skærm ved opstart (docs/kiosk.md)",
    )
    h.add_argument("--kiosk-user", default="podium", help="brugeren, skærmen kører som")
    h.add_argument("--kiosk-tty", default="tty1", help="konsollen, skærmen vises på")
    h.add_argument("--kiosk-font", default=DEFAULT_FONT, help="konsollens skrifttype (setfont)")

    mo = sub.add_parser(
        "moderator", help="moderatorkonsollen: styr dagen, noter, spørgsmål, beskeder"
    )
    _client_args(mo)
    mo.add_argument("--token", help="moderator-koden (ellers PODIUM_MODERATOR_TOKEN)")
    mo.add_argument("--room", help="salen, konsollen styrer (id eller navn; skift med ctrl+r)")
    mo.add_argument("--theme", default=None, help="tema: " + ", ".join(_theme_names()))

    at = sub.add_parser("attendee", help="deltagerens program, spørgsmål til panelet og afstemning")
    _client_args(at)
    at.add_argument("--room", help="salen, du følger (id eller navn)")
    at.add_argument("--name", help="dit navn ved spørgsmål (frivilligt, huskes)")
    at.add_argument("--organisation", help="din organisation (frivilligt, huskes)")
    at.add_argument("--theme", default=None, help="tema: " + ", ".join(_theme_names()))

    add_commands(sub)
    handlers: dict[argparse.ArgumentParser, Callable[[argparse.Namespace], int]] = {
        d: cmd_demo,
        h: cmd_hall,
        mo: cmd_moderator,
        at: cmd_attendee,
    }
    for parser, func in handlers.items():
        parser.set_defaults(func=func)
    return p


def cmd_hall(args: argparse.Namespace) -> int:
    from kiosk.hall.app import make_app

    theme = _theme(args)
    if theme is None:
        return 2
    if args.print_kiosk_unit:
        from kiosk.kiosk_unit import unit

        print(
            unit(
                server=args.server,
                mode=args.mode,
                room=args.room,
                theme=args.theme,
                lang=args.lang,
                user=args.kiosk_user,
                tty=args.kiosk_tty,
                font=args.kiosk_font,
                qr=not args.no_qr,
            ),
            end="",
        )
        return 0
    token = args.token or os.environ.get("PODIUM_STAGE_TOKEN")
    if args.mode == "stage" and not token:
        print(Strings(args.lang)("cli_stage_token"), file=sys.stderr)
        return 2
    app = make_app(
        server=args.server,
        mode=args.mode,
        token=token,
        room=args.room,
        theme=theme,
        lang=args.lang,
        warn_minutes=max(0, args.warn_minutes),
        qr=not args.no_qr,
        cafile=args.cafile,
    )
    app.run()
    return 0


def _spawn_server(argv: list[str]) -> tuple[subprocess.Popen[str], dict[str, Any]] | None:
    """Start `podium serve` in its own process; its ready line (port, page), once it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", "--ready-line", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        ready = parse_ready_line(line)
        if ready is not None:
            return proc, ready
    proc.wait()
    return None


def cmd_moderator(args: argparse.Namespace) -> int:
    from kiosk.moderator.app import make_app

    theme = _theme(args)
    if theme is None:
        return 2
    token = args.token or os.environ.get("PODIUM_MODERATOR_TOKEN")
    if not token:
        print(Strings(args.lang)("cli_moderator_token"), file=sys.stderr)
        return 2
    make_app(
        server=args.server,
        token=token,
        room=args.room,
        theme=theme,
        lang=args.lang,
        cafile=args.cafile,
    ).run()
    return 0


def cmd_attendee(args: argparse.Namespace) -> int:
    from kiosk.attendee.app import make_app

    theme = _theme(args)
    if theme is None:
        return 2
    app = make_app(
        server=args.server,
        room=args.room,
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
    mode = args.mode or "audience"
    if args.programme:
        from server.cli import programme_rooms

        try:
            rooms = programme_rooms(args.programme, args.lang)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        argv += ["--programme", str(Path(args.programme).resolve())]
        mode = args.mode or ("foyer" if rooms > 1 else "audience")
    started = _spawn_server([*argv, "--port", str(args.port)]) or _spawn_server(
        [*argv, "--port", "0"]
    )
    t = Strings(args.lang)
    if started is None:
        print(t("cli_demo_failed"), file=sys.stderr)
        return 1
    proc, ready = started
    port = int(ready["port"])
    url = f"ws://127.0.0.1:{port}"
    page = str(ready.get("page") or f"http://127.0.0.1:{port}/")
    clock = f"{t.date(args.clock)} {t.at(args.clock)}"
    how = t("cli_demo", url=url, clock=clock, db=f"{tmp}/demo.sqlite3", podium=_podium(), page=page)
    print(how, flush=True)
    # SIGTERM ends the demo like Ctrl+C, so that the server below is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.no_hall:
            proc.wait()
        else:
            from kiosk.hall.app import make_app

            make_app(
                server=f"{url}/ws", mode=mode, token="demo", theme=args.theme, lang=args.lang
            ).run()
            # The hall screen covered the instructions: say them again, and keep the server
            # for the console and the attendee until the user stops it.
            print(how.rsplit("\n", 1)[0])
            print(t("cli_demo_running", url=url), flush=True)
            proc.wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


def _podium() -> str:
    """How to run `podium` from here: the bare name when it is on PATH, else its path in
    this virtual environment (after `make demo`, .venv/bin is not on PATH)."""
    here = Path(sys.executable).parent / "podium"
    found = shutil.which("podium")
    if found and Path(found).resolve() == here.resolve():
        return "podium"
    if here.exists():
        try:
            return str(here.relative_to(Path.cwd()))
        except ValueError:
            return str(here)
    return "podium"


def main(argv: Sequence[str] | None = None) -> int:
    speak(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
