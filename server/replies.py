"""The answers to commands already done, so that a resent command id changes nothing.

The last :data:`REPLY_CACHE` answers are kept in memory (loaded from the log at start).
While the log holds no more than that, a miss means "never done". Past it, a miss is
looked up in the log (off the event loop) before the command is applied: memory stays
bounded whatever the length of the day, and a command resent hours later still gets
its first answer.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from server.storage.base import Repository

#: How many answers stay in memory.
REPLY_CACHE = 20_000

Key = tuple[str, str]  # (client key, command id)
#: What a command was (its fingerprint) and what it was answered.
Answer = tuple[str, dict[str, Any]]


def fingerprint(name: str, args: Mapping[str, Any]) -> str:
    """The command's name and arguments, so a reused id for another command is seen."""
    return f"{name}\x1f{json.dumps(args, sort_keys=True, ensure_ascii=False)}"


class Replies:
    """A bounded cache of answers over the command log."""

    def __init__(self, store: Repository, capacity: int = REPLY_CACHE) -> None:
        self.store = store
        self.capacity = capacity
        self._cache: OrderedDict[Key, Answer] = OrderedDict(
            ((k, c), (fingerprint(name, args), r))
            for k, c, name, args, r in store.recent_replies(capacity)
        )
        #: Whether every answer ever logged is in the cache (a miss is then authoritative).
        self.complete = store.reply_count() <= capacity

    def __len__(self) -> int:
        return len(self._cache)

    def cached(self, key: Key) -> Answer | None:
        """The answer if it is in memory."""
        return self._cache.get(key)

    def known_absent(self, key: Key) -> bool:
        """True when the command was surely never answered (no need to ask the log)."""
        return self.complete and key not in self._cache

    def lookup(self, key: Key) -> Answer | None:
        """The answer from the log (blocking: call it in a thread)."""
        found = self.store.reply(*key)
        if found is None:
            return None
        name, args, reply = found
        return fingerprint(name, args), reply

    def remember(self, answers: dict[Key, Answer]) -> None:
        """Answers that are now stored."""
        for key, reply in answers.items():
            self._cache[key] = reply
            self._cache.move_to_end(key)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
            self.complete = False
