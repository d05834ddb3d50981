"""Schedules changed at run time: they persist, until the config file changes the same schedule."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import ScheduleOverride, utcnow

log = logging.getLogger(__name__)


def set_override(
    session: Session,
    kind: str,
    target: str,
    schedule: str,
    *,
    file_value: str | None,
    set_by: str | None = None,
) -> None:
    """Stores an admin's schedule with the file's value at that moment, for the file-wins rule."""
    row = session.scalar(
        select(ScheduleOverride).where(
            ScheduleOverride.target_kind == kind, ScheduleOverride.target == target
        )
    )
    if row is None:
        row = ScheduleOverride(target_kind=kind, target=target)
        session.add(row)
    row.schedule, row.file_value, row.set_by, row.set_at = schedule, file_value, set_by, utcnow()
    session.flush()


def effective_schedule(session: Session, kind: str, target: str, file_value: str) -> str:
    """The override while the file still says what it said when the override was set.

    Once the file's value differs, the admin edited the file after the override: the file wins
    and the override is dropped.
    """
    row = session.scalar(
        select(ScheduleOverride).where(
            ScheduleOverride.target_kind == kind, ScheduleOverride.target == target
        )
    )
    if row is None:
        return file_value
    if row.file_value != file_value:
        log.info(
            "schedule override dropped: %s %s (file changed %r -> %r, override was %r)",
            kind,
            target,
            row.file_value,
            file_value,
            row.schedule,
        )
        session.delete(row)
        session.flush()
        return file_value
    return row.schedule
