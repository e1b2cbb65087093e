"""Storage: SQLModel tables and the small repository the server writes through."""

from server.storage.repository import LogEntry, Store, default_db_url

__all__ = ["LogEntry", "Store", "default_db_url"]
