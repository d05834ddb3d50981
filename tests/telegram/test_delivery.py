"""Scheduled and immediate delivery through the Sender: limits, retries, refusals, restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.core import Destination, Post
from bot.store.models import Subscription
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


def _active(stack: BotStack, chat_id: int) -> bool:
    with stack.store.session() as session:
        row = session.query(Subscription).filter_by(chat_id=str(chat_id)).one()
        return row.active


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
    [(subscription_id, platform, schedule)] = await stack.core.digest_schedules()
    assert (platform, schedule) == ("telegram", "0 9 * * *")
    assert await stack.core.deliver_digest(stack.adapter.sender, subscription_id) == 1
    [post] = fake.calls_of("sendMessage", chat_id=f"@{CHANNEL_NAME}")
    assert "Gemini" in post.result["text"]


async def test_immediate_delivery_then_restart_sends_nothing_twice(
    start_bot: StackFactory, news_dir: Path
) -> None:
    first = await _subscribed(start_bot)
    assert await first.core.deliver_new(first.adapter.sender) == 1
    await first.stop()
    write_article(news_dir, "chips.md", ARTICLE_EN)
    second = await start_bot()
    assert await second.fetch()
    assert await second.core.deliver_new(second.adapter.sender) == 1
    assert await second.core.deliver_new(second.adapter.sender) == 0
    titles = _titles(second, READER_ID)[1:]  # after the /subscribe confirmation
    assert len(titles) == 2 and len(set(titles)) == 2


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


async def test_dropped_connections_are_retried(start_bot: StackFactory) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.fail_next("sendMessage", Drop(), times=2)
    assert await stack.core.deliver_new(stack.adapter.sender) == 1


async def test_network_down_defers_the_post_to_the_next_round(start_bot: StackFactory) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.fail_next("sendMessage", Drop(), times=3)
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert _active(stack, READER_ID)
    assert await stack.core.deliver_new(stack.adapter.sender) == 1


async def test_a_burst_is_spread_by_the_rate_limiter(start_bot: StackFactory) -> None:
    stack = await start_bot()
    post = Post(1, 1, "عنوان", None, "local", "ملخص قصير.", "ar", None)
    chats = range(10_000, 10_050)
    await asyncio.gather(
        *(
            stack.adapter.sender.send_post(Destination("telegram", str(chat)), post, "ar")
            for chat in chats
        )
    )
    sends = sorted(call.at for call in stack.fake.calls_of("sendMessage"))
    assert len(sends) == 50
    window = (
        0.25  # a bucket of 30 that drains 30/s lets at most 30 + 30 * window through in any window
    )
    busiest = max(sum(1 for at in sends if start <= at < start + window) for start in sends)
    assert busiest <= 30 + 30 * window + 1
