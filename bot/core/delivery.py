"""Delivery of new summaries to subscriptions, exactly once per (destination, article).

Protocol: a `deliveries` row with status `sending` is committed BEFORE the platform send, and set
to `sent` with the platform message id right after. If the process dies between the two, the row
stays `sending`; `recover()` at start marks such rows `unknown` and they are never sent again.
On that single edge we choose at-most-once: the reader may miss one post, but never sees a
duplicate (the send most likely went through — the crash came after it). The log names each row.
A database outage between the two is no crash: the `sent` record waits in memory and is written
at the start of the next round, so the post's message row (which replies need) is not lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot import metrics
from bot.core.context import CoreContext
from bot.core.posts import to_post
from bot.core.types import Destination, EditOutcome, Post
from bot.errors import DatabaseUnavailable, DeliveryError
from bot.i18n import t
from bot.metrics import FailureKind
from bot.store import IMMEDIATE, Origin, Subscription
from bot.store.types import utcnow

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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

    async def edit_post(
        self, dest: Destination, message_id: str, post: Post, language: str
    ) -> EditOutcome:
        """Makes a sent post show `post` (its story's sources); never sends a new message.

        Raises `TransientDeliveryError` when a later try may succeed (429, network, 5xx).
        """
        ...

    async def notify_admins(self, text: str) -> None:
        """Tells the bot admins of this platform something needs their attention."""
        ...


@dataclass(frozen=True, slots=True)
class _Unrecorded:
    """A post that went out while the database could not take its `sent` record."""

    delivery_id: int
    destination: Destination
    message_id: str
    article_id: int


class Deliverer:
    """Sends each due summary to each subscription once; one destination never blocks another."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context
        self.records = context.store.deliveries
        self._unrecorded: list[_Unrecorded] = []
        # one round at a time per destination: a job, a catch-up and a digest may overlap
        self._rounds: defaultdict[Destination, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def recover(self) -> int:
        """Marks rows a crash left `sending` as `unknown` (never re-sent); returns how many."""
        rows = await self.records.recover_interrupted()
        for row in rows:
            log.warning(
                "delivery %s to %s:%s of article %s interrupted between send and record; "
                "marked unknown, not re-sent",
                row.id,
                row.destination.platform,
                row.destination.chat_id,
                row.article_id,
            )
        return len(rows)

    async def is_paused(self, platform: str) -> bool:
        return await self.context.store.settings.is_paused(platform)

    async def deliver_new(self, sender: Sender) -> int:
        """Every immediate subscription of the sender's platform gets its due summaries."""
        await self._record_unrecorded()
        if await self.is_paused(sender.platform):
            log.info("posting paused on %s; nothing delivered", sender.platform)
            return 0
        views = await self.context.store.subscriptions.active(sender.platform, immediate=True)
        total = 0
        for view in views:
            total += await self._deliver_guarded(sender, view, None)
        return total

    async def deliver_digest(self, sender: Sender, subscription_id: int) -> int:
        """One digest subscription gets its pending summaries, oldest first, capped."""
        await self._record_unrecorded()
        view = await self.context.store.subscriptions.get(subscription_id)
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

    async def deliver_backlog(
        self, sender: Sender, dest: Destination, language: str, limit: int | None
    ) -> int:
        """Every stored summary not yet delivered to `dest`, oldest first (`khulasa digest`).

        The destination needs no subscription: it takes all sources, from the first article on.
        """
        everything = Subscription(
            id=0,
            destination=dest,
            sources=(),
            schedule=IMMEDIATE,
            language=language,
            active=True,
            origin=Origin.CONFIG,
            since=EPOCH,
            deactivated_reason=None,
        )
        await self._record_unrecorded()
        return await self._deliver(sender, everything, limit)

    async def _deliver_guarded(self, sender: Sender, view: Subscription, limit: int | None) -> int:
        """A failure at one destination is logged and never stops the others."""
        try:
            return await self._deliver(sender, view, limit)
        except DatabaseUnavailable:
            raise  # the whole round waits for the database; its outage is logged once
        except Exception:  # per-destination loop: one broken chat must not block the rest
            log.exception("delivery to subscription %s failed", view.id)
            return 0

    async def _deliver(self, sender: Sender, view: Subscription, limit: int | None) -> int:
        async with self._rounds[view.destination]:
            return await self._deliver_round(sender, view, limit)

    async def _deliver_round(self, sender: Sender, view: Subscription, limit: int | None) -> int:
        dest = view.destination
        items = await self.records.pending(view, limit)
        posts = [to_post(item, images=view.images) for item in items]
        sent = 0
        migrated = False
        index = 0
        while index < len(posts):
            post = posts[index]
            delivery_id = await self.records.reserve(dest, post.article_id, post.summary_id)
            if delivery_id is None:
                index += 1
                continue
            try:
                message_id = await sender.send_post(dest, post, view.language)
            except DestinationMigrated as moved:
                await self.records.release(delivery_id)
                if migrated:
                    log.error("subscription %s migrated twice in one round; stopping", view.id)
                    return sent
                dest = await self.context.store.subscriptions.migrate(view.id, moved.new_chat_id)
                log.info("subscription %s moved to chat %s; retrying", view.id, dest.chat_id)
                migrated = True
                continue
            except DestinationForbidden as refused:
                metrics.failure(FailureKind.DELIVERY)
                await self.records.release(delivery_id)
                await self._deactivate(sender, view, dest, refused.reason)
                return sent
            except TransientDeliveryError as error:
                metrics.failure(FailureKind.DELIVERY)
                await self.records.release(delivery_id)
                log.warning("delivery to subscription %s deferred: %s", view.id, error)
                return sent
            except Exception as error:
                metrics.failure(FailureKind.DELIVERY)
                await self.records.record_unknown(delivery_id, repr(error))
                raise
            await self._record_sent(_Unrecorded(delivery_id, dest, message_id, post.article_id))
            log.info(
                "delivered article %s to %s:%s as message %s (delivery %s)",
                post.article_id,
                dest.platform,
                dest.chat_id,
                message_id,
                delivery_id,
            )
            summarized = items[index].summarized_at
            metrics.delivered(
                dest.platform, (utcnow() - summarized).total_seconds() if summarized else None
            )
            sent += 1
            index += 1
        return sent

    async def _record_sent(self, sent: _Unrecorded) -> None:
        try:
            await self.records.record_sent(
                sent.delivery_id, sent.destination, sent.message_id, sent.article_id
            )
        except DatabaseUnavailable:
            self._unrecorded.append(sent)  # the reservation row already stops a second send
            raise

    async def _record_unrecorded(self) -> None:
        """Writes the `sent` records an outage held back, before any new send."""
        while self._unrecorded:
            sent = self._unrecorded[0]
            await self.records.record_sent(
                sent.delivery_id, sent.destination, sent.message_id, sent.article_id
            )
            self._unrecorded.pop(0)
            log.info("delivery %s recorded after the database returned", sent.delivery_id)

    async def _deactivate(
        self, sender: Sender, view: Subscription, dest: Destination, reason: str
    ) -> None:
        await self.context.store.subscriptions.deactivate(view.id, reason)
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
