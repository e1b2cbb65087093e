"""What the attendee client keeps on this laptop, in the user's config directory.

- a stable anonymous client id (nothing personal is required);
- the name and organisation last used (to fill the form next time);
- the outbox: questions not yet acknowledged by the server, with their command ids,
  so that a question typed over flaky Wi-Fi survives a restart of the client and is
  sent exactly once (the server answers a resent id from its log).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

log = logging.getLogger("podium.attendee")


@dataclass
class Outgoing:
    """A question on its way: its command id and what was typed."""

    cid: str
    text: str
    name: str = ""
    organisation: str = ""
    item_id: str | None = None

    def args(self) -> dict[str, Any]:
        a: dict[str, Any] = {"text": self.text}
        if self.name:
            a["name"] = self.name
        if self.organisation:
            a["organisation"] = self.organisation
        if self.item_id:
            a["item_id"] = self.item_id
        return a


@dataclass
class Profile:
    client_id: str
    name: str = ""
    organisation: str = ""
    outbox: list[Outgoing] = field(default_factory=list)


class ProfileStore:
    """Reads and writes the profile file atomically; a damaged file starts a new profile."""

    def __init__(self, folder: Path | None = None) -> None:
        base = folder or Path(
            os.environ.get("PODIUM_CONFIG_DIR") or user_config_dir("podium", appauthor=False)
        )
        self.path = base / "attendee.json"

    def load(self) -> Profile:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            outbox = [Outgoing(**o) for o in data.get("outbox", []) if isinstance(o, dict)]
            cid = data["client_id"]
            if not (
                isinstance(cid, str) and 8 <= len(cid) <= 64 and cid.replace("-", "").isalnum()
            ):
                raise ValueError(cid)
            return Profile(
                cid, str(data.get("name", "")), str(data.get("organisation", "")), outbox
            )
        except (OSError, ValueError, KeyError, TypeError):
            profile = Profile(client_id=f"att-{secrets.token_hex(10)}")
            self.save(profile)
            return profile

    def save(self, profile: Profile) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".attendee-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(profile), f, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except OSError as exc:
            # A read-only home still lets the client run; unsent questions then live
            # only as long as the client does (they stay visible as unsent).
            log.warning("cannot save %s: %s", self.path, exc)
