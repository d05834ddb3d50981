"""Per-source fetch state: conditional GET validators, failure counting, backoff, disabling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Source, utcnow

MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class SourceState:
    """A snapshot of a source's fetch state, safe to use outside the session."""

    id: int
    name: str
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    backoff_until: datetime | None
    disabled: bool

    def backing_off(self, now: datetime) -> bool:
        """Whether the source is waiting out a backoff period."""
        return self.backoff_until is not None and _aware(self.backoff_until) > now


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes even for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _snapshot(source: Source) -> SourceState:
    return SourceState(
        id=source.id,
        name=source.name,
        etag=source.etag,
        last_modified=source.last_modified,
        consecutive_failures=source.consecutive_failures,
        backoff_until=source.backoff_until,
        disabled=source.disabled,
    )


def _get(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise KeyError(name)
    return source


def sync_source(session: Session, name: str, location: str) -> SourceState:
    """The source's row, created on first sight; a new location starts with a clean state."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, location=location, consecutive_failures=0, disabled=False)
        session.add(source)
    elif source.location != location:
        source.location = location
        source.etag = source.last_modified = source.backoff_until = source.last_error = None
        source.consecutive_failures = 0
        source.disabled = False
    session.flush()
    return _snapshot(source)


def record_success(
    session: Session, name: str, *, etag: str | None, last_modified: str | None
) -> None:
    """A fetch worked (or was not modified): validators stored, failures forgotten."""
    source = _get(session, name)
    now = utcnow()
    source.last_fetch_at = source.last_success_at = now
    if etag is not None or last_modified is not None:
        source.etag, source.last_modified = etag, last_modified
    source.consecutive_failures = 0
    source.backoff_until = None
    source.last_error = None


def record_failure(
    session: Session,
    name: str,
    error: str,
    *,
    backoff_after: int,
    disable_after: int,
    backoff_base: float,
) -> SourceState:
    """Counts a failure; backs the source off after a few and disables it after many."""
    source = _get(session, name)
    now = utcnow()
    source.last_fetch_at = now
    source.last_error = error
    source.consecutive_failures += 1
    failures = source.consecutive_failures
    if failures >= disable_after:
        source.disabled = True
    elif failures >= backoff_after:
        delay = timedelta(seconds=backoff_base * 2 ** (failures - backoff_after))
        source.backoff_until = now + min(delay, MAX_BACKOFF)
    session.flush()
    return _snapshot(source)


def source_states(session: Session) -> dict[str, SourceState]:
    """Every known source's state by name (for status commands)."""
    return {source.name: _snapshot(source) for source in session.scalars(select(Source))}
