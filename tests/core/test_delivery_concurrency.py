"""A round serves many destinations at once, each in order, exactly once, whatever fails."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import pytest

from bot.core import Destination, Post, TransientDeliveryError
from bot.store import DeliveryStatus, Store
from tests.core.conftest import FakeSender, add_article, private
from tests.helpers.tables import delivery_records

# The whole module runs on SQLite and on PostgreSQL (the store fixture uses database_url).
pytestmark = pytest.mark.usefixtures("database_url")

BOUND = 4  # sends on the wire at once, patched low so a few chats fill it
WITHIN = 5.0  # seconds any wait below may take before the test fails


@pytest.fixture(autouse=True)
def low_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.core.delivery.SENDS_IN_FLIGHT", BOUND)


@dataclass
class GatedSender(FakeSender):
    """Holds every send until `release` is set; counts sends in flight, overall and per chat.

    `full` is set once `full_at` sends are open at the same time.
    """

    full_at: int = BOUND
    release: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    most_in_flight: int = 0
    per_chat: Counter[str] = field(default_factory=Counter)
    most_per_chat: int = 0
    full: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        self.in_flight += 1
        self.per_chat[dest.chat_id] += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.most_per_chat = max(self.most_per_chat, self.per_chat[dest.chat_id])
        if self.in_flight == self.full_at:
            self.full.set()
        try:
            await self.release.wait()
            return await super().send_post(dest, post, language)
        finally:
            self.in_flight -= 1
            self.per_chat[dest.chat_id] -= 1


async def subscribe(core, chats: list[str]) -> None:
    for chat in chats:
        await core.handle("subscribe", private(chat), "")


async def test_many_destinations_are_in_flight_at_once_up_to_the_bound(core, store):
    chats = [str(10 + i) for i in range(3 * BOUND)]
    await subscribe(core, chats)
    add_article(store, "alpha", "a1")
    sender = GatedSender()
    round_ = asyncio.create_task(core.deliver_new(sender))
    async with asyncio.timeout(WITHIN):
        await sender.full.wait()  # one sequential round would never have two sends open
        sender.release.set()
        assert await round_ == len(chats)
    assert sender.most_in_flight == BOUND
    assert sorted(dest.chat_id for dest, _, _ in sender.sent) == sorted(chats)


async def test_posts_to_one_chat_go_out_oldest_first_one_at_a_time(core, store):
    await subscribe(core, ["7", "8", "9"])
    for title in ("a1", "a2", "a3"):
        add_article(store, "alpha", title)
    sender = GatedSender(full_at=3)
    round_ = asyncio.create_task(core.deliver_new(sender))
    async with asyncio.timeout(WITHIN):
        await sender.full.wait()  # the three chats' first posts are open at once
        sender.release.set()
        assert await round_ == 9
    assert sender.most_per_chat == 1
    for chat in ("7", "8", "9"):
        assert sender.titles(chat) == ["a1", "a2", "a3"]


async def test_a_failing_chat_neither_blocks_nor_stops_the_chats_in_flight(core, store):
    chats = [str(10 + i) for i in range(2 * BOUND)]
    await subscribe(core, chats)
    add_article(store, "alpha", "a1")
    add_article(store, "alpha", "a2")
    sender = GatedSender()
    sender.failures["10"] = [TransientDeliveryError("429")]
    sender.failures["11"] = [RuntimeError("connection reset after write")]
    round_ = asyncio.create_task(core.deliver_new(sender))
    async with asyncio.timeout(WITHIN):
        await sender.full.wait()
        sender.release.set()
        assert await round_ == 2 * (len(chats) - 2)
    assert sender.titles("10") == [] and sender.titles("11") == []
    assert all(sender.titles(chat) == ["a1", "a2"] for chat in chats[2:])
    async with asyncio.timeout(WITHIN):
        assert await core.deliver_new(sender) == 3  # 10 retried; 11's a1 went unknown: a2 only
    assert sender.titles("10") == ["a1", "a2"] and sender.titles("11") == ["a2"]


async def test_a_crash_after_the_sends_leaves_unknown_rows_and_no_second_post(
    core, make_core, store, monkeypatch
):
    chats = [str(10 + i) for i in range(2 * BOUND)]
    await subscribe(core, chats)
    add_article(store, "alpha", "a1")
    sender = GatedSender()
    reserved: list[DeliveryStatus] = []
    all_sent = asyncio.Event()
    real_send = sender.send_post

    async def send_after_checking(dest: Destination, post: Post, language: str) -> str:
        # each send sees its own reservation committed (another connection could read it)
        [record] = await delivery_records(store, dest)
        reserved.append(record.status)
        message_id = await real_send(dest, post, language)
        if len(sender.sent) == len(chats):
            all_sent.set()
        return message_id

    never = asyncio.Event()

    async def hang(posts):  # noqa: ANN001, ANN202 - the process dies before any record commits
        await never.wait()

    monkeypatch.setattr(sender, "send_post", send_after_checking)
    monkeypatch.setattr(store.deliveries, "record_sent_many", hang)
    sender.release.set()
    round_ = asyncio.create_task(core.deliver_new(sender))
    async with asyncio.timeout(WITHIN):
        await all_sent.wait()
    round_.cancel()  # the crash: nothing after the sends reaches the database
    with pytest.raises(asyncio.CancelledError):
        await round_
    monkeypatch.undo()
    assert reserved == [DeliveryStatus.SENDING] * len(chats)

    restarted = make_core(Store(store.db.url))
    assert await restarted.start() == len(chats)
    assert await restarted.deliver_new(FakeSender()) == 0
    for chat in chats:
        [record] = await delivery_records(store, Destination("telegram", chat))
        assert record.status == DeliveryStatus.UNKNOWN
