"""Delivery of new stories to subscriptions, exactly once per (destination, story).

A story is one post per destination: its first due article's summary, listing the story's
other sources (ADR 018); an article that joins a story already posted there is no new post.

Protocol: a `deliveries` row with status `sending` is committed BEFORE the platform send, and set
to `sent` with the platform message id right after. If the process dies between the two, the row
stays `sending`; `recover()` at start marks such rows `unknown` and they are never sent again.
On that single edge we choose at-most-once: the reader may miss one post, but never sees a
duplicate (the send most likely went through — the crash came after it). The log names each row.
A database outage between the two is no crash: the `sent` record waits in memory and is written
at the start of the next round, so the post's message row (which replies need) is not lost.

A round has up to `IN_FLIGHT` destinations in flight (the adapter's rate limiter paces them),
each one's posts in order, one at a time; their reservations and `sent` records are committed
in groups (`group_commit`), each send still waiting for its own committed reservation.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from bot import metrics
from bot.core.context import CoreContext
from bot.core.group_commit import GroupCommit
from bot.core.posts import story_post
from bot.core.types import Destination, EditOutcome, Post
from bot.errors import DatabaseUnavailable, DeliveryError
from bot.i18n import t
from bot.metrics import FailureKind
from bot.store import IMMEDIATE, DueStory, Origin, Subscription
from bot.store.deliveries import Deliveries, Reservation, SentPost
from bot.store.types import utcnow

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Destinations a round serves at once: each reserves, sends and records its posts in turn, so
# this many make one group commit of reservations and one of records. The adapter's rate limiter
# decides the pace (Telegram 30/s, 1000/s with paid broadcast; discord.py waits out Discord's
# limits). A crash mid-round leaves at most this many posts `unknown` (ADR 003).
IN_FLIGHT = 64
# Of those, sends on the wire at once, each a connection of the adapter's HTTP pool: 8 carry
# 1000 posts/s while a round trip to the platform stays under 8 ms (a farther API makes fewer
# posts a second); 32 measured no faster against a local fake (ADR 019).
SENDS_IN_FLIGHT = 8


def _everything(dest: Destination, language: str) -> Subscription:
    """A subscription of every source since the first article, stored nowhere."""
    return Subscription(
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


class _DeliveryRound:
    """One delivery round's sender and its group commits: reservations, then `sent` records."""

    def __init__(self, records: Deliveries, sender: Sender) -> None:
        self.sender = sender
        self.reserve: GroupCommit[Reservation, int | None] = GroupCommit(records.reserve_many)
        self.record_sent: GroupCommit[SentPost, None] = GroupCommit(partial(_record_all, records))
        self.sending = asyncio.Semaphore(SENDS_IN_FLIGHT)
        self.stopped = False  # set when the database went away mid-round

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        """The sender's `send_post`, waiting for one of the round's `SENDS_IN_FLIGHT` slots."""
        async with self.sending:
            return await self.sender.send_post(dest, post, language)


async def _record_all(records: Deliveries, posts: list[SentPost]) -> list[None]:
    await records.record_sent_many(posts)
    return [None] * len(posts)


