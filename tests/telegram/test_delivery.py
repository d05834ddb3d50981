"""Scheduled and immediate delivery through the Sender: limits, retries, refusals, restarts."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import aiohttp
import pytest
from telegram.error import NetworkError, TimedOut

from bot.adapters.telegram.errors import delivery_errors
from bot.core import Destination, Post
from bot.core.delivery import TransientDeliveryError
from bot.errors import DeliveryError
from bot.flow.triggers import digest_schedules
from bot.store.models import Delivery, SubscriptionRow
from tests.helpers.fake_telegram import BLOCKED, BOT_ID, Delay, Drop, migrated_to, retry_after
from tests.telegram.conftest import (
    ADMIN_ID,
    ARTICLE_EN,
    CHANNEL_NAME,
    GROUP_ID,
    READER_AR,
    READER_ID,
    BotStack,
    StackFactory,
    make_config,
    write_article,
)


def _titles(stack: BotStack, chat_id: int | str) -> list[str]:
    return [text.split("\n")[0] for text in stack.fake.sent_texts(chat_id)]


async def _subscribed(start_bot: StackFactory, chat_id: int = READER_ID) -> BotStack:
    """A bot whose reader subscribed before the sample article was fetched."""
    stack = await start_bot()
    await stack.say(chat_id, READER_AR, "/subscribe")
    assert await stack.fetch()
    return stack


def _deliveries(stack: BotStack, chat_id: int) -> list[tuple[str, str | None]]:
    """(status, Telegram message id) of each delivery to a chat, oldest first."""
    with stack.store.db.session() as session:
        rows = session.query(Delivery).filter_by(chat_id=str(chat_id)).order_by(Delivery.id)
        return [(row.status, row.message_id) for row in rows]


def _active(stack: BotStack, chat_id: int) -> bool:
    with stack.store.db.session() as session:
        row = session.query(SubscriptionRow).filter_by(chat_id=str(chat_id)).one()
        return row.active


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
async def test_scheduled_digest_reaches_a_config_channel(
    start_bot: StackFactory, tmp_path: Path, fake
) -> None:
    channel = {"chat": f"@{CHANNEL_NAME}", "schedule": "0 9 * * *"}
    stack = await start_bot(make_config(tmp_path, fake, telegram={"channels": [channel]}))
    await stack.core.sync_config_channels(
        "telegram", stack.config.telegram.channels
    )  # as `run` does
    fake.set_member(-100555, BOT_ID, "administrator")
    assert await stack.fetch()
    [(subscription_id, schedule)] = (await digest_schedules(stack.store)).items()
    view = await stack.store.subscriptions.get(subscription_id)
    assert (view.destination.platform, schedule) == ("telegram", "0 9 * * *")
    assert await stack.core.deliver_digest(stack.adapter.sender, subscription_id) == 1
    [post] = fake.calls_of("sendMessage", chat_id=f"@{CHANNEL_NAME}")
    assert "Gemini" in post.result["text"]


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
async def test_immediate_delivery_then_restart_sends_nothing_twice(
    start_bot: StackFactory, news_dir: Path
) -> None:
    first = await _subscribed(start_bot)
    assert await first.core.deliver_new(first.adapter.sender) == 1
    [post] = first.fake.calls_of("sendMessage", chat_id=READER_ID)[1:]
    assert _deliveries(first, READER_ID) == [("sent", str(post.result["message_id"]))]
    await first.stop()
    write_article(news_dir, "chips.md", ARTICLE_EN)
    second = await start_bot()
    assert await second.fetch()
    assert await second.core.deliver_new(second.adapter.sender) == 1
    assert await second.core.deliver_new(second.adapter.sender) == 0
    titles = _titles(second, READER_ID)[1:]  # after the /subscribe confirmation
    assert len(titles) == 2 and len(set(titles)) == 2


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
async def test_crash_between_send_and_record_is_never_resent(start_bot: StackFactory) -> None:
    first = await _subscribed(start_bot)
    first.fake.fail_next("sendMessage", Delay(0.15))
    delivering = asyncio.create_task(first.core.deliver_new(first.adapter.sender))
    await first.fake.wait_for(
        lambda: len(first.fake.calls_of("sendMessage", chat_id=READER_ID)) == 2, 2
    )
    delivering.cancel()  # the "crash": the post went out, the record never came back
    await asyncio.gather(delivering, return_exceptions=True)
    await first.stop()
    second = await start_bot()
    assert await second.core.deliver_new(second.adapter.sender) == 0
    assert len(second.fake.calls_of("sendMessage", chat_id=READER_ID)) == 2


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
async def test_blocked_chat_is_deactivated_and_admins_told(start_bot: StackFactory) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.fail_next("sendMessage", BLOCKED)
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    [notice] = await stack.replies(ADMIN_ID, 0)
    assert str(READER_ID) in notice.result["text"]
    assert not _active(stack, READER_ID)
    assert await stack.core.deliver_new(stack.adapter.sender) == 0


async def test_migrated_group_gets_the_post_at_its_new_id(start_bot: StackFactory) -> None:
    stack = await start_bot()
    stack.fake.set_member(GROUP_ID, READER_ID, "administrator")
    await stack.say(GROUP_ID, READER_AR, "/subscribe")
    assert await stack.fetch()
    stack.fake.add_chat(-100999, "supergroup")
    stack.fake.fail_next("sendMessage", migrated_to(-100999))
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    assert "Gemini" in stack.fake.sent_texts(-100999)[0]
    assert _active(stack, -100999)


async def test_flood_wait_is_honoured_then_delivered(start_bot: StackFactory) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.fail_next("sendMessage", retry_after(1))
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    refused, delivered = [call for call in stack.fake.calls if call.method == "sendMessage"][-2:]
    assert not refused.ok and delivered.ok
    assert delivered.at - refused.at >= 1.0


def _post_attempts(stack: BotStack) -> int:
    """sendMessage calls to the reader after the /subscribe confirmation, failed ones included."""
    calls = [c for c in stack.fake.calls if c.method == "sendMessage"]
    return sum(1 for c in calls if str(c.params["chat_id"]) == str(READER_ID)) - 1


async def test_refused_connections_are_retried_then_deferred_to_the_next_round(
    start_bot: StackFactory, caplog: pytest.LogCaptureFixture
) -> None:
    stack = await _subscribed(start_bot)
    await stack.fake.go_offline()
    with caplog.at_level(logging.WARNING, "bot.adapters.telegram.errors"):
        assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert sum("retrying" in record.getMessage() for record in caplog.records) == 2
    await stack.fake.come_back()
    assert _active(stack, READER_ID)
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    assert _post_attempts(stack) == 1


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
@pytest.mark.parametrize("lost", [Drop(), Drop(after_sending=True)], ids=["before", "after"])
async def test_a_lost_answer_is_never_sent_again(start_bot: StackFactory, lost: Drop) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.fail_next("sendMessage", lost)
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    await stack.stop()
    again = await start_bot()
    assert await again.core.deliver_new(again.adapter.sender) == 0
    assert _post_attempts(again) == 1  # Telegram may have shown it: at most once, never twice
    assert [status for status, _ in _deliveries(again, READER_ID)] == ["unknown"]
    assert len(again.fake.sent_texts(READER_ID)) == 1 + lost.after_sending


def _with_cause(error: NetworkError, cause: Exception) -> NetworkError:
    error.__cause__ = cause  # as the transport chains aiohttp's error
    return error


@pytest.mark.parametrize(
    "error",
    [
        _with_cause(TimedOut(), aiohttp.ConnectionTimeoutError("connect or pool")),
    ],
)
def test_what_never_reached_telegram_is_transient(error: NetworkError) -> None:
    with pytest.raises(TransientDeliveryError), delivery_errors():
        raise error


@pytest.mark.parametrize(
    "error",
    [
        _with_cause(TimedOut(), aiohttp.SocketTimeoutError("read")),
        _with_cause(TimedOut(), TimeoutError()),  # the whole call's budget, writing included
        _with_cause(NetworkError("gone"), aiohttp.ServerDisconnectedError()),
    ],
)
def test_what_may_have_reached_telegram_is_an_unknown_outcome(error: NetworkError) -> None:
    with pytest.raises(DeliveryError) as raised, delivery_errors():
        raise error
    assert not isinstance(raised.value, TransientDeliveryError)


async def test_a_burst_is_spread_by_the_rate_limiter(start_bot: StackFactory) -> None:
    stack = await start_bot()
    post = Post(1, 1, "عنوان", None, "local", "ملخص قصير.", "ar", None)
    chats = range(10_000, 10_050)
    began = time.monotonic()
    await asyncio.gather(
        *(
            stack.adapter.sender.send_post(Destination("telegram", str(chat)), post, "ar")
            for chat in chats
        )
    )
    sends = sorted(call.at for call in stack.fake.calls_of("sendMessage"))
    assert len(sends) == 50
    # A bucket of 30 that drains 30/s lets 30 through at once, the other 20 over 20/30 s.
    # (Arrival times, not gaps between them: a loaded machine may bunch the arrivals.)
    assert sends[-1] - began >= 20 / 30 - 0.05
