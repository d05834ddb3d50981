"""Delivery of new summaries to subscriptions, exactly once per (destination, article).

Protocol: a `deliveries` row with status `sending` is committed BEFORE the platform send, and set
to `sent` with the platform message id right after. If the process dies between the two, the row
stays `sending`; `recover()` at start marks such rows `unknown` and they are never sent again.
On that single edge we choose at-most-once: the reader may miss one post, but never sees a
duplicate (the send most likely went through — the crash came after it). The log names each row.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.orm import Session

from bot.core.context import CoreContext
from bot.core.posts import to_post
from bot.core.subscriptions import (
    SubscriptionView,
    load_subscription,
    migrate_subscription,
    snapshot,
)
from bot.core.types import Destination, Post
from bot.errors import DeliveryError
from bot.i18n import t
from bot.store import deliveries, messages, settings
from bot.store import subscriptions as subs
from bot.store.models import Subscription

log = logging.getLogger(__name__)


class DestinationForbidden(DeliveryError):
    """The platform refuses posts there for good (blocked, kicked, no rights): deactivate."""

    def __init__(self, reason: str = "forbidden") -> None:
        super().__init__(reason)
        self.reason = reason


class DestinationMigrated(DeliveryError):
    """The chat has a new id (Telegram group upgraded to a supergroup): move and retry."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__(new_chat_id)
        self.new_chat_id = str(new_chat_id)


class TransientDeliveryError(DeliveryError):
    """Surely not delivered this time (rate limit, network, 5xx): retried on the next round."""


class Sender(Protocol):
    """What an adapter gives the core to deliver with; raises the three errors above."""

    platform: str

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        """Sends one summary post; returns the platform message id."""
        ...

    async def send_text(self, dest: Destination, text: str) -> str:
        """Sends plain (already localized) text; returns the platform message id."""
        ...

    async def notify_admins(self, text: str) -> None:
        """Tells the bot admins of this platform something needs their attention."""
        ...


def paused_key(platform: str) -> str:
    return f"paused.{platform}"


class Deliverer:
    """Sends each due summary to each subscription once; one destination never blocks another."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context

    async def recover(self) -> int:
        """Marks rows a crash left `sending` as `unknown` (never re-sent); returns how many."""
        rows = await self.context.db(_interrupted)
        for delivery_id, platform, chat_id, article_id in rows:
            log.warning(
                "delivery %s to %s:%s of article %s interrupted between send and record; "
                "marked unknown, not re-sent",
                delivery_id,
                platform,
                chat_id,
                article_id,
            )
        return len(rows)

    async def is_paused(self, platform: str) -> bool:
        return await self.context.db(settings.get_setting, paused_key(platform)) == "1"

    async def deliver_new(self, sender: Sender) -> int:
        """Every immediate subscription of the sender's platform gets its due summaries."""
        if await self.is_paused(sender.platform):
            log.info("posting paused on %s; nothing delivered", sender.platform)
            return 0
        views = await self.context.db(_active_views, sender.platform, True)
        total = 0
        for view in views:
            total += await self._deliver_guarded(sender, view, None)
        return total

    async def deliver_digest(self, sender: Sender, subscription_id: int) -> int:
        """One digest subscription gets its pending summaries, oldest first, capped."""
        view = await self.context.db(load_subscription, subscription_id)
        if view is None or not view.active or view.destination.platform != sender.platform:
            log.info(
                "digest for subscription %s skipped: missing, inactive or other platform",
                subscription_id,
            )
            return 0
        if await self.is_paused(sender.platform):
            log.info("posting paused on %s; digest %s not sent", sender.platform, subscription_id)
            return 0
        return await self._deliver_guarded(
            sender, view, self.context.config.delivery.digest_max_items
        )

    async def _deliver_guarded(
        self, sender: Sender, view: SubscriptionView, limit: int | None
    ) -> int:
        """A failure at one destination is logged and never stops the others."""
        try:
            return await self._deliver(sender, view, limit)
        except Exception:  # per-destination loop: one broken chat must not block the rest
            log.exception("delivery to subscription %s failed", view.id)
            return 0

    async def _deliver(self, sender: Sender, view: SubscriptionView, limit: int | None) -> int:
        dest = view.destination
        rows = await self.context.db(
            deliveries.pending_summaries,
            dest.platform,
            dest.chat_id,
            dest.thread_id,
            since=view.since,
            sources=view.sources,
            limit=limit,
        )
        posts = [to_post(row) for row in rows]
        sent = 0
        migrated = False
        index = 0
        while index < len(posts):
            post = posts[index]
            delivery_id = await self.context.db(
                deliveries.reserve,
                dest.platform,
                dest.chat_id,
                dest.thread_id,
                post.article_id,
                post.summary_id,
            )
            if delivery_id is None:
                index += 1
                continue
            try:
                message_id = await sender.send_post(dest, post, view.language)
            except DestinationMigrated as moved:
                await self.context.db(deliveries.release, delivery_id)
                if migrated:
                    log.error("subscription %s migrated twice in one round; stopping", view.id)
                    return sent
                dest = await self.context.db(migrate_subscription, view.id, moved.new_chat_id)
                log.info("subscription %s moved to chat %s; retrying", view.id, dest.chat_id)
                migrated = True
                continue
            except DestinationForbidden as refused:
                await self.context.db(deliveries.release, delivery_id)
                await self._deactivate(sender, view, dest, refused.reason)
                return sent
            except TransientDeliveryError as error:
                await self.context.db(deliveries.release, delivery_id)
                log.warning("delivery to subscription %s deferred: %s", view.id, error)
                return sent
            except Exception as error:
                await self.context.db(deliveries.finish, delivery_id, "unknown", error=repr(error))
                raise
            await self.context.db(_record_sent, delivery_id, dest, message_id, post.article_id)
            log.info(
                "delivered article %s to %s:%s as message %s (delivery %s)",
                post.article_id,
                dest.platform,
                dest.chat_id,
                message_id,
                delivery_id,
            )
            sent += 1
            index += 1
        return sent

    async def _deactivate(
        self, sender: Sender, view: SubscriptionView, dest: Destination, reason: str
    ) -> None:
        await self.context.db(_deactivate, view.id, reason)
        log.warning(
            "subscription %s at %s:%s deactivated: %s", view.id, dest.platform, dest.chat_id, reason
        )
        text = t(
            "delivery.forbidden_notice",
            self.context.config.delivery.language,
            chat=dest.chat_id,
            reason=reason,
        )
        try:
            await sender.notify_admins(text)
        except DeliveryError:
            log.warning(
                "could not notify %s admins about subscription %s",
                sender.platform,
                view.id,
                exc_info=True,
            )


def _interrupted(session: Session) -> list[tuple[int, str, str, int]]:
    return [
        (row.id, row.platform, row.chat_id, row.article_id)
        for row in deliveries.mark_interrupted(session)
    ]


def _active_views(session: Session, platform: str, immediate: bool) -> list[SubscriptionView]:
    return [
        snapshot(row) for row in subs.active_subscriptions(session, platform, immediate=immediate)
    ]


def _record_sent(
    session: Session, delivery_id: int, dest: Destination, message_id: str, article_id: int
) -> None:
    """`sent` and the message row in one transaction, so a reply to the post finds its article."""
    deliveries.finish(session, delivery_id, "sent", message_id=message_id)
    messages.add_message(session, dest.platform, dest.chat_id, message_id, article_id)


def _deactivate(session: Session, subscription_id: int, reason: str) -> None:
    row = session.get(Subscription, subscription_id)
    if row is not None:
        row.active = False
        row.deactivated_reason = reason
