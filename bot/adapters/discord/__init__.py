"""The Discord adapter: slash commands, embeds and reply follow-ups over the platform-neutral core.

The names below load on first use, so reading the `discord:` config section (`settings`)
never imports discord.py.
"""

from __future__ import annotations

from bot.lazy import lazy_exports

_EXPORTS = {
    "DiscordAdapter": "bot.adapters.discord.adapter",
    "build_discord_adapter": "bot.adapters.discord.adapter",
    "create_adapter": "bot.adapters.discord.adapter",
    "DiscordSender": "bot.adapters.discord.sender",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
