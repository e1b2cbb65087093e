"""A hall PC or Raspberry Pi as a kiosk: a systemd unit that runs ``podium hall`` on the
Linux console of a screen, at boot, with no desktop, and starts it again after a crash,
a hang or a power cut. docs/kiosk.md says how to install it.

The hall app tells systemd it is alive once a second (``sd_notify`` WATCHDOG=1, see
:func:`notify`); a frozen screen stops the pings and systemd restarts it.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

from kiosk.text import Strings

#: The console font: Terminus Bold 16x32 (Debian's console-setup-linux) gives 120x33 on a
#: 1080p screen and 240x67 on a 4K one; 8x16 (the kernel's own) gives 240x67 on 1080p.
DEFAULT_FONT = "/usr/share/consolefonts/Uni3-TerminusBold32x16.psf.gz"
#: Seconds without a sign of life before systemd restarts the screen.
WATCHDOG_S = 15


def podium_command() -> str:
    """The absolute path of this installation's ``podium`` (the unit has no PATH of ours)."""
    here = Path(sys.argv[0]).resolve()
    if here.name == "podium" and here.is_file():
        return str(here)
    beside = Path(sys.executable).with_name("podium")
    return str(beside) if beside.is_file() else f"{sys.executable} -m kiosk.cli"


def unit(
    *,
    server: str,
    mode: str = "audience",
    room: str | None = None,
    theme: str | None = None,
    lang: str = "da",
    user: str = "podium",
    tty: str = "tty1",
    font: str = DEFAULT_FONT,
    podium: str | None = None,
    qr: bool = True,
) -> str:
    """The text of a systemd system unit for one screen."""
    args = ["hall", "--server", server, "--mode", mode, "--lang", lang]
    if room:
        args += ["--room", room]
    if theme:
        args += ["--theme", theme]
    if not qr:
        args += ["--no-qr"]
    command = (podium or podium_command()) + " " + shlex.join(args)
    t = Strings(lang)
    what = t("kiosk_stage") if mode == "stage" else t("kiosk_hall")
    lines = [
        "# " + t("kiosk_unit_title", what=what, room=room or "-", tty=tty),
        "# Written by `podium hall --print-kiosk-unit`; install as in docs/kiosk.md:",
        f"#   sudo cp THIS /etc/systemd/system/podium-hall-{tty}.service",
        f"#   sudo systemctl daemon-reload && sudo systemctl enable --now podium-hall-{tty}",
        "[Unit]",
        f"Description=Podium {what} ({server})",
        "After=systemd-user-sessions.service network-online.target",
        "Wants=network-online.target",
        f"Conflicts=getty@{tty}.service",
        f"After=getty@{tty}.service",
        # Restart for ever: a screen must come back however often it falls.
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        f"User={user}",
        "Type=notify",
        "NotifyAccess=main",
        f"WatchdogSec={WATCHDOG_S}",
        "Restart=always",
        "RestartSec=2",
        f"TTYPath=/dev/{tty}",
        "TTYReset=yes",
        "TTYVHangup=yes",
        "StandardInput=tty-force",
        "StandardOutput=tty",
        "StandardError=journal",
        "Environment=TERM=linux",
        "Environment=PYTHONUNBUFFERED=1",
    ]
    if mode == "stage":
        # The stage token from a file only root and the unit read (never on the command line).
        lines.append("EnvironmentFile=/etc/podium/stage.env")
    lines += [
        # As root (+): a large console font, no blanking or power saving, no cursor (each
        # only where the tool is there, "-": the screen starts in any case).
        f"ExecStartPre=-+/bin/sh -c 'command -v setfont >/dev/null && setfont {font} || true'",
        "ExecStartPre=-+/usr/bin/setterm --blank 0 --powerdown 0 --powersave off --cursor off",
        f"ExecStart={command}",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ]
    return "\n".join(lines)


def notify(message: str) -> bool:
    """Tell systemd ``message`` (READY=1, WATCHDOG=1) when it started us with a notify
    socket; False (and nothing done) otherwise or when the socket is gone."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), address)
    except OSError:
        return False
    return True
