"""The database schema: one declarative model per table; Alembic migrations mirror it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.types import utcnow


class Base(DeclarativeBase):
    pass


class Source(Base):
    """A configured source and its fetch state (conditional GET validators, health)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    location: Mapped[str] = mapped_column(Text)  # url or path, as configured
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_fetch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    backoff_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)  # by repeated failures


class Story(Base):
    """Articles that report one event (ADR 016): posted once, edited as sources join."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first article's publication time (fetch time when unknown): the window counts from it.
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ArticleRow(Base):
    """A stored article; canonical URL, GUID and content hash each identify it for dedup."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(Text, unique=True)  # canonical; path for local files
    guid: Mapped[str | None] = mapped_column(Text, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    image_url: Mapped[str | None] = mapped_column(Text)  # the lead picture, an http(s) URL
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    # The order articles got their story in, across processes: a watermark for other matchers.
    story_seq: Mapped[int | None] = mapped_column(Integer, index=True)
    # The article's sentence vector (little-endian float32) and the model that made it: a
    # changed backend re-embeds rather than comparing vectors of two spaces.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(Text)


class SummaryRow(Base):
    """One summary per (article, model): the same article is never summarized twice by a model."""

    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("article_id", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    backend: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubscriptionRow(Base):
    """A chat, channel or thread that receives summaries of some or all sources."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # a registered platform name, or console
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str] = mapped_column(String(64), default="")  # "" when none
    kind: Mapped[str] = mapped_column(String(16))  # ChatKind
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = all sources
    schedule: Mapped[str] = mapped_column(String(64), default="immediate")
    language: Mapped[str] = mapped_column(String(8), default="ar")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(16), default="chat")  # Origin
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Subscribing never floods a chat with the backlog: only articles fetched after this are due.
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The chat's pictures switch (/pictures): off, its posts are text only; on, they show the
    # article's picture wherever the platform's `images` config lets posts carry one.
    images: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Delivery(Base):
    """Exactly once per (destination, article) and per (destination, story): reserved before
    sending, completed with the message id, which later edits of the story's post need."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "thread_id", "article_id"),
        # NULL (a reader's requested article, a pre-story row) never collides
        Index("uq_deliveries_story", "platform", "chat_id", "thread_id", "story_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str] = mapped_column(String(64), default="")
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    summary_id: Mapped[int | None] = mapped_column(ForeignKey("summaries.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))  # DeliveryStatus
    message_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    story_id: Mapped[int | None] = mapped_column(Integer)  # the story the post is (ADR 018)
    # Distinct sources the sent post shows, its own included: a story with more is edited.
    listed_sources: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    edit_state: Mapped[str] = mapped_column(String(16), default="open", server_default="open")


class SummaryRequest(Base):
    """A reader's `/summary <url>` that outlived its wait: post the summary there once stored."""

    __tablename__ = "summary_requests"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "thread_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))  # ChatKind of the destination
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Message(Base):
    """A bot message tied to an article (a post or an answer), so replies find their article."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    parent_message_id: Mapped[str | None] = mapped_column(String(64))  # the message it answered
    question: Mapped[str | None] = mapped_column(Text)  # set on answers: the multi-turn chain
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScheduleOverride(Base):
    """A schedule an admin changed at run time; `file_value` detects a later edit of the file."""

    __tablename__ = "schedule_overrides"
    __table_args__ = (UniqueConstraint("target_kind", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))  # ScheduleTarget
    target: Mapped[str] = mapped_column(String(128))  # source name or subscription id
    schedule: Mapped[str] = mapped_column(String(64))
    file_value: Mapped[str | None] = mapped_column(String(64))  # config value when it was set
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Small run-time state that must survive restarts, such as paused posting per platform."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
