"""Subscriptions: which destination receives which sources, on which schedule."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store import messages, schedules
from bot.store.db import Database
from bot.store.models import Delivery
from bot.store.models import SubscriptionRow as Row
from bot.store.types import (
    IMMEDIATE,
    ChatKind,
    ConfigChannel,
    Destination,
    Origin,
    ScheduleTarget,
    Subscription,
    utcnow,
)

REMOVED_FROM_CONFIG = "removed from config"
UNSUBSCRIBED = "unsubscribed"


class Subscriptions:
    """Subscriptions of chats and config channels."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, subscription_id: int) -> Subscription | None:
        return await self._db.run(_get, subscription_id)

    async def find(self, dest: Destination) -> Subscription | None:
        """The subscription of exactly this chat/thread, active or not."""
        return await self._db.run(_find_view, dest)

    async def active(
        self, platform: str | None = None, *, immediate: bool | None = None
    ) -> list[Subscription]:
        """Active subscriptions, optionally of one platform and only immediate (or only digest)."""
        return await self._db.run(_active, platform, immediate)

    async def subscribe(
        self, dest: Destination, sources: Sequence[str], language: str, user_id: str
    ) -> Subscription:
        """New or re-activated subscriptions start from now (no backlog); active ones gain sources.

        Two processes subscribing the same chat at once (two `run`s' consoles) race on the
        unique row: the loser's transaction is retried once, and then finds the winner's row.
        """
        try:
            return await self._db.run(_subscribe, dest, list(sources), language, user_id)
        except IntegrityError:
            return await self._db.run(_subscribe, dest, list(sources), language, user_id)

    async def unsubscribe(
        self, dest: Destination, sources: Sequence[str], all_sources: Sequence[str]
    ) -> Subscription | None:
        """Drops some sources, or the whole subscription; None when there is none to change."""
        return await self._db.run(_unsubscribe, dest, list(sources), list(all_sources))

    async def deactivate(self, subscription_id: int, reason: str) -> None:
        await self._db.run(_deactivate, subscription_id, reason)

    async def migrate(self, subscription_id: int, new_chat_id: str) -> Destination:
        """Moves a subscription, its delivery records and messages to the chat's new id."""
        return await self._db.run(_migrate, subscription_id, new_chat_id)

    async def set_schedule(self, dest: Destination, schedule: str, user_id: str) -> int | None:
        """The chat's new schedule (an override the file can undo, for config channels)."""
        return await self._db.run(_set_schedule, dest, schedule, user_id)

    async def set_images(self, dest: Destination, images: bool) -> Subscription | None:
        """Turns the chat's pictures on or off; None when it has no active subscription."""
        return await self._db.run(_set_images, dest, images)

    async def sync_config_channels(
        self, platform: str, channels: Sequence[ConfigChannel], language: str
    ) -> list[int]:
        """Config channels become config subscriptions; ones removed from the file stop."""
        return await self._db.run(_sync_channels, platform, list(channels), language)


def snapshot(row: Row) -> Subscription:
    return Subscription(
        id=row.id,
        destination=Destination(row.platform, row.chat_id, row.thread_id, ChatKind(row.kind)),
        sources=tuple(row.sources or ()),
        schedule=row.schedule,
        language=row.language,
        active=row.active,
        origin=Origin(row.origin),
        since=row.since,
        deactivated_reason=row.deactivated_reason,
        images=row.images,
    )


def active_rows(session: Session, platform: str | None, immediate: bool | None) -> list[Row]:
    query = select(Row).where(Row.active.is_(True)).order_by(Row.id)
    if platform is not None:
        query = query.where(Row.platform == platform)
    if immediate is True:
        query = query.where(Row.schedule == IMMEDIATE)
    elif immediate is False:
        query = query.where(Row.schedule != IMMEDIATE)
    return list(session.scalars(query))


def _find(session: Session, dest: Destination) -> Row | None:
    return session.scalar(
        select(Row).where(
            Row.platform == dest.platform,
            Row.chat_id == dest.chat_id,
            Row.thread_id == dest.thread_id,
        )
    )


def _get(session: Session, subscription_id: int) -> Subscription | None:
    row = session.get(Row, subscription_id)
    return snapshot(row) if row is not None else None


def _find_view(session: Session, dest: Destination) -> Subscription | None:
    row = _find(session, dest)
    return snapshot(row) if row is not None else None


def _active(session: Session, platform: str | None, immediate: bool | None) -> list[Subscription]:
    return [snapshot(row) for row in active_rows(session, platform, immediate)]


