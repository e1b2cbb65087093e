"""The address attendees are given (``serve --public-url``) and the origins allowed to open
/ws from a browser.

The default is the machine's own LAN address when the server listens on every interface
(``--host 0.0.0.0``), else the address it listens on. Only the standard library: the CLI
checks ``--public-url`` before it loads the server.
"""

from __future__ import annotations

import ipaddress
import socket

from server.contract import MAX_URL_CHARS, BadUrl, check_url, origin_of, short

__all__ = [
    "MAX_URL_CHARS",
    "BadUrl",
    "check_url",
    "default_public_url",
    "lan_address",
    "origin_of",
    "short",
]


def lan_address() -> str | None:
    """The address this machine would use to reach the LAN (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 9))  # connect() on UDP only picks a route
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("0.") else address


def default_public_url(host: str, port: int, secure: bool) -> str:
    """Where a phone on the LAN finds the page of a server on ``host``:``port``."""
    address = host
    if host in ("", "0.0.0.0", "::"):
        address = lan_address() or "127.0.0.1"
    try:
        if ipaddress.ip_address(address).version == 6:
            address = f"[{address}]"
    except ValueError:
        pass  # a host name
    return f"{'https' if secure else 'http'}://{address}:{port}/"
