"""Platform adapters. Each is an object with `platform`, `sender`, `async start()`, `async stop()`.

The composition root builds them here from config; platform packages are imported only when
enabled, so a console-only run needs neither Telegram nor Discord libraries to be configured.
Each platform package exposes `create_adapter(config, core) -> Adapter`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from bot.config import TOKEN_VARIABLES, secret_from_env
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config import Config
    from bot.core.delivery import Sender
    from bot.core.service import Core


class Adapter(Protocol):
    """What `khulasa run` starts, stops and delivers through."""

    platform: str
    sender: Sender

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_adapters(config: Config, core: Core) -> list[Adapter]:
    """The console adapter plus every platform enabled in config, in start order."""
    from bot.adapters.console import ConsoleAdapter

    adapters: list[Adapter] = [ConsoleAdapter(core)]
    for platform in ("telegram", "discord"):
        if getattr(config, platform).enabled:
            adapters.append(_platform_adapter(platform, config, core))
    return adapters


def require_tokens(config: Config) -> None:
    """Raises TokenError (exit 2) when an enabled platform's token variable is unset.

    `khulasa run` calls it before opening anything, so a missing token is one line and exit 2
    rather than a failure after the database and model are loaded.
    """
    for platform, variable in TOKEN_VARIABLES.items():
        if getattr(config, platform).enabled:
            secret_from_env(variable, what=f"{platform}.enabled")


def _platform_adapter(platform: str, config: Config, core: Core) -> Adapter:
    module = importlib.import_module(f"bot.adapters.{platform}")
    create = getattr(module, "create_adapter", None)
    if create is None:
        raise ConfigError(f"{platform}.enabled is true but this build has no {platform} adapter")
    return create(config, core)
