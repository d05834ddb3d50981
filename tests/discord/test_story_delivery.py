"""End to end on Discord: three feeds report one event at different times; each subscribed
channel and thread gets one post of it, edited as sources join; a deleted post is dropped."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from tests.discord.conftest import DiscordStack, StackFactory, make_config
from tests.helpers.fake_discord import TEXT_CHANNEL_ID, THREAD_ID, FakeDiscord
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

SENDER_LOG = "bot.adapters.discord.sender"


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    async for server in feed_server():
        yield server


async def _bot(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord, feeds: FeedServer
) -> DiscordStack:
    base = make_config(tmp_path, fake).model_dump(mode="json", exclude={"sources"})
    stack = await start_bot(Config.model_validate({**base, "sources": feed_sources(feeds)}))
    for channel in (TEXT_CHANNEL_ID, THREAD_ID):
        await stack.command("subscribe", {"channel": channel}, admin=True)
    return stack


def _titles(fake: FakeDiscord, channel: int) -> list[str]:
    return [body["embeds"][0]["title"] for body in fake.sent(channel) if body.get("embeds")]


def _edited(fake: FakeDiscord, channel: int) -> list[str]:
    return [
        " ".join(field.get("value", "") for field in body["embeds"][0].get("fields", []))
        + body["embeds"][0].get("description", "")
        for body in fake.edits(channel)
    ]


async def test_each_channel_gets_one_post_per_story_edited_as_sources_join(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord, feeds: FeedServer
) -> None:
    stack = await _bot(start_bot, tmp_path, fake, feeds)
    sender = stack.adapter.sender
    await publish(stack, sender, feeds, "masrawy", (LAB_AR_1, 3), (RAIN_AR, 3))
    await publish(stack, sender, feeds, "aswat", (MATCH_AR, 2), (LAB_AR_2, 2))
    await publish(stack, sender, feeds, "wire", (LAB_EN, 1), (PRICES_EN, 1))
    expected = sorted(title for title, _ in (LAB_AR_1, RAIN_AR, MATCH_AR, PRICES_EN))
    for channel in (TEXT_CHANNEL_ID, THREAD_ID):
        assert sorted(_titles(fake, channel)) == expected, channel
        first, second = _edited(fake, channel)
        assert "aswat" in first and "wire" not in first
        assert "aswat" in second and "wire" in second


async def test_a_deleted_post_is_dropped_once_and_never_posted_again(
    start_bot: StackFactory,
    tmp_path: Path,
    fake: FakeDiscord,
    feeds: FeedServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stack = await _bot(start_bot, tmp_path, fake, feeds)
    sender = stack.adapter.sender
    await publish(stack, sender, feeds, "masrawy", (LAB_AR_1, 3))
    [posted] = [
        message_id
        for message_id, message in fake.world.messages.items()
        if message.get("channel_id") == str(TEXT_CHANNEL_ID) and message.get("embeds")
    ]
    del fake.world.messages[posted]
    caplog.set_level(logging.INFO, SENDER_LOG)
    await publish(stack, sender, feeds, "aswat", (LAB_AR_2, 2))
    await publish(stack, sender, feeds, "wire", (LAB_EN, 1))
    gone = [r for r in caplog.records if r.name == SENDER_LOG and "dropped" in r.getMessage()]
    assert len(gone) == 1
    assert _titles(fake, TEXT_CHANNEL_ID) == [LAB_AR_1[0]]
    assert _edited(fake, TEXT_CHANNEL_ID) == []
    assert len(_edited(fake, THREAD_ID)) == 2
