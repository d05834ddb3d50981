"""Who receives what: /subscribe, /unsubscribe, /subscriptions, a chat's schedule, config channels."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import ChannelConfig
from bot.core.context import CoreContext
from bot.core.types import Caller, Destination, Reply
from bot.errors import UserError
from bot.i18n import t
from bot.store import deliveries, messages, overrides
from bot.store import subscriptions as store
from bot.store.models import Subscription, utcnow

log = logging.getLogger(__name__)

REMOVED_FROM_CONFIG = "removed from config"
UNSUBSCRIBED = "unsubscribed"


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A detached snapshot of a subscription row, safe to use outside the session."""

    id: int
    destination: Destination
    sources: tuple[str, ...]  # empty = all sources
    schedule: str
    language: str
    active: bool
    origin: str
    since: datetime
    deactivated_reason: str | None


def snapshot(row: Subscription) -> SubscriptionView:
    return SubscriptionView(
        id=row.id,
        destination=Destination(row.platform, row.chat_id, row.thread_id, row.kind),
        sources=tuple(row.sources or ()),
        schedule=row.schedule,
        language=row.language,
        active=row.active,
        origin=row.origin,
        since=row.since,
        deactivated_reason=row.deactivated_reason,
    )


def load_subscription(session: Session, subscription_id: int) -> SubscriptionView | None:
    row = session.get(Subscription, subscription_id)
    return snapshot(row) if row is not None else None


def migrate_subscription(session: Session, subscription_id: int, new_chat_id: str) -> Destination:
    """Moves a subscription, its delivery records and messages to the chat's new id."""
    row = session.get(Subscription, subscription_id)
    if row is None:
        raise LookupError(f"subscription {subscription_id} vanished during delivery")
    old = Destination(row.platform, row.chat_id, row.thread_id, row.kind)
    moved = Destination(row.platform, new_chat_id, row.thread_id, row.kind)
    existing = store.find_subscription(session, moved)
    if existing is not None:  # the new chat was subscribed already: keep that one
        row.active = False
        row.deactivated_reason = f"migrated to {new_chat_id}"
        existing.active = True
    else:
        row.chat_id = new_chat_id
    deliveries.move_chat(session, old.platform, old.chat_id, new_chat_id)
    messages.move_chat(session, old.platform, old.chat_id, new_chat_id)
    return moved


