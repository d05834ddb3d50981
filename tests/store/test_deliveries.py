"""The batch methods of delivery records answer as the single ones would, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store import DeliveryStatus, Destination, Store
from bot.store.deliveries import Reservation, SentPost
from tests.core.conftest import add_article
from tests.helpers.tables import delivery_records

# Every test here runs on SQLite and on PostgreSQL.


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store(database_url)
    yield opened
    opened.close()


def chat(chat_id: str) -> Destination:
    return Destination("telegram", chat_id)


async def test_each_subscription_gets_what_its_sources_take_and_it_lacks(store: Store) -> None:
    everything = await store.subscriptions.subscribe(chat("1"), [], "ar", "u")
    only_beta = await store.subscriptions.subscribe(chat("2"), ["beta"], "ar", "u")
    also_all = await store.subscriptions.subscribe(chat("3"), [], "ar", "u")
    first = add_article(store, "alpha", "a1")
    add_article(store, "beta", "b1")
    add_article(store, "alpha", "a2")
    await store.deliveries.reserve(chat("3"), first, first)  # recorded there: no longer due
    views = [everything, only_beta, also_all]
    each = await store.story_posts.due_each(views)
    assert [[due.item.title for due in dues] for dues in each] == [
        ["a1", "b1", "a2"],
        ["b1"],
        ["b1", "a2"],
    ]
    capped = await store.story_posts.due_each(views, 1)
    assert capped == [dues[:1] for dues in each]


async def test_reserve_many_skips_recorded_pairs_and_keeps_the_order(store: Store) -> None:
    article = add_article(store, "alpha", "a1")
    taken = await store.deliveries.reserve(chat("2"), article, article)
    batch = [Reservation(chat(chat_id), article, article) for chat_id in ("1", "2", "3")]
    first, skipped, third = await store.deliveries.reserve_many(batch)
    assert taken is not None and skipped is None and first is not None and third is not None
    assert await store.deliveries.reserve_many(batch) == [None, None, None]
    [record] = await delivery_records(store, chat("3"))
    assert (record.id, record.status) == (third, DeliveryStatus.SENDING)


async def test_record_sent_many_marks_each_sent_with_its_message(store: Store) -> None:
    article = add_article(store, "alpha", "a1")
    ids = await store.deliveries.reserve_many(
        [Reservation(chat(chat_id), article, article) for chat_id in ("1", "2")]
    )
    assert None not in ids
    posts = [
        SentPost(id_ or 0, chat(c), f"m{c}", article) for id_, c in zip(ids, "12", strict=True)
    ]
    await store.deliveries.record_sent_many(posts)
    for chat_id in ("1", "2"):
        [record] = await delivery_records(store, chat(chat_id))
        assert (record.status, record.message_id) == (DeliveryStatus.SENT, f"m{chat_id}")
        conversation = await store.messages.conversation(chat(chat_id), f"m{chat_id}")
        assert conversation is not None and conversation.article.id == article
