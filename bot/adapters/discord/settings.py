"""The `discord:` config section; light, so loading a config never imports discord.py."""

from __future__ import annotations

from bot.sections import PlatformSection, PlatformSpec


class DiscordConfig(PlatformSection):
    api_base_url: str | None = None
    gateway_url: str | None = None
    sync_guild: int | None = None  # sync slash commands to one guild only (instant, for testing)
    answer_in_thread: bool = False


PLATFORM = PlatformSpec(
    name="discord",
    section=DiscordConfig,
    token_variable="DISCORD_BOT_TOKEN",
    module="bot.adapters.discord.adapter",
)
