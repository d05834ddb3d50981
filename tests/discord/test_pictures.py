"""Posts with the article's picture as the embed image; a refused one is dropped, the post kept."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.store.models import ArticleRow, Delivery
from tests.discord.conftest import NEWS_LATER as NEWS
from tests.discord.conftest import DiscordStack, StackFactory, make_config, write_article
from tests.helpers.fake_discord import FORUM_CHANNEL_ID, TEXT_CHANNEL_ID, FakeDiscord

PICTURE = "https://cdn.example.org/lab.jpg"
SENDER_LOG = "bot.adapters.discord.sender"


async def _subscribed_with_news(stack: DiscordStack, channel: int = TEXT_CHANNEL_ID) -> None:
    """The channel subscribes, then a new article with a lead picture is summarized."""
    await stack.command("subscribe", {"channel": channel}, admin=True)
    write_article(Path(stack.config.sources[0].path), "lab.md", NEWS)
    assert await stack.fetch()
    with stack.store.db.session() as session:
        session.query(ArticleRow).update({ArticleRow.image_url: PICTURE})


def _statuses(stack: DiscordStack, path: str) -> list[int]:
    return [call.status for call in stack.fake.calls("POST", path)]


def _deliveries(stack: DiscordStack, channel: int) -> list[str]:
    with stack.store.db.session() as session:
        rows = session.query(Delivery).filter_by(chat_id=str(channel)).order_by(Delivery.id)
        return [row.status for row in rows]


async def test_the_embed_shows_the_articles_picture(bot: DiscordStack) -> None:
    await _subscribed_with_news(bot)
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    [body] = bot.fake.sent(TEXT_CHANNEL_ID)
    assert body["embeds"][0]["image"] == {"url": PICTURE}
    assert "speech lab" in body["embeds"][0]["description"]
    assert bot.fake.images(TEXT_CHANNEL_ID) == [PICTURE]


async def test_a_refused_picture_is_dropped_and_the_post_sent_once(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture
) -> None:
    await _subscribed_with_news(bot)
    bot.fake.refuse_image(PICTURE)
    with caplog.at_level(logging.WARNING, SENDER_LOG):
        assert await bot.core.deliver_new(bot.adapter.sender) == 1
    assert _statuses(bot, rf"/channels/{TEXT_CHANNEL_ID}/messages") == [400, 200]
    [body] = bot.fake.sent(TEXT_CHANNEL_ID)
    assert "image" not in body["embeds"][0] and "speech lab" in body["embeds"][0]["description"]
    assert sum("refused picture" in r.getMessage() for r in caplog.records) == 1
    assert await bot.core.deliver_new(bot.adapter.sender) == 0
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1
    assert _deliveries(bot, TEXT_CHANNEL_ID) == ["sent"]


async def test_a_forum_post_keeps_its_text_when_the_picture_is_refused(bot: DiscordStack) -> None:
    await _subscribed_with_news(bot, FORUM_CHANNEL_ID)
    bot.fake.refuse_image(PICTURE)
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    threads = bot.fake.calls("POST", rf"/channels/{FORUM_CHANNEL_ID}/threads")
    assert [call.status for call in threads] == [400, 200]
    assert "image" not in threads[-1].body["message"]["embeds"][0]


async def test_another_refusal_is_not_retried(bot: DiscordStack) -> None:
    await _subscribed_with_news(bot)
    bot.fake.fail("POST", rf"/channels/{TEXT_CHANNEL_ID}/messages", 403)
    assert await bot.core.deliver_new(bot.adapter.sender) == 0
    assert _statuses(bot, rf"/channels/{TEXT_CHANNEL_ID}/messages") == [403]


@pytest.mark.parametrize(
    ("settings", "image"),
    [
        ({"posts": {"images": False}}, False),
        ({"posts": {"images": True}, "discord": {"images": False}}, False),
        ({"posts": {"images": False}, "discord": {"images": True}}, True),
    ],
    ids=["off", "off-on-discord", "on-on-discord-only"],
)
async def test_pictures_follow_the_config(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord, settings: dict, image: bool
) -> None:
    config = make_config(tmp_path, fake, **settings.get("discord", {}))
    config = config.model_validate({**config.model_dump(), "posts": settings["posts"]})
    stack = await start_bot(config)
    assert await stack.fetch()  # the sample article, before the channel subscribes
    await _subscribed_with_news(stack)
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    assert fake.images(TEXT_CHANNEL_ID) == ([PICTURE] if image else [])
