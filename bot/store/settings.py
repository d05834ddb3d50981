"""Small key/value state that survives restarts (paused posting per platform)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.store.db import Database
from bot.store.models import Setting


class Settings:
    """Run-time switches kept in the database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def is_paused(self, platform: str) -> bool:
        """Whether an admin paused posting on the platform."""
        return await self._db.run(_get, _paused_key(platform)) == "1"

    async def set_paused(self, platform: str, paused: bool) -> None:
        await self._db.run(_set, _paused_key(platform), "1" if paused else "0")


def _paused_key(platform: str) -> str:
    return f"paused.{platform}"


def _get(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row is not None else None


def _set(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
