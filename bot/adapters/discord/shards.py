"""Which guilds this process serves when the bot is split into Discord shards.

Discord routes a guild's gateway events to shard `(guild_id >> 22) % shard_count` and direct
messages to shard 0. Each process runs the shards in `discord.shard_ids` and delivers only
to channels of their guilds, so several processes (or machines) share one bot token.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.discord.settings import DiscordConfig
from bot.core import TransientDeliveryError

DM_SHARD = 0  # Discord sends direct-message events to shard 0 only


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord assigns a guild to."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards of one process: `count` in all, of which it runs `ids`."""

    count: int
    ids: tuple[int, ...]

    @classmethod
    def from_config(cls, config: DiscordConfig) -> Shards | None:
        """None when the bot is not sharded (one process serves everything)."""
        if config.shard_count is None:
            return None
        ids = config.shard_ids if config.shard_ids is not None else range(config.shard_count)
        return cls(config.shard_count, tuple(ids))

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether a guild's channels are this process's (None: a DM, served by shard 0)."""
        shard = DM_SHARD if guild_id is None else shard_of(guild_id, self.count)
        return shard in self.ids

    @property
    def leads(self) -> bool:
        """The process running shard 0 does the bot-wide chores (slash command sync)."""
        return DM_SHARD in self.ids


class OtherShard(TransientDeliveryError):
    """The destination's guild belongs to a shard another process runs: skipped, not failed.

    A transient error to the delivery core, so a reserved row is released untouched and the
    process that owns the guild delivers it; `DiscordSender.serves` lets the core skip such
    destinations before reserving anything.
    """
