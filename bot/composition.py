"""The composition root: config → store → summarizer → pipeline → core → adapters, built once.

Every CLI command and the tests' fixtures wire the bot here, so there is one way to build it.
Each piece gets its collaborators as arguments; nothing below builds its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from bot.adapters import Adapter, build_adapters
from bot.config import Config
from bot.core.admin import Admin
from bot.core.context import CoreContext, Reschedule
from bot.core.delivery import Deliverer
from bot.core.qa import Answerer, QuestionAnswering
from bot.core.service import Core
from bot.core.subscriptions import Subscriptions
from bot.core.summary import Pipeline as SummaryPipeline
from bot.core.summary import SummaryCommand
from bot.errors import ReportFatal
from bot.news.http import make_client
from bot.news.safety import Resolver, system_resolve
from bot.pipeline import Pipeline
from bot.scheduler import Scheduler
from bot.store import Store
from bot.summarizing import build_summarizer
from summarizer import Summarizer
from summarizer.qa import answer


@dataclass(slots=True)
class Services:
    """Everything a command runs on, opened and closed together."""

    config: Config
    store: Store
    summarizer: Summarizer
    http: httpx.AsyncClient
    pipeline: Pipeline
    scheduler: Scheduler
    core: Core

    def adapters(self, report_fatal: ReportFatal) -> list[Adapter]:
        """The console adapter and every enabled platform's, over this core."""
        return build_adapters(self.config, self.core, report_fatal)


def build_core(
    config: Config,
    store: Store,
    pipeline: SummaryPipeline,
    summarizer: Summarizer,
    *,
    answerer: Answerer = answer,
    reschedule: Reschedule | None = None,
) -> Core:
    """The core and its features over one shared context."""
    context = CoreContext(config=config, store=store, reschedule=reschedule)
    return Core(
        context,
        subscriptions=Subscriptions(context),
        delivery=Deliverer(context),
        summary=SummaryCommand(context, pipeline, summarizer),
        qa=QuestionAnswering(context, config.qa.to_options(), answerer),
        admin=Admin(context),
    )


async def open_store(config: Config) -> Store:
    """The migrated database (blocking work off the loop); unreachable → DatabaseUnavailable."""
    return await asyncio.to_thread(Store, config.storage.url)


@asynccontextmanager
async def open_services(
    config: Config,
    *,
    summarizer: Summarizer | None = None,
    answerer: Answerer = answer,
    resolve: Resolver = system_resolve,
) -> AsyncIterator[Services]:
    """Opens the database, the summarizer and the shared HTTP client; wires the rest; closes all."""
    store = await open_store(config)
    try:
        if summarizer is None:
            summarizer = await asyncio.to_thread(build_summarizer, config.summarizer)
        async with make_client(config.fetch) as http:
            pipeline = Pipeline(config, store, summarizer, http, resolve=resolve)
            scheduler = Scheduler(pipeline, store)
            core = build_core(
                config,
                store,
                pipeline,
                summarizer,
                answerer=answerer,
                # with external workers, each tick reads schedules from the store itself
                reschedule=None if config.workers.external else scheduler.reschedule,
            )
            yield Services(config, store, summarizer, http, pipeline, scheduler, core)
    finally:
        store.close()
