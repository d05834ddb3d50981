"""Articles and summaries: dedup on insert, and the queue of articles still to summarize."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.news.types import ArticleData
from bot.store.models import Article, Summary


def find_article(session: Session, data: ArticleData) -> int | None:
    """The id of a stored article with the same canonical URL, GUID or content hash."""
    conditions = [Article.content_hash == data.content_hash]
    if data.url:
        conditions.append(Article.url == data.url)
    if data.guid:
        conditions.append(Article.guid == data.guid)
    return session.scalar(select(Article.id).where(or_(*conditions)).limit(1))


def is_known(session: Session, url: str | None, guid: str | None) -> bool:
    """Whether a feed item is stored already, checked before fetching its full text."""
    conditions = []
    if url:
        conditions.append(Article.url == url)
    if guid:
        conditions.append(Article.guid == guid)
    return bool(conditions) and bool(session.scalar(select(exists().where(or_(*conditions)))))


def add_article(session: Session, source_id: int | None, data: ArticleData) -> int | None:
    """Stores the article and returns its id; None when it is a duplicate of a stored one."""
    if find_article(session, data) is not None:
        return None
    article = Article(
        source_id=source_id,
        url=data.url,
        guid=data.guid,
        content_hash=data.content_hash,
        title=data.title,
        text=data.text,
        language=data.language,
        author=data.author,
        published_at=data.published,
    )
    session.add(article)
    session.flush()
    return article.id


def get_article(session: Session, article_id: int) -> Article | None:
    """One article by id."""
    return session.get(Article, article_id)


def find_by_url(session: Session, url: str) -> int | None:
    """The id of the article stored under this canonical URL."""
    return session.scalar(select(Article.id).where(Article.url == url))


def _unsummarized_query() -> Select[tuple[Article]]:
    return select(Article).where(~exists().where(Summary.article_id == Article.id))


def count_unsummarized(session: Session) -> int:
    """How many articles wait for a summary (for the progress bar)."""
    return session.scalar(select(func.count()).select_from(_unsummarized_query().subquery())) or 0


def unsummarized(
    session: Session, limit: int, *, exclude: Collection[int] = ()
) -> list[PendingArticle]:
    """Articles with no summary yet, oldest first: the summarizer's work queue."""
    query = _unsummarized_query().order_by(Article.id).limit(limit)
    if exclude:
        query = query.where(Article.id.not_in(list(exclude)))
    return [
        PendingArticle(id=a.id, title=a.title, text=a.text, language=a.language)
        for a in session.scalars(query)
    ]


def add_summary(
    session: Session, article_id: int, *, backend: str, model: str, language: str | None, text: str
) -> int | None:
    """Stores a summary; None when this model has summarized the article already."""
    existing = session.scalar(
        select(Summary.id).where(Summary.article_id == article_id, Summary.model == model)
    )
    if existing is not None:
        return None
    summary = Summary(
        article_id=article_id, backend=backend, model=model, language=language, text=text
    )
    session.add(summary)
    session.flush()
    return summary.id


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """What the summarizer needs of an article, detached from the session."""

    id: int
    title: str
    text: str
    language: str | None
