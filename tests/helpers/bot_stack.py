"""The platform-neutral half of a whole-bot test stack, shared by the Telegram and Discord conftests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.core import Core
from bot.news.http import make_client
from bot.pipeline import Pipeline
from bot.store import Store
from bot.summarizing import build_summarizer

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
    """Store, pipeline and a started core, wired as the CLI wires them, with their closers."""
    store = await asyncio.to_thread(Store, config.storage.url)
    http = make_client(config.fetch)
    summarizer = build_summarizer(config.summarizer)
    pipeline = Pipeline(config, store, summarizer, http)
    core = Core(config, store, pipeline, summarizer)
    await core.start()
    return store, pipeline, core, [lambda: asyncio.to_thread(store.close), http.aclose]
