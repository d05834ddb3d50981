"""The Discord adapter: slash commands, embeds and reply follow-ups over the platform-neutral core."""

from bot.adapters.discord.adapter import DiscordAdapter, build_discord_adapter
from bot.adapters.discord.sender import DiscordSender

create_adapter = build_discord_adapter  # the name `bot.adapters.build_adapters` looks up

__all__ = ["DiscordAdapter", "DiscordSender", "build_discord_adapter", "create_adapter"]
