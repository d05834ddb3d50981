"""The platform-neutral half of a whole-bot test stack, shared by the Telegram and Discord conftests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.composition import open_services
from bot.config import Config
from bot.core import Core
from bot.flow import Flow, tasks
from bot.flow.local import LocalEngine
from bot.pipeline import Pipeline
from bot.store import Store
from bot.story_desk import StoryDesk
from summarizer.stories import load_embedder
from tests.helpers.tables import all_summaries

Closer = Callable[[], Awaitable[Any]]
shared_embedder = cache(load_embedder)  # one model per test session, not one per test


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
        """Fetches every enabled source and summarizes, as `khulasa run` does: new summary ids."""
        return await run_flow(self.config, self.store, self.pipeline, self.core)

    async def stop(self) -> None:
        """Closes newest first, so the adapter goes before the store it writes to; idempotent."""
        for close in reversed(self.closers):
            await close()
        self.closers.clear()


async def run_flow(config: Config, store: Store, pipeline: Pipeline, core: Core) -> list[int]:
    """The fetch and summarize tasks of every enabled source, run to completion in process."""
    before = {item.summary_id for item in await all_summaries(store)}
    desk = StoryDesk.from_config(config, store, embedder_factory=shared_embedder)
    engine = LocalEngine(Flow(config, store, pipeline, core, desk=desk))
    for source in config.sources:
        if source.enabled:
            await engine.defer(tasks.fetch, source=source.name)
    await engine.run_until_idle()
    after = await all_summaries(store)
    return [item.summary_id for item in after if item.summary_id not in before]


async def start_core(config: Config) -> tuple[Store, Pipeline, Core, list[Closer]]:
    """Store, pipeline and a started core, wired by the composition root, with their closer."""
    opened = AsyncExitStack()
    services = await opened.enter_async_context(open_services(config))
    await services.core.start()
    return services.store, services.pipeline, services.core, [opened.aclose]
