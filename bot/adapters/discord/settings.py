"""The `discord:` config section; light, so loading a config never imports discord.py."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.sections import PlatformSection, PlatformSpec


class DiscordConfig(PlatformSection):
    api_base_url: str | None = None
    gateway_url: str | None = None
    sync_guild: int | None = None  # sync slash commands to one guild only (instant, for testing)
    answer_in_thread: bool = False
    shard_count: int | None = Field(None, ge=1)  # shards of the whole bot; null: no sharding
    shard_ids: list[int] | None = None  # the shards this process runs; null: all of them

    @model_validator(mode="after")
    def _valid_shards(self) -> DiscordConfig:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("'shard_ids' needs 'shard_count'")
        if not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("'shard_ids' must list distinct shard numbers")
        if not all(0 <= shard < self.shard_count for shard in self.shard_ids):
            raise ValueError(f"'shard_ids' must lie in 0..{self.shard_count - 1}")
        return self


PLATFORM = PlatformSpec(
    name="discord",
    section=DiscordConfig,
    token_variable="DISCORD_BOT_TOKEN",
    module="bot.adapters.discord.adapter",
)
