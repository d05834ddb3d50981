"""Schedules changed at run time: they persist, until the config file changes the same schedule."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import Database
from bot.store.models import ScheduleOverride
from bot.store.types import ScheduleTarget, utcnow

log = logging.getLogger(__name__)


class Schedules:
    """Admins' run-time schedule overrides and the file-wins rule (ADR 004)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_override(
        self,
        kind: ScheduleTarget,
        target: str,
        schedule: str,
        *,
        file_value: str | None,
        set_by: str | None = None,
    ) -> None:
        """Stores an admin's schedule with the file's value at that moment, for the file-wins rule."""
        await self._db.run(put_override, kind, target, schedule, file_value, set_by)

    async def effective_source_schedules(self, file_values: Mapping[str, str]) -> dict[str, str]:
        """Each source's schedule: an override while the file still says what it said then."""
        return await self._db.run(_effective_sources, dict(file_values))


def find_override(session: Session, kind: ScheduleTarget, target: str) -> ScheduleOverride | None:
    return session.scalar(
        select(ScheduleOverride).where(
            ScheduleOverride.target_kind == kind, ScheduleOverride.target == target
        )
    )


def put_override(
    session: Session,
    kind: ScheduleTarget,
    target: str,
    schedule: str,
    file_value: str | None,
    set_by: str | None,
) -> None:
    row = find_override(session, kind, target)
    if row is None:
        row = ScheduleOverride(target_kind=kind, target=target)
        session.add(row)
    row.schedule, row.file_value, row.set_by, row.set_at = schedule, file_value, set_by, utcnow()
    session.flush()


def effective(session: Session, kind: ScheduleTarget, target: str, file_value: str) -> str:
    """The override while the file still says what it said when the override was set.

    Once the file's value differs, the admin edited the file after the override: the file wins
    and the override is dropped.
    """
    row = find_override(session, kind, target)
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


def _effective_sources(session: Session, file_values: dict[str, str]) -> dict[str, str]:
    return {
        name: effective(session, ScheduleTarget.SOURCE, name, value)
        for name, value in file_values.items()
    }
