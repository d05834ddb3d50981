"""What config sections are made of, shared by `bot.config` and the platforms' own sections.

A platform describes itself with a `PlatformSpec` in its adapter package's light `settings`
module; `bot.platforms` lists them, and the config model gains one section per platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.recurrence import parse_schedule

IMMEDIATE = "immediate"


class SectionModel(BaseModel):
    """A config section: unknown keys are errors, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")


class ChannelConfig(SectionModel):
    """A channel that receives posts without anyone subscribing it from a chat."""

    chat: str  # Telegram: @channelname or numeric id; Discord: channel id
    sources: list[str] = Field(default_factory=list)  # empty = all sources
    schedule: str = IMMEDIATE  # "immediate" or a cron string / interval for digests

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        if value != IMMEDIATE:
            parse_schedule(value)
        return value


class PlatformSection(SectionModel):
    """What every platform section has: a switch and the channels the config subscribes."""

    enabled: bool = False
    channels: list[ChannelConfig] = Field(default_factory=list)
    images: bool | None = None  # the articles' pictures in posts here; null: `posts.images`


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """One platform: its YAML section, its token variable, and the module with its adapter.

    The module exposes `create_adapter(config, core, report_fatal)`; it is imported only when
    enabled.
    """

    name: str
    section: type[PlatformSection]
    token_variable: str
    module: str
    # other secret variables a section names (for check-config's report)
    secret_variables: Callable[[PlatformSection], list[str]] = field(default=lambda _: [])
