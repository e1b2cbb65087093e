"""The address attendees are given (``serve --public-url``) and the origins allowed to open
/ws from a browser.

The default is the machine's own LAN address when the server listens on every interface
(``--host 0.0.0.0``), else the address it listens on. Only the standard library: the CLI
checks ``--public-url`` before it loads the server.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_CHARS = 200


class BadUrl(ValueError):
    """A ``--public-url`` or ``--allow-origin`` that is not an http(s) address."""


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


def check_url(value: str) -> str:
    """``value`` as an http(s) address with a host and a path ending in "/".

    Raises:
        BadUrl: not http(s), no host, a query or fragment, control characters, too long.
    """
    value = value.strip()
    if not value or len(value) > MAX_URL_CHARS or any(ord(c) < 33 for c in value):
        raise BadUrl(value)
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise BadUrl(value) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadUrl(value)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BadUrl(value)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc.lower()}{path}"


def origin_of(url: str) -> str:
    """The browser Origin of ``url`` ("http://192.168.1.10:8765")."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    default = {"http": ":80", "https": ":443"}.get(parts.scheme, "")
    if default and netloc.endswith(default):
        netloc = netloc.removesuffix(default)  # browsers leave the default port out
    return f"{parts.scheme}://{netloc}"


def short(url: str) -> str:
    """The address as said aloud or written under a code: no scheme, no trailing "/"."""
    parts = urlsplit(url)
    rest = parts.path.rstrip("/")
    return parts.netloc + rest
