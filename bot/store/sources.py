"""Per-source fetch state: conditional GET validators, failure counting, backoff, disabling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.news.types import ArticleData
from bot.store.articles import insert_article
from bot.store.db import Database
from bot.store.models import Source
from bot.store.types import SourceState, utcnow

MAX_BACKOFF = timedelta(hours=6)


class Sources:
    """The fetch state of configured sources."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def sync(self, name: str, location: str) -> SourceState:
        """The source's state, created on first sight; a new location starts with a clean state."""
        return await self._db.run(_sync, name, location)

    async def store_fetch(
        self,
        name: str,
        location: str,
        articles: Sequence[ArticleData],
        *,
        etag: str | None,
        last_modified: str | None,
    ) -> list[int]:
        """A fetch worked: its new articles and the source's success recorded in one transaction.

        Returns the ids of the articles that were new (duplicates are skipped).
        """
        return await self._db.run(_store_fetch, name, location, list(articles), etag, last_modified)

    async def record_failure(
        self,
        name: str,
        error: str,
        *,
        backoff_after: int,
        disable_after: int,
        backoff_base: float,
    ) -> tuple[bool, SourceState]:
        """Counts a failure; returns (disabled before, state after) so a new disabling shows."""
        return await self._db.run(
            _record_failure, name, error, backoff_after, disable_after, backoff_base
        )

    async def states(self) -> dict[str, SourceState]:
        """Every known source's state by name, in name order (status commands)."""
        return await self._db.run(_states)


def _snapshot(source: Source) -> SourceState:
    return SourceState(
        id=source.id,
        name=source.name,
        etag=source.etag,
        last_modified=source.last_modified,
        consecutive_failures=source.consecutive_failures,
        backoff_until=source.backoff_until,
        disabled=source.disabled,
        last_fetch=source.last_fetch_at,
        last_success=source.last_success_at,
        last_error=source.last_error,
    )


def _row(session: Session, name: str, location: str) -> Source:
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
    return source


def _sync(session: Session, name: str, location: str) -> SourceState:
    return _snapshot(_row(session, name, location))


def _store_fetch(
    session: Session,
    name: str,
    location: str,
    articles: list[ArticleData],
    etag: str | None,
    last_modified: str | None,
) -> list[int]:
    source = _row(session, name, location)
    ids = [
        article_id
        for article in articles
        if (article_id := insert_article(session, source.id, article)) is not None
    ]
    now = utcnow()
    source.last_fetch_at = source.last_success_at = now
    if etag is not None or last_modified is not None:
        source.etag, source.last_modified = etag, last_modified
    source.consecutive_failures = 0
    source.backoff_until = None
    source.last_error = None
    return ids


def _record_failure(
    session: Session,
    name: str,
    error: str,
    backoff_after: int,
    disable_after: int,
    backoff_base: float,
) -> tuple[bool, SourceState]:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise KeyError(name)
    was_disabled = source.disabled
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
    return was_disabled, _snapshot(source)


def _states(session: Session) -> dict[str, SourceState]:
    return {
        source.name: _snapshot(source)
        for source in session.scalars(select(Source).order_by(Source.name))
    }