def _subscribe(
    session: Session, dest: Destination, names: list[str], language: str, user_id: str
) -> Subscription:
    now = utcnow()
    row = _find(session, dest)
    if row is None:
        row = Row(
            platform=dest.platform,
            chat_id=dest.chat_id,
            thread_id=dest.thread_id,
            kind=dest.kind,
            sources=names,
            schedule=IMMEDIATE,
            language=language,
            origin=Origin.CHAT,
            created_by=user_id,
            since=now,
        )
        session.add(row)
    elif not row.active:
        row.active, row.deactivated_reason, row.since = True, None, now
        row.sources, row.language = names, language
    else:
        merged = sorted(set(row.sources) | set(names)) if row.sources and names else []
        if set(merged) - set(row.sources or ()) or (row.sources and not merged):
            if row.schedule == IMMEDIATE:  # new sources must not flood with their backlog
                row.since = now
        row.sources = merged
    session.flush()
    return snapshot(row)


def _unsubscribe(
    session: Session, dest: Destination, names: list[str], all_names: list[str]
) -> Subscription | None:
    row = _find(session, dest)
    if row is None or not row.active:
        return None
    remaining = [name for name in (row.sources or all_names) if name not in names] if names else []
    if remaining:
        row.sources = remaining
    else:
        row.active, row.deactivated_reason = False, UNSUBSCRIBED
    return snapshot(row)


def _deactivate(session: Session, subscription_id: int, reason: str) -> None:
    row = session.get(Row, subscription_id)
    if row is not None:
        row.active = False
        row.deactivated_reason = reason


def _migrate(session: Session, subscription_id: int, new_chat_id: str) -> Destination:
    row = session.get(Row, subscription_id)
    if row is None:
        raise LookupError(f"subscription {subscription_id} vanished during delivery")
    old = Destination(row.platform, row.chat_id, row.thread_id, ChatKind(row.kind))
    moved = Destination(row.platform, new_chat_id, row.thread_id, ChatKind(row.kind))
    existing = _find(session, moved)
    if existing is not None:  # the new chat was subscribed already: keep that one
        row.active = False
        row.deactivated_reason = f"migrated to {new_chat_id}"
        existing.active = True
    else:
        row.chat_id = new_chat_id
    _move_deliveries(session, old.platform, old.chat_id, new_chat_id)
    messages.move_chat(session, old.platform, old.chat_id, new_chat_id)
    return moved


def _set_schedule(session: Session, dest: Destination, schedule: str, user_id: str) -> int | None:
    row = _find(session, dest)
    if row is None or not row.active:
        return None
    if row.origin == Origin.CONFIG:
        earlier = schedules.find_override(session, ScheduleTarget.SUBSCRIPTION, str(row.id))
        # the file's value is what the last sync wrote, unless an override already replaced it
        file_value = earlier.file_value if earlier is not None else row.schedule
        schedules.put_override(
            session, ScheduleTarget.SUBSCRIPTION, str(row.id), schedule, file_value, user_id
        )
    row.schedule = schedule
    return row.id


def _set_images(session: Session, dest: Destination, images: bool) -> Subscription | None:
    row = _find(session, dest)
    if row is None or not row.active:
        return None
    row.images = images
    return snapshot(row)


def _sync_channels(
    session: Session, platform: str, channels: list[ConfigChannel], language: str
) -> list[int]:
    """Creates/updates config channels; an admin's /schedule wins until the file's value changes."""
    now = utcnow()
    wanted = {channel.chat: channel for channel in channels}
    ids = []
    for chat, channel in wanted.items():
        row = _find(session, Destination(platform, chat, "", ChatKind.CHANNEL))
        if row is None:
            row = Row(
                platform=platform,
                chat_id=chat,
                thread_id="",
                kind=ChatKind.CHANNEL,
                since=now,
                origin=Origin.CONFIG,
                language=language,
            )
            session.add(row)
        elif not row.active:
            row.active, row.deactivated_reason, row.since = True, None, now
        row.origin, row.sources = Origin.CONFIG, list(channel.sources)
        session.flush()
        row.schedule = schedules.effective(
            session, ScheduleTarget.SUBSCRIPTION, str(row.id), channel.schedule
        )
        ids.append(row.id)
    configured = select(Row).where(Row.platform == platform, Row.origin == Origin.CONFIG)
    for row in session.scalars(configured):
        if row.chat_id not in wanted and row.active:
            row.active, row.deactivated_reason = False, REMOVED_FROM_CONFIG
    return ids


def _move_deliveries(session: Session, platform: str, old_chat_id: str, new_chat_id: str) -> None:
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
