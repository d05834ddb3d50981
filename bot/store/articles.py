"""Articles and summaries: dedup on insert, the summarizer's queue, and what posts show."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.news.types import ArticleData
from bot.store.db import Database
from bot.store.events import SummaryEvents
from bot.store.models import ArticleRow, Source, SummaryRow
from bot.store.types import NewSummary, PendingArticle, StoredArticle, SummaryItem, aware


class Articles:
    """Stored articles and their summaries."""

    def __init__(self, db: Database, events: SummaryEvents) -> None:
        self._db = db
        self._events = events

    async def unknown(self, keys: Sequence[tuple[str | None, str | None]]) -> list[bool]:
        """For each (url, guid) of a feed's items: True when no stored article has either."""
        return await self._db.run(_unknown, list(keys))

    async def find_by_url(self, url: str) -> int | None:
        """The id of the article stored under this canonical URL."""
        return await self._db.run(_find_by_url, url)

    async def add_or_find(self, article: ArticleData) -> int:
        """Stores an article with no source (a reader's URL); a stored duplicate's id otherwise."""
        return await self._db.run(_add_or_find, article)

    async def get(self, article_id: int) -> StoredArticle | None:
        return await self._db.run(load_article, article_id)

    async def unsummarized_ids(self, *, fetched_before: datetime, limit: int = 500) -> list[int]:
        """Ids of articles fetched before then with no summary yet, oldest first (the sweeper)."""
        return await self._db.run(_unsummarized_ids, fetched_before, limit)

    async def pending(self, ids: Collection[int]) -> list[PendingArticle]:
        """Those of the given articles that still have no summary, in id order."""
        return await self._db.run(_pending, list(ids))

    async def add_summaries(self, summaries: Sequence[NewSummary]) -> list[int]:
        """Stores summaries; one per (article, model): an existing one is skipped, not doubled.

        New ones are announced (`SummaryEvents`): that starts the delivery rounds.
        """
        ids = await self._db.run(_add_summaries, list(summaries), self._events.announce)
        if ids:
            await self._events.stored()
        return ids

    async def summary_of(self, article_id: int) -> SummaryItem | None:
        """The newest summary of one article, if it has been summarized."""
        return await self._db.run(_summary_of, article_id)


def insert_article(session: Session, source_id: int | None, data: ArticleData) -> int | None:
    """Stores the article and returns its id; None when it duplicates a stored one."""
    if _find(session, data) is not None:
        return None
    article = ArticleRow(
        source_id=source_id,
        url=data.url,
        guid=data.guid,
        content_hash=data.content_hash,
        title=data.title,
        text=data.text,
        language=data.language,
        author=data.author,
        published_at=data.published,
        image_url=data.image_url,
    )
    session.add(article)
    session.flush()
    return article.id


def summary_rows() -> Select[tuple[SummaryRow, ArticleRow, str | None]]:
    """The newest summary of each article, joined with its article and source name."""
    newest = select(func.max(SummaryRow.id)).group_by(SummaryRow.article_id).scalar_subquery()
    return (
        select(SummaryRow, ArticleRow, Source.name)
        .join(ArticleRow, SummaryRow.article_id == ArticleRow.id)
        .outerjoin(Source, ArticleRow.source_id == Source.id)
        .where(SummaryRow.id.in_(newest))
    )


def to_item(row: tuple[SummaryRow, ArticleRow, str | None]) -> SummaryItem:
    summary, article, source = row
    return SummaryItem(
        article_id=article.id,
        summary_id=summary.id,
        source=source or "",
        title=article.title,
        url=article.url,
        language=summary.language or article.language,
        published=aware(article.published_at) if article.published_at else None,
        summary=summary.text,
        summarized_at=aware(summary.created_at) if summary.created_at else None,
        image_url=article.image_url,
    )


def newest_first():  # noqa: ANN201 - an ORDER BY expression
    return func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)


def _find(session: Session, data: ArticleData) -> int | None:
    conditions = [ArticleRow.content_hash == data.content_hash]
    if data.url:
        conditions.append(ArticleRow.url == data.url)
    if data.guid:
        conditions.append(ArticleRow.guid == data.guid)
    return session.scalar(select(ArticleRow.id).where(or_(*conditions)).limit(1))


def _unknown(session: Session, keys: list[tuple[str | None, str | None]]) -> list[bool]:
    urls = {url for url, _ in keys if url}
    guids = {guid for _, guid in keys if guid}
    known_urls = (
        set(session.scalars(select(ArticleRow.url).where(ArticleRow.url.in_(urls))))
        if urls
        else set()
    )
    known_guids = (
        set(session.scalars(select(ArticleRow.guid).where(ArticleRow.guid.in_(guids))))
        if guids
        else set()
    )
    return [not (url in known_urls or guid in known_guids) for url, guid in keys]


def _find_by_url(session: Session, url: str) -> int | None:
    return session.scalar(select(ArticleRow.id).where(ArticleRow.url == url))


def _add_or_find(session: Session, article: ArticleData) -> int:
    existing = _find(session, article)
    if existing is not None:
        return existing
    article_id = insert_article(session, None, article)
    assert article_id is not None
    return article_id


def load_article(session: Session, article_id: int) -> StoredArticle | None:
    row = session.get(ArticleRow, article_id)
    return stored_article(row) if row is not None else None


def stored_article(row: ArticleRow) -> StoredArticle:
    """The article as questions are answered from it."""
    return StoredArticle(
        id=row.id,
        title=row.title,
        text=row.text,
        url=row.url,
        language=row.language,
        image_url=row.image_url,
    )


def _unsummarized_query() -> Select[tuple[ArticleRow]]:
    return select(ArticleRow).where(~exists().where(SummaryRow.article_id == ArticleRow.id))


def _unsummarized_ids(session: Session, fetched_before: datetime, limit: int) -> list[int]:
    query = select(ArticleRow.id).where(
        ~exists().where(SummaryRow.article_id == ArticleRow.id),
        ArticleRow.fetched_at < fetched_before,
    )
    return list(session.scalars(query.order_by(ArticleRow.id).limit(limit)))


def _pending(session: Session, ids: list[int]) -> list[PendingArticle]:
    query = _unsummarized_query().where(ArticleRow.id.in_(ids)).order_by(ArticleRow.id)
    return [_pending_of(article) for article in session.scalars(query)]


def _pending_of(article: ArticleRow) -> PendingArticle:
    return PendingArticle(
        id=article.id, title=article.title, text=article.text, language=article.language
    )


def _add_summaries(
    session: Session, summaries: list[NewSummary], announce: Callable[[Session], None]
) -> list[int]:
    ids = []
    for new in summaries:
        existing = session.scalar(
            select(SummaryRow.id).where(
                SummaryRow.article_id == new.article_id, SummaryRow.model == new.model
            )
        )
        if existing is not None:
            continue
        row = SummaryRow(
            article_id=new.article_id,
            backend=new.backend,
            model=new.model,
            language=new.language,
            text=new.text,
        )
        try:
            with session.begin_nested():  # another process may store the same one meanwhile
                session.add(row)
        except IntegrityError:
            continue
        ids.append(row.id)
    if ids:
        announce(session)
    return ids


def _summary_of(session: Session, article_id: int) -> SummaryItem | None:
    row = session.execute(summary_rows().where(ArticleRow.id == article_id)).first()
    return to_item(row) if row is not None else None
