"""Sharding: two processes with disjoint `discord.shard_ids` split the guilds between them.

Each adapter runs against the same fake Discord and the same store, as two `khulasa run`
processes would. Discord routes a guild to shard `(guild_id >> 22) % shard_count`: here the
usual test guild lands on shard 1 and a second guild on shard 0.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord.settings import DiscordConfig
from bot.adapters.discord.shards import OtherShard, Shards, shard_of
from bot.config import ConfigError, parse_config
from bot.core import Destination, Post
from bot.core.types import EditOutcome, PostSource
from tests.discord.conftest import NEWS_LATER, DiscordStack, StackFactory, make_config
from tests.helpers.bot_stack import write_article
from tests.helpers.fake_discord import GUILD_ID, TEXT_CHANNEL_ID, FakeDiscord
from tests.helpers.fake_discord.gateway import IDENTIFY

SECOND_GUILD_ID = GUILD_ID + (1 << 22)
SECOND_CHANNEL_ID = 900000000000000050
COUNT = 2


def channel(channel_id: int) -> Destination:
    return Destination("discord", str(channel_id), kind="channel")


async def two_processes(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord
) -> tuple[DiscordStack, DiscordStack]:
    """Shard 0's process and shard 1's, over one store; each records the interactions it gets."""
    fake.world.add_guild(SECOND_GUILD_ID, "Second guild", SECOND_CHANNEL_ID)
    stacks = []
    for shard in (0, 1):
        config = make_config(tmp_path, fake, shard_count=COUNT, shard_ids=[shard])
        stack = await start_bot(config)
        stack.handled: list[Any] = []  # type: ignore[attr-defined]
        stack.adapter.client.on_interaction = _recorder(stack.handled)  # type: ignore[attr-defined]
        stacks.append(stack)
    return stacks[0], stacks[1]


def _recorder(seen: list[Any]) -> Any:
    async def on_interaction(interaction: discord.Interaction) -> None:
        seen.append(interaction.guild_id)

    return on_interaction


def test_the_two_guilds_sit_on_different_shards() -> None:
    assert shard_of(GUILD_ID, COUNT) == 1
    assert shard_of(SECOND_GUILD_ID, COUNT) == 0


async def test_each_process_identifies_its_shard_and_gets_only_its_guilds(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord
) -> None:
    zero, one = await two_processes(start_bot, tmp_path, fake)
    identified = sorted(tuple(p["d"]["shard"]) for p in fake.gateway.log.ops(IDENTIFY))
    assert identified == [(0, COUNT), (1, COUNT)]
    assert fake.gateway.shards() == [0, 1]
    assert [g.id for g in zero.adapter.client.guilds] == [SECOND_GUILD_ID]
    assert [g.id for g in one.adapter.client.guilds] == [GUILD_ID]
    # The commands are the bot's: only the process running shard 0 syncs them.
    assert len(fake.calls("PUT", r"/applications/\d+/commands")) == 1


async def test_each_guilds_commands_reach_only_its_shards_process(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord
) -> None:
    zero, one = await two_processes(start_bot, tmp_path, fake)
    for channel_id in (TEXT_CHANNEL_ID, SECOND_CHANNEL_ID):
        await zero.command("subscribe", {"channel": channel_id}, channel_id=channel_id, admin=True)
    assert zero.handled == [SECOND_GUILD_ID]  # type: ignore[attr-defined]
    assert one.handled == [GUILD_ID]  # type: ignore[attr-defined]
    routed = [
        (s, g) for s, event, g in fake.gateway.log.dispatched if event == "INTERACTION_CREATE"
    ]
    assert routed == [(1, GUILD_ID), (0, SECOND_GUILD_ID)]


async def test_each_channel_gets_its_post_once_from_its_shards_process(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord
) -> None:
    zero, one = await two_processes(start_bot, tmp_path, fake)
    assert await zero.fetch()  # the sample article, from before anyone subscribed
    for channel_id in (TEXT_CHANNEL_ID, SECOND_CHANNEL_ID):
        await zero.command("subscribe", {"channel": channel_id}, channel_id=channel_id, admin=True)
    write_article(Path(zero.config.sources[0].path), "lab.md", NEWS_LATER)
    assert await zero.fetch()

    assert await zero.adapter.sender.serves(channel(SECOND_CHANNEL_ID))
    assert not await zero.adapter.sender.serves(channel(TEXT_CHANNEL_ID))
    assert await one.adapter.sender.serves(channel(TEXT_CHANNEL_ID))
    assert not await one.adapter.sender.serves(channel(SECOND_CHANNEL_ID))

    assert await zero.core.deliver_new(zero.adapter.sender) == 1  # skips shard 1's channel
    assert len(fake.sent(SECOND_CHANNEL_ID)) == 1
    assert fake.sent(TEXT_CHANNEL_ID) == []  # not sent, and not marked: it is still due
    assert await one.core.deliver_new(one.adapter.sender) == 1
    assert await zero.core.deliver_new(zero.adapter.sender) == 0
    assert await one.core.deliver_new(one.adapter.sender) == 0
    for channel_id in (TEXT_CHANNEL_ID, SECOND_CHANNEL_ID):
        [post] = fake.sent(channel_id)
        assert post["embeds"][0]["title"] == "Startup opens an Arabic speech lab"


async def test_a_story_post_is_edited_only_by_its_shards_process(
    start_bot: StackFactory, tmp_path: Path, fake: FakeDiscord
) -> None:
    zero, one = await two_processes(start_bot, tmp_path, fake)
    sent = Post(1, 1, "Lab", None, "wire", "A lab opens.", "en", None, story_id=1)
    message_id = await one.adapter.sender.send_post(channel(TEXT_CHANNEL_ID), sent, "en")
    grown = replace(sent, also=(PostSource("desk", "Lab opens", None),))
    with pytest.raises(OtherShard):  # shard 1's guild: zero leaves it, with no request
        await zero.adapter.sender.edit_post(channel(TEXT_CHANNEL_ID), message_id, grown, "en")
    assert fake.edits(TEXT_CHANNEL_ID) == []
    edited = await one.adapter.sender.edit_post(channel(TEXT_CHANNEL_ID), message_id, grown, "en")
    assert edited is EditOutcome.EDITED and len(fake.edits(TEXT_CHANNEL_ID)) == 1


def test_shard_ids_default_to_all_shards_and_are_checked() -> None:
    assert Shards.from_config(DiscordConfig()) is None
    assert Shards.from_config(DiscordConfig(shard_count=3)) == Shards(3, (0, 1, 2))
    mine = Shards.from_config(DiscordConfig(shard_count=4, shard_ids=[1, 3]))
    assert mine == Shards(4, (1, 3)) and not mine.leads
    assert not mine.owns_guild(None)  # DMs are shard 0's
    for bad, message in (
        ("{shard_ids: [0]}", "'shard_ids' needs 'shard_count'"),
        ("{shard_count: 2, shard_ids: [2]}", r"'shard_ids' must lie in 0\.\.1"),
        ("{shard_count: 2, shard_ids: [1, 1]}", "distinct"),
        ("{shard_count: 0}", "greater than or equal to 1"),
    ):
        with pytest.raises(ConfigError, match=message):
            parse_config(f"discord: {bad}")
