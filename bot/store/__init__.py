"""The storage boundary: the only code that knows SQL. It hands out frozen dataclasses and enums.

`Store(url)` opens (and migrates) the database; each concern is an attribute with awaitable
methods (`await store.articles.get(7)`), each one transaction on a worker thread (ADR 007).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.store.articles import Articles
from bot.store.db import Database
from bot.store.deliveries import Deliveries
from bot.store.events import SummaryEvents
from bot.store.messages import Messages
from bot.store.requests import SummaryRequests
from bot.store.schedules import Schedules
from bot.store.settings import Settings
from bot.store.sources import Sources
from bot.store.stories import (
    SourcedArticle,
    Stories,
    StoryCandidate,
    StoryLedger,
    StoryMember,
    StoryPost,
)
from bot.store.story_posts import DueStory, EditState, GrownPost, StoryPosts
from bot.store.subscriptions import REMOVED_FROM_CONFIG, UNSUBSCRIBED, Subscriptions
from bot.store.types import (
    IMMEDIATE,
    ChatKind,
    ConfigChannel,
    Conversation,
    DeliveryRecord,
    DeliveryStatus,
    Destination,
    NewSummary,
    Origin,
    PendingArticle,
    ReadyRequest,
    ScheduleTarget,
    SourceState,
    StoredArticle,
    StoredTurn,
    Subscription,
    SummaryItem,
)


class Store:
    """One database, its concerns as attributes; open with `Store(url)` (blocking: migrates)."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.sources = Sources(self.db)
        self.summary_events = SummaryEvents(self.db)
        self.articles = Articles(self.db, self.summary_events)
        self.subscriptions = Subscriptions(self.db)
        self.deliveries = Deliveries(self.db)
        self.messages = Messages(self.db)
        self.summary_requests = SummaryRequests(self.db)
        self.schedules = Schedules(self.db)
        self.settings = Settings(self.db)
        self.stories = Stories(self.db)
        self.story_posts = StoryPosts(self.db)

    @property
    def safe_url(self) -> str:
        return self.db.safe_url

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.db.dialect

    @property
    def conninfo(self) -> str:
        return self.db.conninfo

    @property
    def available(self) -> bool:
        """False while the database is known to be unreachable."""
        return self.db.available

    def on_recovered(self, hook: Callable[[], Any]) -> None:
        """`hook()` runs on the loop when a database outage ends (delivery catches up)."""
        self.db.on_recovered(hook)

    async def ping(self) -> bool:
        """Whether the database answers now."""
        return await self.db.ping()

    def close(self) -> None:
        self.db.close()


__all__ = [
    "IMMEDIATE",
    "REMOVED_FROM_CONFIG",
    "UNSUBSCRIBED",
    "ChatKind",
    "ConfigChannel",
    "Conversation",
    "DeliveryRecord",
    "DeliveryStatus",
    "Destination",
    "DueStory",
    "EditState",
    "GrownPost",
    "NewSummary",
    "Origin",
    "PendingArticle",
    "ReadyRequest",
    "ScheduleTarget",
    "SourceState",
    "SourcedArticle",
    "Store",
    "StoredArticle",
    "StoryCandidate",
    "StoryLedger",
    "StoryMember",
    "StoryPost",
    "Subscription",
    "SummaryItem",
    "StoredTurn",
]
