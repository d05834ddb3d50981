"""What jobs run on: the process's store and pipeline, and the delivery hooks of `khulasa run`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.jobs.batcher import SummaryBatcher
from bot.pipeline import Pipeline
from bot.schedules import fired_between
from bot.store import Store

log = logging.getLogger(__name__)

DeliverDigest = Callable[[int], Awaitable[None]]


class NotHere(RuntimeError):
    """A job reached a process that cannot run it (a `digest` job without platforms)."""


@dataclass(slots=True)
class JobRuntime:
    """One process's collaborators for jobs; `khulasa run` adds its digest hook."""

    config: Config
    store: Store
    pipeline: Pipeline
    batcher: SummaryBatcher
    on_digest: DeliverDigest | None = None

    @classmethod
    def build(cls, config: Config, store: Store, pipeline: Pipeline) -> JobRuntime:
        batcher = SummaryBatcher(
            pipeline.summarize_articles,
            size=config.summarizer.batch_size,
            wait=config.workers.batch_wait,
        )
        return cls(config, store, pipeline, batcher)

    @property
    def stalled_after(self) -> float:
        return self.config.workers.stalled_after

    async def fetch(self, source_name: str) -> list[int]:
        """New article ids of one enabled source (a disabled or removed one fetches nothing)."""
        source = next((s for s in self.config.sources if s.name == source_name and s.enabled), None)
        if source is None:
            log.info("fetch job for %s skipped: not an enabled source here", source_name)
            return []
        return await self.pipeline.fetch_source_logged(source)

    async def summarize(self, article_id: int) -> None:
        await self.batcher.submit(article_id)

    async def due_sources(self, after: datetime, until: datetime) -> list[str]:
        """Enabled sources whose schedule (an admin's override first) fires in (after, until]."""
        enabled = {s.name: s.schedule for s in self.config.sources if s.enabled}
        schedules = await self.store.schedules.effective_source_schedules(enabled)
        return [name for name, schedule in schedules.items() if _fires(schedule, after, until)]

    async def due_digests(self, after: datetime, until: datetime) -> list[int]:
        """Active digest subscriptions whose schedule fires in (after, until]."""
        views = await self.store.subscriptions.active(immediate=False)
        return [view.id for view in views if _fires(view.schedule, after, until)]

    async def lost_summaries(self, fetched_before: datetime) -> list[int]:
        """Articles a crash left without a summary job: fetched a while ago, still unsummarized."""
        return await self.store.articles.unsummarized_ids(fetched_before=fetched_before)

    async def deliver_digest(self, subscription_id: int) -> None:
        if self.on_digest is None:
            raise NotHere("digest jobs run in `khulasa run`, which holds the platforms")
        await self.on_digest(subscription_id)


def _fires(schedule: str, after: datetime, until: datetime) -> bool:
    try:
        return fired_between(schedule, after, until)
    except ValueError:
        log.warning("schedule %r cannot be read; nothing deferred for it", schedule)
        return False
