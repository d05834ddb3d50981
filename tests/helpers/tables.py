"""What the tables hold, read directly: what tests check and the bot itself never asks."""

from __future__ import annotations

import asyncio

from bot.store import Store
from bot.store.articles import summary_rows, to_item
from bot.store.deliveries import to_record
from bot.store.models import ArticleRow, Delivery
from bot.store.types import DeliveryRecord, Destination, SummaryItem


def _read(store: Store, dest: Destination) -> list[DeliveryRecord]:
    with store.db.session() as session:
        rows = (
            session.query(Delivery)
            .filter_by(platform=dest.platform, chat_id=dest.chat_id, thread_id=dest.thread_id)
            .order_by(Delivery.id)
        )
        return [to_record(row) for row in rows]


async def delivery_records(store: Store, dest: Destination) -> list[DeliveryRecord]:
    """Every delivery row of one destination, oldest first (off the loop, as the store reads)."""
    return await asyncio.to_thread(_read, store, dest)


def _summaries(store: Store) -> list[SummaryItem]:
    with store.db.session() as session:
        query = summary_rows().order_by(ArticleRow.id)
        return [to_item(row) for row in session.execute(query)]


async def all_summaries(store: Store) -> list[SummaryItem]:
    """Every stored summary with its article, oldest article first."""
    return await asyncio.to_thread(_summaries, store)
