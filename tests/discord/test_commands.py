"""Slash commands: synced from the core's table, deferred, answered through followups."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.adapters.discord.embeds import escape
from bot.core import COMMANDS
from bot.i18n import t
from tests.discord.conftest import (
    ARTICLE,
    NEWS_LATER,
    DiscordStack,
    StackFactory,
    make_config,
    write_article,
)
from tests.helpers.fake_discord import (
    APP_ID,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    READER_ID,
    TEXT_CHANNEL_ID,
    FakeDiscord,
)
from tests.helpers.feed_server import FeedServer

QUESTION = "When do the processors ship?"


def texts(bodies: list[dict]) -> str:
    return "\n".join(body.get("content") or "" for body in bodies)


def said(key: str, **params: object) -> str:
    """A catalog text as the adapter sends it: markdown-escaped."""
    return escape(t(key, "en", **params))


async def test_start_syncs_every_table_command_globally(bot: DiscordStack) -> None:
    [sync] = bot.fake.calls("PUT", rf"/applications/{APP_ID}/commands")
    assert [command["name"] for command in sync.body] == [spec.name for spec in COMMANDS]
    assert sync.status == 200


async def test_sync_guild_syncs_to_that_guild_only(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    await start_bot(make_config(tmp_path, fake, sync_guild=GUILD_ID))
    [sync] = fake.calls("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    assert {command["name"] for command in sync.body} == {spec.name for spec in COMMANDS}
    assert not fake.calls("PUT", rf"/applications/{APP_ID}/commands")


async def test_arabic_descriptions_by_default_and_english_as_localization(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    await start_bot(make_config(tmp_path, fake, language="ar"))
    [sync] = fake.calls("PUT", rf"/applications/{APP_ID}/commands")
    summary = next(command for command in sync.body if command["name"] == "summary")
    assert summary["description"] == t("cmd.summary.help", "ar")
    assert summary["description_localizations"]["en-US"] == t("cmd.summary.help", "en")
    assert summary["options"][0]["description"] == t("cmd.summary.args", "ar")


async def test_summary_defers_then_posts_each_summary_as_an_embed(bot: DiscordStack) -> None:
    [body] = await bot.command("summary")
    [callback] = bot.fake.calls("POST", r"/interactions/\d+/[^/]+/callback")
    assert callback.body["type"] == 5  # deferred: "thinking…"
    [embed] = body["embeds"]
    assert embed["title"] == "Chipmaker ships a 2nm processor early"
    assert "2nm" in embed["description"]
    assert body["allowed_mentions"] == {"parse": []}


async def test_summary_with_a_count_posts_that_many_latest_summaries(bot: DiscordStack) -> None:
    write_article(Path(bot.config.sources[0].path), "lab.md", NEWS_LATER)
    assert await bot.fetch()
    token = await bot.fake.interaction("summary", {"query": "2"})
    await bot.fake.wait_for(lambda: len(bot.fake.followups(token)) == 2)
    titles = {call.body["embeds"][0]["title"] for call in bot.fake.followups(token)}
    assert titles == {"Chipmaker ships a 2nm processor early", "Startup opens an Arabic speech lab"}


async def test_summary_of_a_link_fetches_the_page_and_posts_it(bot: DiscordStack) -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines()[2:] * 3)
    page = (
        "<html><head><title>Chips ship early</title></head><body><article>"
        f"<h1>Chips ship early</h1>{paragraphs}</article></body></html>"
    )
    server = FeedServer()
    await server.start()
    try:
        url = server.serve("/chips", body=page.encode(), content_type="text/html; charset=utf-8")
        [body] = await bot.command("summary", {"query": url})
    finally:
        await server.close()
    [embed] = body["embeds"]
    assert (embed["title"], embed["url"]) == ("Chips ship early", url)
    assert "2nm" in embed["description"]


async def test_summary_with_a_bad_count_answers_the_localized_error(bot: DiscordStack) -> None:
    bodies = await bot.command("summary", {"query": "999"})
    assert texts(bodies) == said("error.summary_count", max=20)


async def test_subscribe_then_subscriptions_then_unsubscribe(bot: DiscordStack) -> None:
    subscribed = await bot.command("subscribe", {"sources": "local"}, admin=True)
    assert "Subscribed" in texts(subscribed)
    listed = await bot.command("subscriptions", admin=True)
    assert str(TEXT_CHANNEL_ID) in texts(listed) and "local" in texts(listed)
    removed = await bot.command("unsubscribe", admin=True)
    assert texts(removed) == said("unsubscribe.done_all")


async def test_a_plain_member_cannot_subscribe_a_channel(bot: DiscordStack) -> None:
    bodies = await bot.command("subscribe")
    assert texts(bodies) == said("error.chat_admin_only")


async def test_subscribe_a_forum_through_the_channel_option(bot: DiscordStack) -> None:
    await bot.command("subscribe", {"channel": FORUM_CHANNEL_ID}, admin=True)
    listed = await bot.command("subscriptions", {"channel": FORUM_CHANNEL_ID}, admin=True)
    assert str(FORUM_CHANNEL_ID) in texts(listed)


async def test_pictures_registers_its_switch_and_turns_them_off(bot: DiscordStack) -> None:
    [sync] = bot.fake.calls("PUT", rf"/applications/{APP_ID}/commands")
    pictures = next(command for command in sync.body if command["name"] == "pictures")
    assert [option["name"] for option in pictures["options"]] == ["state", "channel"]
    await bot.command("subscribe", admin=True)
    done = await bot.command("pictures", {"state": "off"}, admin=True)
    assert texts(done) == said("pictures.off")
    assert texts(await bot.command("pictures")) == said("pictures.off")


@pytest.mark.parametrize("name", ["sources", "status", "pause", "resume"])
async def test_admin_commands_refuse_members_without_manage_server(
    bot: DiscordStack, name: str
) -> None:
    bodies = await bot.command(name)
    assert texts(bodies) == said("error.admin_only")


async def test_a_member_listed_in_admins_discord_needs_no_manage_server(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    config = make_config(tmp_path, fake)
    config.admins.discord.append(READER_ID)
    bot = await start_bot(config)
    assert texts(await bot.command("status")).startswith(said("status.header", platform="discord"))


async def test_admin_commands_work_with_manage_server(bot: DiscordStack) -> None:
    assert texts(await bot.command("pause", admin=True)) == said("pause.done")
    assert await bot.store.settings.is_paused("discord")
    assert texts(await bot.command("resume", admin=True)) == said("resume.done")
    assert "local" in texts(await bot.command("sources", admin=True))
    assert texts(await bot.command("status", admin=True)).startswith(
        said("status.header", platform="discord")
    )


async def test_schedule_makes_this_channel_a_digest(bot: DiscordStack) -> None:
    await bot.command("subscribe", admin=True)
    bodies = await bot.command("schedule", {"schedule": "chat 0 9 * * *"}, admin=True)
    assert texts(bodies) == said("schedule.chat_done", schedule="0 9 * * *")


async def test_ask_with_a_summary_message_link_answers_from_its_article(bot: DiscordStack) -> None:
    [post] = await bot.command("summary")
    message_id = bot.fake.world.messages and max(bot.fake.world.messages)
    link = f"https://discord.com/channels/{GUILD_ID}/{TEXT_CHANNEL_ID}/{message_id}"
    [answer] = await bot.command(
        "ask", {"question": "When do the processors ship?", "message": link}
    )
    [embed] = answer["embeds"]
    assert "ahead of plan" in embed["description"]
    assert post["embeds"][0]["title"] == embed["title"]


async def test_ask_with_a_bare_message_id_answers_from_its_article(bot: DiscordStack) -> None:
    await bot.command("summary")
    [answer] = await bot.command(
        "ask", {"question": QUESTION, "message": str(max(bot.fake.world.messages))}
    )
    assert "ahead of plan" in answer["embeds"][0]["description"]


async def test_ask_inside_a_forum_post_is_about_its_article(bot: DiscordStack) -> None:
    await bot.command("subscribe", {"channel": FORUM_CHANNEL_ID}, admin=True)
    write_article(Path(bot.config.sources[0].path), "lab.md", NEWS_LATER)
    await bot.fetch()
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    [post] = [
        channel_id
        for channel_id, channel in bot.fake.world.channels.items()
        if channel.get("parent_id") == str(FORUM_CHANNEL_ID)
    ]
    [answer] = await bot.command(
        "ask", {"question": "How many researchers did the lab hire?"}, channel_id=post
    )
    assert "forty researchers" in answer["embeds"][0]["description"]


async def test_ask_answers_in_a_thread_when_configured_and_goes_on_there(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    bot = await start_bot(make_config(tmp_path, fake, answer_in_thread=True))
    await bot.fetch()
    await bot.command("summary")
    post_id = max(fake.world.messages)
    await bot.command("ask", {"question": QUESTION, "message": str(post_id)})
    answer_id = max(fake.world.messages)
    [opened] = await fake.wait_calls(
        "POST", rf"/channels/{TEXT_CHANNEL_ID}/messages/{answer_id}/threads"
    )
    assert opened.body["name"] == "Chipmaker ships a 2nm processor early"
    [more] = await bot.command(
        "ask",
        {"question": "Will prices stay close to the current generation?"},
        channel_id=answer_id,  # the thread: its id is the answer's
    )
    assert "current generation" in more["embeds"][0]["description"]


async def test_replies_follow_the_community_language_not_the_client_locale(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    bot = await start_bot(make_config(tmp_path, fake, language="ar"))
    bodies = await bot.command("summary", {"query": "999"}, locale="en-US")
    assert texts(bodies) == escape(t("error.summary_count", "ar", max=20))


async def test_ask_without_a_message_explains_how_to_ask(bot: DiscordStack) -> None:
    bodies = await bot.command("ask", {"question": "What?"})
    assert texts(bodies) == said("error.ask_needs_reply")


async def test_an_unexpected_failure_gets_an_apology_never_a_traceback(
    bot: DiscordStack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.core, "handle", broken)
    with caplog.at_level(logging.ERROR, logger="bot.adapters.discord.handlers"):
        bodies = await bot.command("help")
    assert texts(bodies) == said("error.generic")
    [record] = [r for r in caplog.records if "slash command help" in r.getMessage()]
    assert record.exc_info and "database on fire" in str(record.exc_info[1])
