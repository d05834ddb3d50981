"""The composition root: config → store → summarizer → pipeline → core → flow → adapters, built once.

Every CLI command and the tests' fixtures wire the bot here, so there is one way to build it.
Each piece gets its collaborators as arguments; nothing below builds its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from bot.adapters import Adapter, build_adapters
from bot.config import Config, SummarizerConfig
from bot.core.admin import Admin
from bot.core.context import CoreContext, Reschedule
from bot.core.delivery import Deliverer
from bot.core.qa import Answerer, QuestionAnswering
from bot.core.service import Core
from bot.core.subscriptions import SubscriptionCommands
from bot.core.summary_command import ArticleIntake, SummarizeArticle, SummaryCommand
from bot.errors import ReportFatal
from bot.flow import Engine, Flow, tasks
from bot.flow.local import LocalEngine
from bot.flow.triggers import Clock
from bot.news.http import make_client
from bot.news.safety import Resolver, system_resolve
from bot.pipeline import Pipeline
from bot.store import Store
from bot.story_desk import StoryDesk
from bot.summarizing import build_summarizer
from summarizer import Article, Summarizer, Summary
from summarizer.qa import answer


@dataclass(slots=True)
class Services:
    """Everything a command runs on, opened and closed together.

    `engine` runs the shared work (fetch, summarize, digests): this process's `LocalEngine`, or
    with `workers.external` the PostgreSQL queues. `local` always runs this process's own
    delivery rounds; `clock` is the in-process trigger (None with external workers).
    """

    config: Config
    store: Store
    summarizer: Summarizer
    http: httpx.AsyncClient
    pipeline: Pipeline
    core: Core
    flow: Flow
    engine: Engine
    local: LocalEngine
    clock: Clock | None

    def adapters(self, report_fatal: ReportFatal) -> list[Adapter]:
        """The console adapter and every enabled platform's, over this core."""
        return build_adapters(self.config, self.core, report_fatal)


class LazySummarizer:
    """The configured summarizer, built on first use: `khulasa run` with external workers
    leaves articles to the workers and loads no model unless a reader sends a text."""

    def __init__(self, config: SummarizerConfig) -> None:
        self.config = config
        self.name = config.backend
        self._built: Summarizer | None = None

    def load(self) -> None:
        self._model().load()

    def summarize(self, articles: list[Article]) -> list[Summary]:
        return self._model().summarize(articles)

    def _model(self) -> Summarizer:
        if self._built is None:
            self._built = build_summarizer(self.config)
            self.name = self._built.name
        return self._built


def build_core(
    config: Config,
    store: Store,
    pipeline: ArticleIntake,
    summarizer: Summarizer,
    summarize_article: SummarizeArticle,
    *,
    answerer: Answerer = answer,
    reschedule: Reschedule | None = None,
) -> Core:
    """The core and its features over one shared context."""
    context = CoreContext(config=config, store=store, reschedule=reschedule)
    return Core(
        context,
        subscriptions=SubscriptionCommands(context),
        delivery=Deliverer(context),
        summary=SummaryCommand(context, pipeline, summarizer, summarize_article),
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
    external: bool | None = None,
) -> AsyncIterator[Services]:
    """Opens the database, the summarizer, the HTTP client and the engine; wires the rest.

    `external` (default: `workers.external`) puts the shared work on the PostgreSQL queues;
    `khulasa digest` passes False, as it runs everything to completion in process.
    """
    external = config.workers.external if external is None else external
    store = await open_store(config)
    try:
        if summarizer is None:
            summarizer = await asyncio.to_thread(build_summarizer, config.summarizer)
        async with make_client(config.fetch) as http, AsyncExitStack() as opened:
            pipeline = Pipeline(config, store, summarizer, http, resolve=resolve)

            async def summarize_article(article_id: int) -> bool:
                """A reader's URL: the summarize task on that article alone, its story first.

                In process it runs now (True: final); with external workers it is a job on the
                summarize queue, awaited by the command (False), so this process loads no model.
                """
                if external:
                    await engine.defer(tasks.summarize, article_ids=[article_id])
                    return False
                await tasks.summarize(flow, article_ids=[article_id])
                return True

            core = build_core(
                config, store, pipeline, summarizer, summarize_article, answerer=answerer
            )
            flow = Flow(config, store, pipeline, core, desk=StoryDesk.from_config(config, store))
            local = LocalEngine(flow)
            engine: Engine = local
            clock: Clock | None = None
            if external:
                from bot.flow.queued import QueuedEngine

                # the shared work goes on the queues; `local` keeps this process's rounds
                engine = await opened.enter_async_context(QueuedEngine(store, config.workers))
                flow.engine = engine
                # with external workers, each tick reads schedules from the store itself
            else:
                clock = Clock(engine, store, config)
                core.context.reschedule = clock.reschedule
            yield Services(
                config, store, summarizer, http, pipeline, core, flow, engine, local, clock
            )
    finally:
        store.close()
