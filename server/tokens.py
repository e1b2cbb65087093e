"""The moderator and stage tokens: kept as a salted hash, shown only when made.

The database holds ``pbkdf2_sha256$iterations$salt$hash`` for each role, never the token
(a copy of the database, a backup or a shared PostgreSQL gives nobody the console). A token
comes from ``--moderator-token`` (visible in ``ps``), a token file, or the environment; a
role with none gets a new one, printed once at the start that made it. ``podium serve
--show-tokens`` prints them again: a token only known by its hash is replaced by a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Protocol

ITERATIONS = 200_000  # about 40 ms a check: nothing for a console, slow for a guesser
ROLES = ("moderator", "stage")


class Meta(Protocol):
    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


def hash_token(token: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", token.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify(token: str | None, stored: str | None) -> bool:
    """Whether ``token`` is the one ``stored`` is the hash of (constant time)."""
    if not token or not stored:
        return False
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        given = hashlib.pbkdf2_hmac("sha256", token.encode(), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)


@dataclass
class Settled:
    """The tokens' hashes, and the tokens to print (role -> (token, why))."""

    hashes: dict[str, str] = field(default_factory=dict)
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # roles whose token is only a stored hash


def settle(store: Meta, given: dict[str, str | None], *, show: bool = False) -> Settled:
    """Store the hash of each role's token and say which tokens to print.

    ``given``: role -> the token from the flag, file or environment (None: keep or make).
    ``why`` is "new" (made now), "replaced" (``show`` asked for a token only its hash was
    kept of) or "given".
    """
    out = Settled()
    for key, token in given.items():  # "moderator:ROOM": a room's own moderator token
        if key.startswith("moderator:") and token:
            stored = store.get_meta(f"token_hash:{key}")
            if not verify(token, stored):
                stored = hash_token(token)
                store.set_meta(f"token_hash:{key}", stored)
            out.hashes[key] = stored or hash_token(token)
    for role in ROLES:
        key = f"token_hash:{role}"
        stored = store.get_meta(key) or _upgrade(store, role)
        token = given.get(role)
        if token:
            if not verify(token, stored):
                stored = hash_token(token)
                store.set_meta(key, stored)
            if show:
                out.shown[role] = (token, "given")
        elif stored is None or show:
            token = secrets.token_urlsafe(12)
            stored = hash_token(token)
            store.set_meta(key, stored)
            out.shown[role] = (token, "new" if not show else "replaced")
        else:
            out.kept.add(role)
        assert stored is not None
        out.hashes[role] = stored
    return out


def _upgrade(store: Meta, role: str) -> str | None:
    """A token an older Podium kept in clear text: hash it, and blank the clear text."""
    old = store.get_meta(f"token:{role}")
    if not old:
        return None
    hashed = hash_token(old)
    store.set_meta(f"token_hash:{role}", hashed)
    store.set_meta(f"token:{role}", "")
    return hashed
