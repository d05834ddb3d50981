"""Delivery records: one per (destination, article) and per (destination, story), reserved
before the send (ADR 003, 018). An article whose story was posted somewhere is not due there."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store import messages
from bot.store.articles import newest_first, summary_rows
from bot.store.db import Database
from bot.store.models import ArticleRow, Delivery, Source, SubscriptionRow, SummaryRow
from bot.store.subscriptions import active_rows, snapshot
from bot.store.types import (
    DeliveryRecord,
    DeliveryStatus,
    Destination,
    Subscription,
    aware,
    utcnow,
)

INTERRUPTED = "interrupted between send and record"
PENDING_CHUNK = 500  # subscriptions per query when a round reads what is due to all of them


Row = tuple[SummaryRow, ArticleRow, str | None]  # a summary, its article, its source's name


@dataclass(frozen=True, slots=True)
class Reservation:
    """A (destination, article) pair about to be sent: its `sending` row is written first.

    With a story, the (destination, story) pair is taken too: no other article of it is sent
    there. `listed_sources` is how many distinct sources the post shows, its own included.
    """

    destination: Destination
    article_id: int
    summary_id: int
    story_id: int | None = None
    listed_sources: int = 1


@dataclass(frozen=True, slots=True)
class SentPost:
    """A post the platform took: its reservation becomes `sent` with the platform's message id."""

    delivery_id: int
    destination: Destination
    message_id: str
    article_id: int


class Deliveries:
    """What is due where, and the exactly-once records of what was sent."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def queue_size(self, platform: str) -> int:
        """Summaries due to the platform's active subscriptions and not yet delivered (3 queries)."""
        return await self._db.run(_queue_size, platform)

    async def reserve(self, dest: Destination, article_id: int, summary_id: int) -> int | None:
        """Writes the `sending` row before a send; None when the article is recorded there."""
        [delivery_id] = await self.reserve_many([Reservation(dest, article_id, summary_id)])
        return delivery_id

    async def reserve_many(self, reservations: Sequence[Reservation]) -> list[int | None]:
        """`reserve` of each pair, committed together: one transaction for a batch of sends.

        A pair another process reserves meanwhile fails the batch's insert; the batch is then
        reserved row by row, so that pair alone comes back None.
        """
        try:
            return await self._db.run(_reserve_batch, reservations)
        except IntegrityError:
            return await self._db.run(_reserve_each, reservations)

    async def record_sent(
        self, delivery_id: int, dest: Destination, message_id: str, article_id: int
    ) -> None:
        """`sent` and the message row in one transaction, so a reply to the post finds its article."""
        await self.record_sent_many([SentPost(delivery_id, dest, message_id, article_id)])

    async def record_sent_many(self, posts: Sequence[SentPost]) -> None:
        """`record_sent` of each post, committed together (all or none, as one transaction)."""
        await self._db.run(_record_sent_many, posts)

    async def record_unknown(self, delivery_id: int, error: str) -> None:
        """The send failed in a way that may have delivered it: never retried."""
        await self._db.run(_finish, delivery_id, DeliveryStatus.UNKNOWN, None, error)

    async def release(self, delivery_id: int) -> None:
        """Drops a reservation whose send surely failed, so a later round sends it again."""
        await self._db.run(_release, delivery_id)

    async def recover_interrupted(self) -> list[DeliveryRecord]:
        """Rows a crash left `sending` become `unknown` (never re-sent); returns them for the log."""
        return await self._db.run(_mark_interrupted)


def to_record(row: Delivery) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        destination=Destination(row.platform, row.chat_id, row.thread_id),
        article_id=row.article_id,
        status=DeliveryStatus(row.status),
        message_id=row.message_id,
        error=row.error,
    )


def _recorded_at(platform, chat_id, thread_id):  # noqa: ANN001, ANN202 - SQL expressions
    """Whether the article, or another of its story, has a delivery row at that destination."""
    return exists().where(
        Delivery.platform == platform,
        Delivery.chat_id == chat_id,
        Delivery.thread_id == thread_id,
        or_(Delivery.article_id == ArticleRow.id, Delivery.story_id == ArticleRow.story_id),
    )


