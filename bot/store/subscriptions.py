"""Subscriptions: which destination receives which sources, on which schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import ScheduleOverride, Subscription

if TYPE_CHECKING:
    from bot.core.types import Destination

IMMEDIATE = "immediate"


def find_subscription(session: Session, destination: Destination) -> Subscription | None:
    """The subscription row of exactly this chat/thread, active or not."""
    return session.scalar(
        select(Subscription).where(
            Subscription.platform == destination.platform,
            Subscription.chat_id == destination.chat_id,
            Subscription.thread_id == destination.thread_id,
        )
    )


def active_subscriptions(
    session: Session, platform: str | None = None, *, immediate: bool | None = None
) -> list[Subscription]:
    """Active subscriptions, optionally of one platform and only immediate (or only digest) ones."""
    query = select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)
    if platform is not None:
        query = query.where(Subscription.platform == platform)
    if immediate is True:
        query = query.where(Subscription.schedule == IMMEDIATE)
    elif immediate is False:
        query = query.where(Subscription.schedule != IMMEDIATE)
    return list(session.scalars(query))


def config_subscriptions(session: Session, platform: str) -> list[Subscription]:
    """Subscriptions created from the config's channel list, active or not."""
    return list(
        session.scalars(
            select(Subscription).where(
                Subscription.platform == platform, Subscription.origin == "config"
            )
        )
    )


def override_of(session: Session, subscription_id: int) -> ScheduleOverride | None:
    """The admin's run-time schedule for a subscription, if one was set."""
    return session.scalar(
        select(ScheduleOverride).where(
            ScheduleOverride.target_kind == "subscription",
            ScheduleOverride.target == str(subscription_id),
        )
    )
