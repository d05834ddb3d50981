"""Runtime wiring shared by `digest` and `run`: store, HTTP client, summarizer and pipeline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Config
from bot.news.http import make_client
from bot.pipeline import Pipeline
from bot.store import Store
from bot.summarizing import build_summarizer


@dataclass(slots=True)
class Runtime:
    """The collaborators every long or short run needs, opened and closed together."""

    config: Config
    store: Store
    pipeline: Pipeline


@asynccontextmanager
async def open_runtime(config: Config) -> AsyncIterator[Runtime]:
    """Opens the database (migrated), the shared HTTP client and the summarizer; closes them."""
    store = await asyncio.to_thread(Store, config.storage.url)
    try:
        summarizer = await asyncio.to_thread(build_summarizer, config.summarizer)
        async with make_client(config.fetch) as http:
            yield Runtime(config, store, Pipeline(config, store, summarizer, http))
    finally:
        store.close()
