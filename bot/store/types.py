"""What the store hands out: plain frozen dataclasses and enums, never ORM rows or sessions.

The enums are `StrEnum`s, stored as their string values, so the schema stays readable SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from summarizer.types import Article as SummarizerArticle


class ChatKind(StrEnum):
    """What kind of place a destination is; decides permissions and the post language."""

    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"
    FORUM = "forum"
    THREAD = "thread"


class Origin(StrEnum):
    """Who created a subscription: a chat command, or the config's channel list."""

    CHAT = "chat"
    CONFIG = "config"


class DeliveryStatus(StrEnum):
    """A delivery record's state: reserved before the send, completed after it (ADR 003)."""

    SENDING = "sending"
    SENT = "sent"
    UNKNOWN = "unknown"  # the send may or may not have happened: never retried


class ScheduleTarget(StrEnum):
    """What a run-time schedule override applies to."""

    SOURCE = "source"  # target: the source name
    SUBSCRIPTION = "subscription"  # target: the subscription id


IMMEDIATE = "immediate"  # the schedule of a subscription that gets posts as they are summarized


@dataclass(frozen=True, slots=True)
class Destination:
    """Where messages go: a chat, a channel, or a thread inside one."""

    platform: str
    chat_id: str
    thread_id: str = ""
    kind: ChatKind = ChatKind.PRIVATE


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source's fetch state and health."""

    id: int
    name: str
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    backoff_until: datetime | None
    disabled: bool
    last_fetch: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None

    def backing_off(self, now: datetime) -> bool:
        """Whether the source is waiting out a backoff period."""
        return self.backoff_until is not None and aware(self.backoff_until) > now


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """What the summarizer needs of an article that has no summary yet."""

    id: int
    title: str
    text: str
    language: str | None

    def as_summarizer_article(self) -> SummarizerArticle:
        """The article as the summarizer library takes it, to summarize or to answer from."""
        return SummarizerArticle(
            text=self.text, title=self.title, language=self.language, id=str(self.id)
        )


@dataclass(frozen=True, slots=True)
class StoredArticle(PendingArticle):
    """An article as stored: what a question about it is answered from."""

    url: str | None
    image_url: str | None = None  # the lead picture found when the article was read


@dataclass(frozen=True, slots=True)
class NewSummary:
    """A summary to store for an article."""

    article_id: int
    backend: str
    model: str
    language: str | None
    text: str


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """A summarized article with everything a post or a digest line shows of it."""

    article_id: int
    summary_id: int
    source: str
    title: str
    url: str | None
    language: str | None  # the summary's language, else the article's
    published: datetime | None
    summary: str
    summarized_at: datetime | None = None  # when the summary was stored (delivery lag)
    image_url: str | None = None  # the article's lead picture


@dataclass(frozen=True, slots=True)
class ReadyRequest:
    """A reader's summary request whose article is summarized: post `item` at `destination`."""

    id: int
    destination: Destination
    language: str
    item: SummaryItem


@dataclass(frozen=True, slots=True)
class Subscription:
    """Who receives which sources on which schedule."""

    id: int
    destination: Destination
    sources: tuple[str, ...]  # empty = all sources
    schedule: str
    language: str
    active: bool
    origin: Origin
    since: datetime
    deactivated_reason: str | None
    images: bool = True  # off: posts here carry no picture, whatever the platform's config says

    @property
    def immediate(self) -> bool:
        return self.schedule == IMMEDIATE


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One (destination, article) delivery record."""

    id: int
    destination: Destination
    article_id: int
    status: DeliveryStatus
    message_id: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """One question and answer of a conversation about an article."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """The article a bot message belongs to, and the turns asked about it so far, oldest first."""

    article: StoredArticle
    history: tuple[StoredTurn, ...]


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes even for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ConfigChannel:
    """A channel the config subscribes (`<platform>.channels`), as the store records it."""

    chat: str
    sources: tuple[str, ...]
    schedule: str
