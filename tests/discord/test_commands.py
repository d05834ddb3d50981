"""Slash commands: synced from the core's table, deferred, answered through followups."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.discord.embeds import escape
from bot.core import COMMANDS
from bot.i18n import t
from tests.discord.conftest import DiscordStack, StackFactory, make_config
from tests.helpers.fake_discord import (
    APP_ID,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    TEXT_CHANNEL_ID,
    FakeDiscord,
)


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


@pytest.mark.parametrize("name", ["sources", "status", "pause", "resume"])
async def test_admin_commands_refuse_members_without_manage_server(
    bot: DiscordStack, name: str
) -> None:
    bodies = await bot.command(name)
    assert texts(bodies) == said("error.admin_only")


async def test_admin_commands_work_with_manage_server(bot: DiscordStack) -> None:
    assert texts(await bot.command("pause", admin=True)) == said("pause.done")
    assert await bot.core.is_paused("discord")
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


async def test_ask_without_a_message_explains_how_to_ask(bot: DiscordStack) -> None:
    bodies = await bot.command("ask", {"question": "What?"})
    assert texts(bodies) == said("error.ask_needs_reply")


async def test_an_unexpected_failure_gets_an_apology_never_a_traceback(
    bot: DiscordStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.core, "handle", broken)
    bodies = await bot.command("help")
    assert texts(bodies) == said("error.generic")
