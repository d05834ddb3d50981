"""End to end: three feeds report one event at different times; each chat gets one post of it,
edited as sources join, and edits that meet 429, "not modified" or a deleted post never double."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import update
from telegram.ext import AIORateLimiter

from bot.store.models import Delivery
from tests.helpers.fake_telegram import BOT_ID, FakeTelegram, retry_after
from tests.helpers.feed_server import FeedServer, feed_server
from tests.helpers.stories import (
    LAB_AR_1,
    LAB_AR_2,
    LAB_EN,
    MATCH_AR,
    PRICES_EN,
    RAIN_AR,
    feed_sources,
    publish,
)
from tests.telegram.conftest import (
    CHANNEL_ID,
    CHANNEL_NAME,
    READER_AR,
    READER_ID,
    BotStack,
    StackFactory,
    make_config,
)

SENDER_LOG = "bot.adapters.telegram.sender"
SENDS = ("sendMessage", "sendPhoto")
EDITS = ("editMessageText", "editMessageCaption")


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    async for server in feed_server():
        yield server


async def _bot(
    start_bot: StackFactory, tmp_path: Path, fake: FakeTelegram, feeds: FeedServer
) -> BotStack:
    sources = feed_sources(feeds)
    channel = {"chat": f"@{CHANNEL_NAME}"}
    config = make_config(tmp_path, fake, sources=sources, telegram={"channels": [channel]})
    stack = await start_bot(config, rate_limiter=AIORateLimiter(max_retries=0))
    fake.set_member(CHANNEL_ID, BOT_ID, "administrator")
    await stack.core.sync_config_channels("telegram", stack.config.telegram.channels)
    await stack.say(READER_ID, READER_AR, "/subscribe")
    return stack


async def _publish(stack: BotStack, feeds: FeedServer, name: str, *items) -> None:
    await publish(stack, stack.adapter.sender, feeds, name, *items)


def _posts(fake: FakeTelegram, chat: int | str) -> list[str]:
    """The first line (title) of every post sent to a chat, in order."""
    calls = [
        call
        for method in SENDS
        for call in fake.calls_of(method, chat_id=chat)
        if call.ok and "reply_markup" in call.params  # a post has its Ask button; replies not
    ]
    calls.sort(key=lambda call: call.result["message_id"])
    first_lines = [(c.params.get("text") or c.params["caption"]).split("\n")[0] for c in calls]
    return [re.sub(r"<[^>]+>|\u200f", "", line) for line in first_lines]


def _edits(fake: FakeTelegram, chat: int | str) -> list[str]:
    return [
        call.params.get("text") or call.params.get("caption", "")
        for method in EDITS
        for call in fake.calls_of(method, chat_id=chat)
        if call.ok
    ]


async def test_each_chat_gets_one_post_per_story_edited_as_sources_join(
    start_bot: StackFactory, tmp_path: Path, fake: FakeTelegram, feeds: FeedServer
) -> None:
    stack = await _bot(start_bot, tmp_path, fake, feeds)
    await _publish(stack, feeds, "masrawy", (LAB_AR_1, 3), (RAIN_AR, 3))
    await _publish(stack, feeds, "aswat", (MATCH_AR, 2), (LAB_AR_2, 2))
    await _publish(stack, feeds, "wire", (LAB_EN, 1), (PRICES_EN, 1))
    for chat in (READER_ID, f"@{CHANNEL_NAME}"):
        posts = _posts(fake, chat)
        assert sorted(posts) == sorted(
            title for title, _ in (LAB_AR_1, RAIN_AR, MATCH_AR, PRICES_EN)
        ), chat
        first, second = _edits(fake, chat)
        assert "aswat" in first and "wire" not in first
        assert "aswat" in second and "wire" in second and LAB_AR_1[1][:20] in second


async def test_edits_meet_429_not_modified_and_a_deleted_post_without_doubling(
    start_bot: StackFactory,
    tmp_path: Path,
    fake: FakeTelegram,
    feeds: FeedServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stack = await _bot(start_bot, tmp_path, fake, feeds)
    await _publish(stack, feeds, "masrawy", (LAB_AR_1, 3))
    caplog.set_level(logging.INFO, SENDER_LOG)

    caplog.clear()  # a 429 the rate limiter does not wait out: the edit waits for the next round
    fake.fail_next("editMessageText", retry_after(30), times=2)  # the reader's and the channel's
    await _publish(stack, feeds, "aswat", (LAB_AR_2, 2))
    assert _edits(fake, READER_ID) == [] and _lines(caplog, "failed for now") == 2
    caplog.clear()
    await _publish(stack, feeds, "aswat", (LAB_AR_2, 2))  # nothing new: the edit alone
    assert len(_edits(fake, READER_ID)) == 1

    caplog.clear()  # a crash between an edit and its record: edited again, "not modified"
    with stack.store.db.session() as session:
        session.execute(update(Delivery).values(listed_sources=1))
    await _publish(stack, feeds, "aswat", (LAB_AR_2, 2))
    assert _lines(caplog, "already shows story") == 2  # the reader's and the channel's
    assert len(_edits(fake, READER_ID)) == 1

    caplog.clear()  # the reader deletes the post: dropped once, never posted again
    with stack.store.db.session() as session:
        [row] = session.query(Delivery).filter_by(chat_id=str(READER_ID)).all()
    del fake.messages[(READER_ID, int(row.message_id))]
    await _publish(stack, feeds, "wire", (LAB_EN, 1))
    assert _lines(caplog, "cannot be edited") == 1
    await _publish(stack, feeds, "wire", (LAB_EN, 1), (PRICES_EN, 1))
    assert _lines(caplog, "cannot be edited") == 1
    assert _posts(fake, READER_ID).count(LAB_AR_1[0]) == 1
    assert _posts(fake, f"@{CHANNEL_NAME}").count(LAB_AR_1[0]) == 1
    assert len(_edits(fake, f"@{CHANNEL_NAME}")) == 2


def _lines(caplog: pytest.LogCaptureFixture, words: str) -> int:
    return sum(1 for r in caplog.records if r.name == SENDER_LOG and words in r.getMessage())