def pending_rows(session: Session, subscription: Subscription, limit: int | None) -> list[Row]:
    """Summarized articles due to one subscription, oldest first."""
    dest = subscription.destination
    recorded = _recorded_at(dest.platform, dest.chat_id, dest.thread_id)
    query = summary_rows().where(ArticleRow.fetched_at > subscription.since, ~recorded)
    if subscription.sources:
        query = query.where(Source.name.in_(list(subscription.sources)))
    query = query.order_by(newest_first(), ArticleRow.id)
    if limit is not None:
        query = query.limit(limit)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def pending_rows_each(
    session: Session, subscriptions: Sequence[Subscription], limit: int | None
) -> list[list[Row]]:
    """One query per set of sources (and per `PENDING_CHUNK` subscriptions), not one per chat."""
    if len(subscriptions) == 1:  # a digest or a backlog, maybe of no stored subscription
        return [pending_rows(session, subscriptions[0], limit)]
    by_sources: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
    for subscription in subscriptions:
        by_sources[tuple(sorted(subscription.sources))].append(subscription.id)
    due: defaultdict[int, list[Row]] = defaultdict(list)
    for sources, ids in by_sources.items():
        for start in range(0, len(ids), PENDING_CHUNK):
            query = _pending_query(ids[start : start + PENDING_CHUNK], sources)
            for summary, article, source, subscription_id in session.execute(query):
                due[subscription_id].append((summary, article, source))
    return [due[subscription.id][:limit] for subscription in subscriptions]


def _pending_query(ids: list[int], sources: tuple[str, ...]) -> Select:
    """`pending_rows` of stored subscriptions sharing their sources, each row ending with the id."""
    recorded = _recorded_at(
        SubscriptionRow.platform, SubscriptionRow.chat_id, SubscriptionRow.thread_id
    )
    query = (
        summary_rows()
        .add_columns(SubscriptionRow.id)
        .join(
            SubscriptionRow,
            and_(SubscriptionRow.id.in_(ids), ArticleRow.fetched_at > SubscriptionRow.since),
        )
        .where(~recorded)
    )
    if sources:
        query = query.where(Source.name.in_(sources))
    return query.order_by(SubscriptionRow.id, newest_first(), ArticleRow.id)


def _queue_size(session: Session, platform: str) -> int:
    """Stories due to the platform's active subscriptions, each counted once per destination."""
    subscriptions = [snapshot(row) for row in active_rows(session, platform, None)]
    if not subscriptions:
        return 0
    earliest = min(subscription.since for subscription in subscriptions)
    summarized = _summarized_since(session, earliest)
    delivered: set[tuple[str, str, object]] = set()
    query = select(
        Delivery.chat_id, Delivery.thread_id, Delivery.article_id, Delivery.story_id
    ).where(Delivery.platform == platform)
    for chat_id, thread_id, article_id, story_id in session.execute(query):
        delivered.add((chat_id, thread_id, article_id))
        if story_id is not None:
            delivered.add((chat_id, thread_id, ("s", story_id)))
    total = 0
    for subscription in subscriptions:
        dest = subscription.destination
        since = aware(subscription.since)
        due: set[object] = set()
        for article_id, story_id, fetched_at, source in summarized:
            if aware(fetched_at) <= since:
                continue
            if subscription.sources and source not in subscription.sources:
                continue
            story = ("s", story_id) if story_id is not None else article_id
            taken = {
                (dest.chat_id, dest.thread_id, article_id),
                (dest.chat_id, dest.thread_id, story),
            }
            if not taken & delivered:
                due.add(story)
        total += len(due)
    return total


def _summarized_since(
    session: Session, earliest: datetime
) -> list[tuple[int, int | None, datetime, str | None]]:
    rows = session.execute(summary_rows().where(ArticleRow.fetched_at > earliest))
    return [
        (article.id, article.story_id, article.fetched_at, source) for _, article, source in rows
    ]


