"""Storage: the repository interface, its SQL implementation (SQLModel tables) and one in memory."""

from server.storage.base import LogEntry, Repository
from server.storage.memory import MemoryStore
from server.storage.repository import Store, default_db_url

__all__ = ["LogEntry", "MemoryStore", "Repository", "Store", "default_db_url"]
