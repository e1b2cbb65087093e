"""The QR code of the attendees' page: a maintained encoder (segno), error correction M
(a code on a screen seen at an angle, or a poster with a scratch, still reads), and the
quiet zone of four modules the standard asks for."""

from __future__ import annotations

import io

QUIET_ZONE = 4


def matrix(url: str, border: int = QUIET_ZONE) -> list[list[bool]]:
    """The modules of the code, quiet zone included: True is dark."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=border)]


def svg(url: str) -> bytes:
    """The code as an SVG for a poster: black on white, 10 px a module."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", scale=10, border=QUIET_ZONE, title=url, dark="#000", light="#fff"
    )
    return out.getvalue()