class Deliverer:
    """Sends each due summary to each subscription once; one destination never blocks another."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context
        self.records = context.store.deliveries
        self._unrecorded: list[SentPost] = []
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
        return await self._deliver_each(sender, views, None)

    async def deliver_digest(self, sender: Sender, subscription_id: int) -> int:
        """One digest subscription gets its pending stories: most sources first, then newest,
        capped."""
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
        return await self._deliver_each(
            sender, [view], self.context.config.delivery.digest_max_items, ranked=True
        )

    async def deliver_backlog(
        self, sender: Sender, dest: Destination, language: str, limit: int | None
    ) -> int:
        """Every stored story not yet delivered to `dest`, oldest first (`khulasa digest`).

        The destination needs no subscription: it takes all sources, from the first article on.
        """
        everything = _everything(dest, language)
        await self._record_unrecorded()
        [items] = await self.context.store.story_posts.due_each([everything], limit)
        return await self._deliver(_DeliveryRound(self.records, sender), everything, items)

    async def stories(self, dest: Destination, limit: int | None) -> list[DueStory]:
        """Every stored story as `dest` would get it, oldest first, recording nothing
        (`khulasa digest --all`: a destination with no deliveries sees them all)."""
        [items] = await self.context.store.story_posts.due_each([_everything(dest, "")], limit)
        return items

    async def _deliver_each(
        self,
        sender: Sender,
        views: Sequence[Subscription],
        limit: int | None,
        *,
        ranked: bool = False,
    ) -> int:
        """Up to `IN_FLIGHT` destinations at once, each one's posts in order, one at a time.

        What is due is read once for the whole round; a post another round sent meanwhile is
        skipped at its reservation. The sender's rate limiter paces the sends.
        """
        due = await self.context.store.story_posts.due_each(views, limit, ranked=ranked)
        round_ = _DeliveryRound(self.records, sender)
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(view: Subscription, items: list[DueStory]) -> int:
            async with gate:
                if round_.stopped:
                    return 0
                return await self._deliver_guarded(round_, view, items)

        counts = await asyncio.gather(
            *(one(view, items) for view, items in zip(views, due, strict=True) if items),
            return_exceptions=True,
        )
        for count in counts:
            if isinstance(count, BaseException):
                raise count  # the database went away: the round waits for it, logged once
        return sum(count for count in counts if isinstance(count, int))

    async def _deliver_guarded(
        self, round_: _DeliveryRound, view: Subscription, items: list[DueStory]
    ) -> int:
        """A failure at one destination is logged and never stops the others."""
        try:
            return await self._deliver(round_, view, items)
        except DatabaseUnavailable:
            round_.stopped = True  # no new sends; those in flight finish and are recorded
            raise
        except Exception:  # per-destination loop: one broken chat must not block the rest
            log.exception("delivery to subscription %s failed", view.id)
            return 0

    async def _deliver(
        self, round_: _DeliveryRound, view: Subscription, items: list[DueStory]
    ) -> int:
        async with self._rounds[view.destination]:
            return await self._deliver_round(round_, view, items)

    async def _deliver_round(
        self, round_: _DeliveryRound, view: Subscription, items: list[DueStory]
    ) -> int:
        sender = round_.sender
        dest = view.destination
        sent = 0
        migrated = False
        index = 0
        while index < len(items) and not round_.stopped:
            item = items[index]
            post = story_post(item.post, images=view.images)
            delivery_id = await round_.reserve(
                Reservation(dest, post.article_id, post.summary_id, item.story_id, item.sources)
            )
            if delivery_id is None:
                index += 1
                continue
            try:
                message_id = await round_.send_post(dest, post, view.language)
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
            await self._record_sent(
                round_, SentPost(delivery_id, dest, message_id, post.article_id)
            )
            log.info(
                "delivered article %s to %s:%s as message %s (delivery %s)",
                post.article_id,
                dest.platform,
                dest.chat_id,
                message_id,
                delivery_id,
            )
            summarized = item.item.summarized_at
            metrics.delivered(
                dest.platform, (utcnow() - summarized).total_seconds() if summarized else None
            )
            sent += 1
            index += 1
        return sent

    async def _record_sent(self, round_: _DeliveryRound, sent: SentPost) -> None:
        try:
            await round_.record_sent(sent)
        except DatabaseUnavailable:
            self._unrecorded.append(sent)  # the reservation row already stops a second send
            raise

    async def _record_unrecorded(self) -> None:
        """Writes the `sent` records an outage held back, before any new send."""
        if not self._unrecorded:
            return
        held = list(self._unrecorded)
        await self.records.record_sent_many(held)
        del self._unrecorded[: len(held)]
        for sent in held:
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