class Subscriptions:
    """The subscription commands; permissions checked here, once for every platform."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context

    def parse_sources(self, args: str) -> list[str]:
        """Source names from command arguments; unknown names are a reader error listing valid ones."""
        names = [name for name in args.replace(",", " ").replace("،", " ").split() if name]
        valid = self.context.source_names()
        unknown = [name for name in names if name not in valid]
        if unknown:
            raise UserError(
                "error.unknown_sources", unknown=", ".join(unknown), valid=", ".join(valid)
            )
        return list(dict.fromkeys(names))

    def describe_sources(self, sources: Sequence[str], language: str) -> str:
        return ", ".join(sources) if sources else t("subscriptions.all_sources", language)

    def describe_schedule(self, schedule: str, language: str) -> str:
        if schedule == store.IMMEDIATE:
            return t("subscriptions.immediate", language)
        return t("subscriptions.digest", language, schedule=schedule)

    async def subscribe(self, caller: Caller, args: str, target: Destination | None) -> Reply:
        dest = target or caller.destination
        self.context.require_manager(caller, dest)
        names = self.parse_sources(args)
        language = self.context.post_language(dest, caller.language)
        view = await self.context.db(_subscribe, dest, names, language, caller.user_id)
        log.info(
            "subscription %s at %s:%s now %s",
            view.id,
            dest.platform,
            dest.chat_id,
            view.sources or "all",
        )
        return Reply(
            text=t(
                "subscribe.done",
                caller.language,
                sources=self.describe_sources(view.sources, caller.language),
                schedule=self.describe_schedule(view.schedule, caller.language),
            )
        )

    async def unsubscribe(self, caller: Caller, args: str, target: Destination | None) -> Reply:
        dest = target or caller.destination
        self.context.require_manager(caller, dest)
        names = self.parse_sources(args)
        view = await self.context.db(_unsubscribe, dest, names, self.context.source_names())
        if view is None:
            raise UserError("error.not_subscribed")
        log.info(
            "subscription %s at %s:%s unsubscribed from %s",
            view.id,
            dest.platform,
            dest.chat_id,
            names or "all",
        )
        if not view.active:
            return Reply(text=t("unsubscribe.done_all", caller.language))
        return Reply(
            text=t(
                "unsubscribe.done_some",
                caller.language,
                sources=self.describe_sources(view.sources, caller.language),
            )
        )

    async def list(self, caller: Caller, target: Destination | None) -> Reply:
        """This chat's subscription; a bot admin in a private chat also sees every channel's."""
        dest = target or caller.destination
        views = await self.context.db(_views_for, dest)
        if dest.kind == "private" and target is None and self.context.is_bot_admin(caller):
            channels = await self.context.db(_channel_views, dest.platform)
            views += [view for view in channels if view.destination != dest]
        lines = [self._line(view, caller.language) for view in views if view.active]
        if not lines:
            return Reply(text=t("subscriptions.none", caller.language))
        return Reply(text="\n".join([t("subscriptions.header", caller.language), *lines]))

    def _line(self, view: SubscriptionView, language: str) -> str:
        return t(
            "subscriptions.line",
            language,
            chat=view.destination.chat_id,
            sources=self.describe_sources(view.sources, language),
            schedule=self.describe_schedule(view.schedule, language),
        )

    async def sync_config_channels(
        self, platform: str, channels: Sequence[ChannelConfig]
    ) -> list[int]:
        """Config channels become `origin="config"` subscriptions; ones removed from it stop."""
        ids = await self.context.db(
            _sync_channels, platform, list(channels), self.context.config.delivery.language
        )
        log.info("config channels on %s synced: subscriptions %s", platform, ids)
        return ids


def _subscribe(
    session: Session, dest: Destination, names: list[str], language: str, user_id: str
) -> SubscriptionView:
    """New or re-activated subscriptions start from now (no backlog); active ones gain sources."""
    now = utcnow()
    row = store.find_subscription(session, dest)
    if row is None:
        row = Subscription(
            platform=dest.platform,
            chat_id=dest.chat_id,
            thread_id=dest.thread_id,
            kind=dest.kind,
            sources=names,
            schedule=store.IMMEDIATE,
            language=language,
            origin="chat",
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
            if row.schedule == store.IMMEDIATE:  # new sources must not flood with their backlog
                row.since = now
        row.sources = merged
    session.flush()
    return snapshot(row)


def _unsubscribe(
    session: Session, dest: Destination, names: list[str], all_names: list[str]
) -> SubscriptionView | None:
    row = store.find_subscription(session, dest)
    if row is None or not row.active:
        return None
    remaining = [name for name in (row.sources or all_names) if name not in names] if names else []
    if remaining:
        row.sources = remaining
    else:
        row.active, row.deactivated_reason = False, UNSUBSCRIBED
    return snapshot(row)


def _views_for(session: Session, dest: Destination) -> list[SubscriptionView]:
    row = store.find_subscription(session, dest)
    return [snapshot(row)] if row is not None else []


def _channel_views(session: Session, platform: str) -> list[SubscriptionView]:
    return [
        snapshot(row)
        for row in store.active_subscriptions(session, platform)
        if row.kind == "channel"
    ]


def _sync_channels(
    session: Session, platform: str, channels: list[ChannelConfig], language: str
) -> list[int]:
    """Creates/updates config channels; an admin's /schedule wins until the file's value changes."""
    now = utcnow()
    wanted = {channel.chat: channel for channel in channels}
    ids = []
    for chat, channel in wanted.items():
        row = store.find_subscription(session, Destination(platform, chat, "", "channel"))
        if row is None:
            row = Subscription(
                platform=platform,
                chat_id=chat,
                thread_id="",
                kind="channel",
                since=now,
                origin="config",
                language=language,
            )
            session.add(row)
        elif not row.active:
            row.active, row.deactivated_reason, row.since = True, None, now
        row.origin, row.sources = "config", list(channel.sources)
        session.flush()
        row.schedule = overrides.effective_schedule(
            session, "subscription", str(row.id), channel.schedule
        )
        ids.append(row.id)
    for row in store.config_subscriptions(session, platform):
        if row.chat_id not in wanted and row.active:
            row.active, row.deactivated_reason = False, REMOVED_FROM_CONFIG
    return ids
