"""The attendees' web page (``server/page/``), served by ``podium serve`` at ``/``, and the
QR code of its address at ``/qr.svg``.

Files are read once from the package and served from memory with an ETag (a browser
asks again each time and gets 304 while nothing changed: an upgrade shows at the next
load). Every response carries a strict Content-Security-Policy: scripts and styles only
from this server, no inline script, no eval, websockets only to this server, no frames.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources

from websockets.http11 import Request, Response

from server import qrcode
from server.public import origin_of

#: Path -> (file in server/page, content type).
FILES: dict[str, tuple[str, str]] = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
    "/icon.svg": ("icon.svg", "image/svg+xml"),
    "/manifest.webmanifest": ("manifest.webmanifest", "application/manifest+json"),
}

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

#: Sent with the page and its files.
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
]


def _ws_origin(url: str) -> str:
    """http://b:8765/ -> ws://b:8765 (what a CSP's connect-src names)."""
    origin = origin_of(url)
    return ("wss" + origin[5:]) if origin.startswith("https") else ("ws" + origin[4:])


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def _asset(body: bytes, content_type: str) -> Asset:
    return Asset(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def load() -> dict[str, Asset]:
    """Every file of the page, by path."""
    folder = resources.files("server").joinpath("page")
    return {
        path: _asset(folder.joinpath(name).read_bytes(), kind)
        for path, (name, kind) in FILES.items()
    }


class Page:
    """Serves the page's files and the QR code of the public address; knows the browser
    origins besides the server's own host that may open /ws."""

    def __init__(self, allow_origins: tuple[str, ...] = (), peers: tuple[str, ...] = ()) -> None:
        self.public_url: str | None = None
        self.assets = load()
        self.origins = frozenset(origin_of(o) for o in (*allow_origins, *peers))
        # The page may open the /ws of the other servers on the same database (serve --peer)
        # and no other address.
        connect = " ".join(["'self'", *sorted({_ws_origin(p) for p in peers})])
        csp = CSP.replace("connect-src 'self'", f"connect-src {connect}")
        self.headers = [
            (k, csp if k == "Content-Security-Policy" else v) for k, v in SECURITY_HEADERS
        ]

    def publish(self, public_url: str) -> None:
        """Attendees are given ``public_url`` (known once the server listens)."""
        self.public_url = public_url
        self.assets["/qr.svg"] = _asset(qrcode.svg(public_url), "image/svg+xml")
        self.origins = self.origins | {origin_of(public_url)}

    def serves(self, path: str) -> bool:
        return path in self.assets

    def get(self, path: str, request: Request, *, head: bool) -> Response:
        from server.web import response

        asset = self.assets[path]
        extra = [("Cache-Control", "no-cache"), ("ETag", asset.etag), *self.headers]
        if asset.etag in request.headers.get("If-None-Match", ""):
            return response(
                HTTPStatus.NOT_MODIFIED, b"", asset.content_type, head=True, extra=extra
            )
        return response(HTTPStatus.OK, asset.body, asset.content_type, head=head, extra=extra)
