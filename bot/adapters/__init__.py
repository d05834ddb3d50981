"""Platform adapters. Each is an object with `platform`, `sender`, `async start()`, `async stop()`.

Platform packages are imported only when enabled (`bot.platforms` lists them), so a
console-only run loads neither the Telegram nor the Discord library. Each platform adapter module
exposes `create_adapter(config, core, report_fatal) -> Adapter`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.config import Config
    from bot.core.delivery import Sender
    from bot.core.service import Core
    from bot.errors import ReportFatal


class Adapter(Protocol):
    """What `khulasa run` starts, stops and delivers through."""

    platform: str
    sender: Sender

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_adapters(config: Config, core: Core, report_fatal: ReportFatal) -> list[Adapter]:
    """The console adapter plus every platform enabled in config, in start order."""
    from bot.adapters.console import ConsoleAdapter
    from bot.platforms import PLATFORMS

    adapters: list[Adapter] = [ConsoleAdapter(core)]
    for spec in PLATFORMS:
        if config.platform(spec.name).enabled:
            adapters.append(
                importlib.import_module(spec.module).create_adapter(config, core, report_fatal)
            )
    return adapters


def require_tokens(config: Config) -> None:
    """Raises TokenError (exit 2) when an enabled platform's token variable is unset.

    `khulasa run` calls it before opening anything, so a missing token is one line and exit 2
    rather than a failure after the database and model are loaded.
    """
    from bot.config import secret_from_env
    from bot.platforms import PLATFORMS

    for spec in PLATFORMS:
        if config.platform(spec.name).enabled:
            secret_from_env(spec.token_variable, what=f"{spec.name}.enabled")
