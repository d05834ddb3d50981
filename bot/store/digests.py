"""Summarized articles as a digest, and which of them a console destination has seen already."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot.store.models import Article, Delivery, Source, Summary, utcnow


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One summarized article with what a digest shows of it."""

    article_id: int
    summary_id: int
    source: str
    title: str
    url: str | None
    language: str | None
    published: datetime | None
    summary: str


def summarized_items(
    session: Session,
    *,
    not_delivered_to: tuple[str, str] | None = None,
    limit: int | None = None,
) -> list[DigestItem]:
    """Articles with their newest summary, oldest first; optionally only those not yet delivered."""
    newest = select(func.max(Summary.id)).group_by(Summary.article_id)
    query = (
        select(Article, Summary, Source.name)
        .join(Summary, Summary.article_id == Article.id)
        .outerjoin(Source, Source.id == Article.source_id)
        .where(Summary.id.in_(newest))
        .order_by(Article.id)
    )
    if not_delivered_to is not None:
        platform, chat_id = not_delivered_to
        delivered = exists().where(
            Delivery.platform == platform,
            Delivery.chat_id == chat_id,
            Delivery.thread_id == "",
            Delivery.article_id == Article.id,
        )
        query = query.where(~delivered)
    if limit is not None:
        query = query.limit(limit)
    return [
        DigestItem(
            article_id=article.id,
            summary_id=summary.id,
            source=source_name or "",
            title=article.title,
            url=article.url,
            language=article.language,
            published=article.published_at,
            summary=summary.text,
        )
        for article, summary, source_name in session.execute(query)
    ]


def mark_delivered(
    session: Session, platform: str, chat_id: str, items: Iterable[DigestItem]
) -> None:
    """Records items as shown to a console destination, so the next run skips them."""
    now = utcnow()
    for item in items:
        session.add(
            Delivery(
                platform=platform,
                chat_id=chat_id,
                thread_id="",
                article_id=item.article_id,
                summary_id=item.summary_id,
                status="sent",
                sent_at=now,
            )
        )
    session.flush()