def _reserve(session: Session, item: Reservation) -> int | None:
    dest = item.destination
    taken = Delivery.article_id == item.article_id
    if item.story_id is not None:
        taken = or_(taken, Delivery.story_id == item.story_id)
    already = session.scalar(
        select(Delivery.id).where(
            Delivery.platform == dest.platform,
            Delivery.chat_id == dest.chat_id,
            Delivery.thread_id == dest.thread_id,
            taken,
        )
    )
    if already is not None:
        return None
    row = Delivery(status=DeliveryStatus.SENDING, **_columns(item))
    try:
        with session.begin_nested():  # a concurrent round may reserve the same pair first
            session.add(row)
    except IntegrityError:
        return None
    return row.id


def _columns(item: Reservation) -> dict[str, object]:
    dest = item.destination
    return {
        "platform": dest.platform,
        "chat_id": dest.chat_id,
        "thread_id": dest.thread_id,
        "article_id": item.article_id,
        "summary_id": item.summary_id,
        "story_id": item.story_id,
        "listed_sources": item.listed_sources,
    }


def _reserve_batch(session: Session, reservations: Sequence[Reservation]) -> list[int | None]:
    """Pairs already recorded are skipped; the rest go in one insert (no savepoint per row).

    A pair is taken by its article or by its story (`("s", story_id)` keys beside the article's).
    """
    chats = {item.destination.chat_id for item in reservations}
    articles = {item.article_id for item in reservations}
    stories = {item.story_id for item in reservations if item.story_id is not None}
    recorded: set[tuple[str, str, str, object]] = set()
    query = select(
        Delivery.platform,
        Delivery.chat_id,
        Delivery.thread_id,
        Delivery.article_id,
        Delivery.story_id,
    ).where(
        Delivery.chat_id.in_(chats),
        or_(Delivery.article_id.in_(articles), Delivery.story_id.in_(stories)),
    )
    for platform, chat_id, thread_id, article_id, story_id in session.execute(query):
        recorded.add((platform, chat_id, thread_id, article_id))
        if story_id is not None:
            recorded.add((platform, chat_id, thread_id, ("s", story_id)))
    new: dict[tuple[str, str, str, int], dict[str, object]] = {}
    for item in reservations:
        dest = item.destination
        key = (dest.platform, dest.chat_id, dest.thread_id, item.article_id)
        story_key = (dest.platform, dest.chat_id, dest.thread_id, ("s", item.story_id))
        if key in recorded or key in new or (item.story_id is not None and story_key in recorded):
            continue
        new[key] = {**_columns(item), "status": DeliveryStatus.SENDING}
        if item.story_id is not None:
            recorded.add(story_key)
    ids: dict[tuple[str, str, str, int], int] = {}
    if new:
        inserted = session.scalars(
            insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
            list(new.values()),
        )
        ids = dict(zip(new, inserted, strict=True))
    return [
        ids.pop(
            (
                item.destination.platform,
                item.destination.chat_id,
                item.destination.thread_id,
                item.article_id,
            ),
            None,
        )
        for item in reservations
    ]


def _reserve_each(session: Session, reservations: Sequence[Reservation]) -> list[int | None]:
    return [_reserve(session, item) for item in reservations]


def _finish(
    session: Session,
    delivery_id: int,
    status: DeliveryStatus,
    message_id: str | None,
    error: str | None,
) -> None:
    row = session.get(Delivery, delivery_id)
    if row is None:
        return
    row.status = status
    row.message_id = message_id
    row.error = error
    if status == DeliveryStatus.SENT:
        row.sent_at = utcnow()


def _record_sent_many(session: Session, posts: Sequence[SentPost]) -> None:
    """One UPDATE for the batch (a row gone meanwhile is skipped), its messages in one insert."""
    table = Delivery.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("delivery_id"))
        .values(status=DeliveryStatus.SENT, error=None, sent_at=utcnow()),
        [{"delivery_id": post.delivery_id, "message_id": post.message_id} for post in posts],
    )
    messages.put_posts(
        session, [(post.destination, post.message_id, post.article_id) for post in posts]
    )


def _release(session: Session, delivery_id: int) -> None:
    row = session.get(Delivery, delivery_id)
    if row is not None:
        session.delete(row)


def _mark_interrupted(session: Session) -> list[DeliveryRecord]:
    rows = list(session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.SENDING)))
    for row in rows:
        row.status = DeliveryStatus.UNKNOWN
        row.error = INTERRUPTED
    return [to_record(row) for row in rows]
