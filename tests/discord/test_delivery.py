"""Posts to channels, threads and forums: exactly once, within Discord's limits, mentions off."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.adapters.discord.adapter import RATE_LIMIT_PATIENCE_S
from bot.adapters.discord.embeds import source_colour
from bot.core import Destination, Post
from bot.flow.triggers import digest_schedules
from bot.i18n import t
from tests.discord.conftest import NEWS_LATER as NEWS
from tests.discord.conftest import DiscordStack, StackFactory, make_config, write_article
from tests.helpers.fake_discord import (
    ADMIN_ID,
    FORUM_CHANNEL_ID,
    TEXT_CHANNEL_ID,
    THREAD_ID,
    FakeDiscord,
    limit_errors,
)

CHANNEL_MESSAGES = rf"/channels/{TEXT_CHANNEL_ID}/messages"


async def subscribed_with_news(bot: DiscordStack, channel: int = TEXT_CHANNEL_ID) -> None:
    """The channel subscribes, then a new article arrives and is summarized."""
    await bot.command("subscribe", {"channel": channel}, admin=True)
    write_article(Path(bot.config.sources[0].path), "lab.md", NEWS)
    assert await bot.fetch()


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
async def test_new_summary_goes_to_a_subscribed_channel_once(bot: DiscordStack) -> None:
    await subscribed_with_news(bot)
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    assert await bot.core.deliver_new(bot.adapter.sender) == 0
    [body] = bot.fake.sent(TEXT_CHANNEL_ID)
    [embed] = body["embeds"]
    assert embed["title"] == "Startup opens an Arabic speech lab"
    assert "speech lab" in embed["description"]
    assert embed["footer"]["text"] == t("post.source", "en", source="local")
    assert embed["color"] == source_colour("local").value
    assert body["allowed_mentions"] == {"parse": []}


async def test_a_thread_subscription_posts_into_the_thread(bot: DiscordStack) -> None:
    await subscribed_with_news(bot, THREAD_ID)
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    assert len(bot.fake.sent(THREAD_ID)) == 1


async def test_a_forum_subscription_opens_one_post_per_article(bot: DiscordStack) -> None:
    await subscribed_with_news(bot, FORUM_CHANNEL_ID)
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    [thread] = bot.fake.calls("POST", rf"/channels/{FORUM_CHANNEL_ID}/threads")
    assert thread.status == 200
    assert thread.body["name"] == "Startup opens an Arabic speech lab"
    assert thread.body["message"]["embeds"][0]["title"] == "Startup opens an Arabic speech lab"


async def test_a_digest_channel_gets_its_pending_summaries_on_schedule(bot: DiscordStack) -> None:
    await subscribed_with_news(bot)
    await bot.command("schedule", {"schedule": "chat 0 9 * * *"}, admin=True)
    assert await bot.core.deliver_new(bot.adapter.sender) == 0  # digests wait for their time
    [subscription_id] = await digest_schedules(bot.store)
    assert (await bot.store.subscriptions.get(subscription_id)).destination.platform == "discord"
    assert await bot.core.deliver_digest(bot.adapter.sender, subscription_id) == 1
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1


async def test_a_huge_article_stays_within_every_embed_limit(bot: DiscordStack) -> None:
    await bot.command("subscribe", admin=True)
    title = "Giant " + " ".join(["headline"] * 400)
    sentence = "The regulator published a very long report about chips and phones and prices. "
    write_article(Path(bot.config.sources[0].path), "huge.md", f"# {title}\n\n{sentence * 26_000}")
    assert await bot.fetch()
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    [body] = bot.fake.sent(TEXT_CHANNEL_ID)
    assert not limit_errors(body)
    title_sent = body["embeds"][0]["title"]
    assert len(title_sent) <= 256 and title_sent.endswith(" headline…")


async def test_a_huge_summary_is_cut_at_a_sentence_within_the_limits(bot: DiscordStack) -> None:
    sentence = "Each sentence of this summary says **something** about chips. "
    post = Post(1, 1, "T " * 2000, None, "source " * 200, sentence * 32_000, "en", None)
    dest = Destination("discord", str(TEXT_CHANNEL_ID), kind="channel")
    await bot.adapter.sender.send_post(dest, post, "en")
    [body] = bot.fake.sent(TEXT_CHANNEL_ID)
    assert not limit_errors(body)
    description = body["embeds"][0]["description"]
    assert len(description) > 3000 and description.endswith("about chips.")


async def test_everyone_in_a_title_never_pings(bot: DiscordStack) -> None:
    await bot.command("subscribe", admin=True)
    write_article(
        Path(bot.config.sources[0].path),
        "ping.md",
        "# @everyone **free** GPUs\n\n" + NEWS.split("\n\n")[1],
    )
    assert await bot.fetch()
    await bot.core.deliver_new(bot.adapter.sender)
    [body] = bot.fake.sent(TEXT_CHANNEL_ID)
    assert body["allowed_mentions"] == {"parse": []}
    assert body["embeds"][0]["title"] == "@\u200beveryone \\*\\*free\\*\\* GPUs"
    dest = Destination("discord", str(TEXT_CHANNEL_ID), kind="channel")
    await bot.adapter.sender.send_text(dest, "@everyone look")
    [_, text] = bot.fake.sent(TEXT_CHANNEL_ID)
    assert text["content"] == "@\u200beveryone look" and text["allowed_mentions"] == {"parse": []}
    assert not any(message["mention_everyone"] for message in bot.fake.world.messages.values())


@pytest.mark.parametrize("is_global", [False, True])
async def test_a_429_is_waited_out_and_the_post_still_goes_once(
    bot: DiscordStack, is_global: bool
) -> None:
    await subscribed_with_news(bot)
    bot.fake.fail("POST", CHANNEL_MESSAGES, 429, retry_after=0.05, is_global=is_global)
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    assert [call.status for call in bot.fake.calls("POST", CHANNEL_MESSAGES)] == [429, 200]


async def test_a_429_longer_than_our_patience_defers_the_post_to_the_next_round(
    bot: DiscordStack,
) -> None:
    await subscribed_with_news(bot)
    bot.fake.fail("POST", CHANNEL_MESSAGES, 429, retry_after=RATE_LIMIT_PATIENCE_S + 60)
    assert await bot.core.deliver_new(bot.adapter.sender) == 0  # not slept on
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    assert [call.status for call in bot.fake.calls("POST", CHANNEL_MESSAGES)] == [429, 200]


async def test_long_text_is_split_into_messages_within_the_content_limit(
    bot: DiscordStack,
) -> None:
    dest = Destination("discord", str(TEXT_CHANNEL_ID), kind="channel")
    text = "The digest mentions chips and phones and prices today. " * 120
    await bot.adapter.sender.send_text(dest, text)
    bodies = bot.fake.sent(TEXT_CHANNEL_ID)
    assert len(bodies) > 1 and not any(limit_errors(body) for body in bodies)
    assert all(body["content"].endswith("today.") for body in bodies)


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
async def test_a_403_deactivates_the_subscription_and_tells_the_admins(bot: DiscordStack) -> None:
    await subscribed_with_news(bot)
    bot.fake.fail("POST", CHANNEL_MESSAGES, 403)
    assert await bot.core.deliver_new(bot.adapter.sender) == 0
    [dm] = bot.fake.calls("POST", r"/users/@me/channels")
    assert int(dm.body["recipient_id"]) == ADMIN_ID
    [notice] = bot.fake.sent(max(bot.fake.world.channels))
    assert str(TEXT_CHANNEL_ID) in notice["content"]
    write_article(Path(bot.config.sources[0].path), "later.md", NEWS.replace("Sunday", "Monday"))
    await bot.fetch()
    assert await bot.core.deliver_new(bot.adapter.sender) == 0  # no longer subscribed
    assert bot.fake.sent(TEXT_CHANNEL_ID) == []


async def test_a_5xx_defers_the_post_to_the_next_round(bot: DiscordStack) -> None:
    await subscribed_with_news(bot)
    bot.fake.fail("POST", CHANNEL_MESSAGES, 503)
    assert await bot.core.deliver_new(bot.adapter.sender) == 0
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1


async def test_without_admins_the_notice_is_logged(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(tmp_path, fake)
    config.admins.discord.clear()
    stack = await start_bot(config)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord.sender"):
        await stack.adapter.sender.notify_admins("channel 1 lost")
    assert "channel 1 lost" in caplog.text
    assert not fake.calls("POST", r"/users/@me/channels")
