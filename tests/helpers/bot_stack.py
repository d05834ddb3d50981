"""The platform-neutral half of a whole-bot test stack, shared by the Telegram and Discord conftests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.composition import open_services
from bot.config import Config
from bot.core import Core
from bot.pipeline import Pipeline
from bot.store import Store

Closer = Callable[[], Awaitable[Any]]


def write_article(folder: Path, name: str, text: str) -> Path:
    """A local source article: first line the title, then the body."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def with_database(config: Config, url: str | None) -> Config:
    """The config with `storage.url` replaced (a test's `database_url`); unchanged for None."""
    if url is None:
        return config
    storage = config.storage.model_copy(update={"url": url})
    return config.model_copy(update={"storage": storage})


@dataclass
class CoreStack:
    """Config, store, pipeline and core behind an adapter, and how to close what was started."""

    config: Config
    store: Store
    pipeline: Pipeline
    core: Core
    closers: list[Closer]

    async def fetch(self) -> list[int]:
        """Runs the pipeline over the local source: new summary ids."""
        return await self.pipeline.run_once()

    async def stop(self) -> None:
        """Closes newest first, so the adapter goes before the store it writes to; idempotent."""
        for close in reversed(self.closers):
            await close()
        self.closers.clear()


async def start_core(config: Config) -> tuple[Store, Pipeline, Core, list[Closer]]:
    """Store, pipeline and a started core, wired by the composition root, with their closer."""
    opened = AsyncExitStack()
    services = await opened.enter_async_context(open_services(config))
    await services.core.start()
    await services.scheduler.apply(config)  # jobs known, not started: tests run them directly
    return services.store, services.pipeline, services.core, [opened.aclose]
