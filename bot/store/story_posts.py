"""Story posts: what is due where as one post per story, and sent posts whose story grew.

A story is due to a subscription when one of its summarized articles passes the subscription
(its sources, fetched after it subscribed) and no article of the story has a delivery row there
yet. The post is the first such article's, listing the story's other sources. A sent post
records how many distinct sources it shows (`deliveries.listed_sources`); when its story has
more, within the edit window, it is due for an edit (ADR 018).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from bot.store.articles import summary_rows, to_item
from bot.store.db import Database
from bot.store.deliveries import Row, pending_rows_each
from bot.store.models import ArticleRow, Delivery, SubscriptionRow
from bot.store.stories import StoryMember, StoryPost, members_of
from bot.store.types import (
    ChatKind,
    DeliveryStatus,
    Destination,
    Subscription,
    SummaryItem,
    aware,
    utcnow,
)


class EditState(StrEnum):
    """Whether a sent story post may still be edited."""

    OPEN = "open"
    GONE = "gone"  # deleted or too old to edit: never edited again, never re-posted


@dataclass(frozen=True, slots=True)
class DueStory:
    """A story due somewhere: its post (the first due article leads), how many distinct
    sources that post shows, and its newest article's time (the recency a digest ranks by)."""

    post: StoryPost
    sources: int  # its lead's own included; a story with more is due for an edit
    latest: datetime

    @property
    def item(self) -> SummaryItem:
        return self.post.lead

    @property
    def story_id(self) -> int | None:
        """None: an article without a story (a reader's URL, a row older than stories)."""
        return self.post.story_id


@dataclass(frozen=True, slots=True)
class GrownPost:
    """A sent story post whose story has more sources than it shows: due for an edit."""

    delivery_id: int
    destination: Destination
    message_id: str
    language: str  # the subscription's, as its posts are sent
    images: bool
    story: DueStory


class StoryPosts:
    """Stories due to subscriptions, and the edits their sent posts are due."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def due_each(
        self,
        subscriptions: Sequence[Subscription],
        limit: int | None = None,
        *,
        ranked: bool = False,
    ) -> list[list[DueStory]]:
        """Each subscription's due stories, oldest first; `ranked`: most sources, then newest."""
        return await self._db.run(_due_each, subscriptions, limit, ranked)

    async def grown(self, platform: str, sent_since: datetime) -> list[GrownPost]:
        """Posts sent since then, still editable, whose story gained sources they do not show."""
        return await self._db.run(_grown, platform, sent_since)

    async def record_edit(self, delivery_id: int, listed_sources: int) -> None:
        """The post now shows that many sources (edited, or already showing them)."""
        await self._db.run(_set, delivery_id, listed_sources=listed_sources, edited_at=utcnow())

    async def close_edits(self, delivery_id: int) -> None:
        """The post is gone: no more edits, and no new post of its story there."""
        await self._db.run(_set, delivery_id, edit_state=EditState.GONE, edited_at=utcnow())


def _due_each(
    session: Session, subscriptions: Sequence[Subscription], limit: int | None, ranked: bool
) -> list[list[DueStory]]:
    """Rows per subscription, one per story (its first due article), with the story's sources."""
    rows = pending_rows_each(session, subscriptions, None)
    firsts = [_first_of_each_story(each) for each in rows]
    story_ids = {row[1].story_id for each in firsts for row in each if row[1].story_id is not None}
    members = members_of(session, list(story_ids))
    due = []
    for each in firsts:
        stories = [_story(row, members) for row in each]
        if ranked:
            stories.sort(key=lambda story: (-story.sources, -story.latest.timestamp()))
        due.append(stories[:limit])
    return due


def _first_of_each_story(rows: list[Row]) -> list[Row]:
    seen: set[int] = set()
    firsts = []
    for row in rows:
        story_id = row[1].story_id
        if story_id is None or story_id not in seen:
            firsts.append(row)
            if story_id is not None:
                seen.add(story_id)
    return firsts


def _story(row: Row, members: dict[int, list[StoryMember]]) -> DueStory:
    item = to_item(row)
    article = row[1]
    moment = aware(article.published_at or article.fetched_at)
    story_members = members.get(article.story_id, []) if article.story_id is not None else []
    sources = {member.source for member in story_members if member.source}
    if item.source:
        sources.add(item.source)
    latest = max([moment, *(member.published for member in story_members)])
    post = StoryPost(story_id=article.story_id, lead=item, members=tuple(story_members))
    return DueStory(post, len(sources), latest)


def _grown(session: Session, platform: str, sent_since: datetime) -> list[GrownPost]:
    editable = and_(
        Delivery.platform == platform,
        Delivery.status == DeliveryStatus.SENT,
        Delivery.edit_state == EditState.OPEN,
        Delivery.story_id.is_not(None),
        Delivery.message_id.is_not(None),
        Delivery.sent_at >= sent_since,
    )
    counts = (
        select(
            ArticleRow.story_id, func.count(func.distinct(ArticleRow.source_id)).label("sources")
        )
        .where(ArticleRow.story_id.in_(select(Delivery.story_id).where(editable)))
        .group_by(ArticleRow.story_id)
        .subquery()
    )
    query = (
        select(Delivery, SubscriptionRow.language, SubscriptionRow.images, SubscriptionRow.kind)
        .join(counts, counts.c.story_id == Delivery.story_id)
        .join(
            SubscriptionRow,
            and_(
                SubscriptionRow.platform == Delivery.platform,
                SubscriptionRow.chat_id == Delivery.chat_id,
                SubscriptionRow.thread_id == Delivery.thread_id,
                SubscriptionRow.active.is_(True),
            ),
        )
        .where(editable, counts.c.sources > Delivery.listed_sources)
        .order_by(Delivery.id)
    )
    found = list(session.execute(query))
    if not found:
        return []
    article_ids = {delivery.article_id for delivery, *_ in found}
    rows = {
        row[1].id: row
        for row in session.execute(summary_rows().where(ArticleRow.id.in_(article_ids)))
    }
    members = members_of(session, list({delivery.story_id for delivery, *_ in found}))
    return [
        GrownPost(
            delivery_id=delivery.id,
            destination=Destination(
                delivery.platform, delivery.chat_id, delivery.thread_id, ChatKind(kind)
            ),
            message_id=delivery.message_id,
            language=language,
            images=images,
            story=_story(rows[delivery.article_id], members),
        )
        for delivery, language, images, kind in found
        if delivery.article_id in rows
    ]


def _set(session: Session, delivery_id: int, **values: object) -> None:
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
