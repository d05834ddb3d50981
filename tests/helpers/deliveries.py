"""What the deliveries table holds for one chat: tests read it directly, the bot never needs to."""

from __future__ import annotations

import asyncio

from bot.store import Store
from bot.store.models import Delivery
from bot.store.types import DeliveryRecord, DeliveryStatus, Destination


def _read(store: Store, dest: Destination) -> list[DeliveryRecord]:
    with store.db.session() as session:
        rows = (
            session.query(Delivery)
            .filter_by(platform=dest.platform, chat_id=dest.chat_id, thread_id=dest.thread_id)
            .order_by(Delivery.id)
        )
        return [
            DeliveryRecord(
                id=row.id,
                destination=Destination(row.platform, row.chat_id, row.thread_id),
                article_id=row.article_id,
                status=DeliveryStatus(row.status),
                message_id=row.message_id,
                error=row.error,
            )
            for row in rows
        ]


async def delivery_records(store: Store, dest: Destination) -> list[DeliveryRecord]:
    """Every delivery row of one destination, oldest first (off the loop, as the store reads)."""
    return await asyncio.to_thread(_read, store, dest)
