"""Storage: a migrated SQLAlchemy database and repository functions grouped by concern."""

from bot.store.db import Store

__all__ = ["Store"]
