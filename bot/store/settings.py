"""Small key/value state that survives restarts (paused posting per platform)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.store.models import Setting


def get_setting(session: Session, key: str) -> str | None:
    """The stored value, or None when never set."""
    row = session.get(Setting, key)
    return row.value if row is not None else None


def set_setting(session: Session, key: str, value: str) -> None:
    """Creates or replaces one value."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
