"""Delivery records (one per destination and article) and the summary rows they are made of."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot.store.models import Article, Delivery, Source, Summary, utcnow


class SummaryRow(NamedTuple):
    """A summary with its article and source name: everything a post shows."""

    summary: Summary
    article: Article
    source: str | None


def _summary_rows():  # noqa: ANN202 - a Select of (Summary, Article, source name)
    """The newest summary of each article, joined with its article and source."""
    newest = select(func.max(Summary.id)).group_by(Summary.article_id).scalar_subquery()
    return (
        select(Summary, Article, Source.name)
        .join(Article, Summary.article_id == Article.id)
        .outerjoin(Source, Article.source_id == Source.id)
        .where(Summary.id.in_(newest))
    )


def latest_summaries(session: Session, limit: int) -> list[SummaryRow]:
    """The most recently published (or fetched) summarized articles, newest first."""
    order = func.coalesce(Article.published_at, Article.fetched_at)
    rows = session.execute(_summary_rows().order_by(order.desc(), Article.id.desc()).limit(limit))
    return [SummaryRow(*row) for row in rows]


def summary_of_article(session: Session, article_id: int) -> SummaryRow | None:
    """The newest summary of one article, if it has been summarized."""
    row = session.execute(_summary_rows().where(Article.id == article_id)).first()
    return SummaryRow(*row) if row is not None else None


def pending_summaries(
    session: Session,
    platform: str,
    chat_id: str,
    thread_id: str,
    *,
    since: datetime,
    sources: Sequence[str],
    limit: int | None = None,
) -> list[SummaryRow]:
    """Summaries due to a destination: fetched after `since`, from its sources, never recorded."""
    recorded = exists().where(
        Delivery.platform == platform,
        Delivery.chat_id == chat_id,
        Delivery.thread_id == thread_id,
        Delivery.article_id == Article.id,
    )
    query = _summary_rows().where(Article.fetched_at > since, ~recorded)
    if sources:
        query = query.where(Source.name.in_(list(sources)))
    order = func.coalesce(Article.published_at, Article.fetched_at)
    query = query.order_by(order, Article.id)
    if limit is not None:
        query = query.limit(limit)
    return [SummaryRow(*row) for row in session.execute(query)]


def reserve(
    session: Session, platform: str, chat_id: str, thread_id: str, article_id: int, summary_id: int
) -> int | None:
    """Writes the `sending` row before a send; None when the article is already recorded there."""
    already = session.scalar(
        select(Delivery.id).where(
            Delivery.platform == platform,
            Delivery.chat_id == chat_id,
            Delivery.thread_id == thread_id,
            Delivery.article_id == article_id,
        )
    )
    if already is not None:
        return None
    row = Delivery(
        platform=platform,
        chat_id=chat_id,
        thread_id=thread_id,
        article_id=article_id,
        summary_id=summary_id,
        status="sending",
    )
    session.add(row)
    session.flush()
    return row.id


def finish(
    session: Session,
    delivery_id: int,
    status: str,
    *,
    message_id: str | None = None,
    error: str | None = None,
) -> None:
    """Completes a reservation: `sent` with the platform message id, or `unknown` with the error."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        return
    row.status = status
    row.message_id = message_id
    row.error = error
    if status == "sent":
        row.sent_at = utcnow()


def release(session: Session, delivery_id: int) -> None:
    """Drops a reservation whose send surely failed, so a later round sends it again."""
    row = session.get(Delivery, delivery_id)
    if row is not None:
        session.delete(row)


def mark_interrupted(session: Session) -> list[Delivery]:
    """Rows left `sending` by a crash become `unknown`; returns them for the log."""
    rows = list(session.scalars(select(Delivery).where(Delivery.status == "sending")))
    for row in rows:
        row.status = "unknown"
        row.error = "interrupted between send and record"
    return rows


def move_chat(session: Session, platform: str, old_chat_id: str, new_chat_id: str) -> None:
    """A chat got a new id: its delivery records follow it, so nothing is sent twice."""
    taken = set(
        session.scalars(
            select(Delivery.article_id).where(
                Delivery.platform == platform, Delivery.chat_id == new_chat_id
            )
        )
    )
    for row in session.scalars(
        select(Delivery).where(Delivery.platform == platform, Delivery.chat_id == old_chat_id)
    ):
        if row.article_id in taken:
            session.delete(row)
        else:
            row.chat_id = new_chat_id
