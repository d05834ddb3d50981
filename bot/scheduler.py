"""Timed work with APScheduler 3: a fetch job per source, a digest job per digest subscription.

The scheduler never imports the core: delivery happens through callbacks the composition root
attaches (`on_new_summaries`, `on_digest`). Job ids are fixed (`fetch:<source>`,
`digest:<subscription id>`), so reloading replaces jobs instead of piling them up.

Schedule precedence (docs/adr/004): a schedule an admin changes at run time is stored and beats
the file's value across restarts, until the file's value for the same entry changes; then the
file's newer value wins and the override is dropped (`bot.store.schedules`).

Jobs survive a database outage: a job that finds the database unavailable ends quietly (the
store logs the outage once) and its work is still queued in the database for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Config, SourceConfig
from bot.errors import DatabaseUnavailable
from bot.hooks import call_each
from bot.pipeline import Pipeline
from bot.schedules import parse_schedule
from bot.store import IMMEDIATE, ScheduleTarget, Store

log = logging.getLogger(__name__)

SummariesCallback = Callable[[list[int]], Awaitable[None] | None]
DigestCallback = Callable[[int, str], Awaitable[None] | None]  # (subscription id, platform)
MISFIRE_GRACE_SECONDS = 300
SHUTDOWN_GRACE_SECONDS = 30.0


def fetch_job_id(source: str) -> str:
    return f"fetch:{source}"


def digest_job_id(subscription_id: int) -> str:
    return f"digest:{subscription_id}"


class Scheduler:
    """Keeps one job per source and per digest subscription in step with config and database."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: Store,
        *,
        timezone: str = "UTC",
        misfire_grace_time: int = MISFIRE_GRACE_SECONDS,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.timezone = timezone
        self.aps = AsyncIOScheduler(
            timezone=timezone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": misfire_grace_time,
            },
        )
        self._sources: dict[str, SourceConfig] = {}
        self._schedules: dict[str, str] = {}  # job id -> schedule string it was added with
        self._summary_callbacks: list[SummariesCallback] = []
        self._digest_callbacks: list[DigestCallback] = []
        self._running: set[asyncio.Task[Any]] = set()
        self._missed_fetches: set[str] = set()  # fetch jobs that met a database outage

    def on_new_summaries(self, callback: SummariesCallback) -> None:
        """Called with new summary ids after a fetch job (the core's immediate delivery)."""
        self._summary_callbacks.append(callback)

    def on_digest(self, callback: DigestCallback) -> None:
        """Called with (subscription id, platform) when a digest subscription's time comes."""
        self._digest_callbacks.append(callback)

    def start(self, *, paused: bool = False) -> None:
        """Starts the job store on the running loop; `paused` holds firing (tests, maintenance)."""
        self.aps.start(paused=paused)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stops new jobs, lets running ones finish (cancelled after `grace` seconds).

        APScheduler's asyncio executor cancels the jobs still running when it shuts down, so it
        is only paused while they finish, and shut down after.
        """
        if self.aps.running:
            self.aps.pause()
        done: set[asyncio.Task[Any]] = set()
        pending: set[asyncio.Task[Any]] = set()
        if self._running:
            done, pending = await asyncio.wait(set(self._running), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        if self.aps.running:
            self.aps.shutdown(wait=False)
        if done or pending:
            log.info("scheduler stopped: %d job(s) finished, %d cancelled", len(done), len(pending))

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.aps.get_jobs())

    def next_run(self, job_id: str) -> datetime | None:
        job = self.aps.get_job(job_id)
        return job.next_run_time if job is not None else None

    async def apply(self, config: Config) -> None:
        """Adds, replaces and removes fetch jobs to match the config (at start and on reload)."""
        enabled = {source.name: source for source in config.sources if source.enabled}
        schedules = await self.store.schedules.effective_source_schedules(
            {name: source.schedule for name, source in enabled.items()}
        )
        self._sources = enabled
        for name, schedule in schedules.items():
            self._put_job(fetch_job_id(name), schedule, self.run_fetch, name, run_now=True)
        self._drop_jobs("fetch:", {fetch_job_id(name) for name in enabled})
        await self.sync_digests()

    async def sync_digests(self) -> None:
        """Matches digest jobs to the active digest subscriptions in the database (cheap; polled)."""
        views = await self.store.subscriptions.active(immediate=False)
        wanted = {view.id: view for view in views if _valid(view.schedule, view.id)}
        for subscription_id, view in wanted.items():
            self._put_job(
                digest_job_id(subscription_id),
                view.schedule,
                self.run_digest,
                subscription_id,
                view.destination.platform,
            )
        self._drop_jobs("digest:", {digest_job_id(sid) for sid in wanted})

    async def reschedule(self, target_kind: ScheduleTarget, target: str, schedule: str) -> None:
        """Applies a schedule an admin changed at run time; the override itself is persisted.

        For sources the override row is (re)written here too, so callers other than the core
        get persistence; writing the same row twice is harmless.
        """
        if schedule != IMMEDIATE:
            parse_schedule(schedule, self.timezone)  # a ValueError before anything changes
        if target_kind == ScheduleTarget.SOURCE:
            source = self._sources.get(target)
            if source is None:
                raise KeyError(f"no enabled source named {target!r}")
            await self.store.schedules.set_override(
                ScheduleTarget.SOURCE, source.name, schedule, file_value=source.schedule
            )
            self._put_job(fetch_job_id(target), schedule, self.run_fetch, target)
        else:
            await self.sync_digests()
        log.info("rescheduled %s %s to %r", target_kind, target, schedule)

    async def run_fetch(self, source_name: str) -> list[int]:
        """One fetch job: fetch the source, summarize what is new, hand new summaries on."""
        source = self._sources.get(source_name)
        if source is None:
            return []
        async with self._tracked():
            try:
                await self.pipeline.fetch_source_logged(source)
                summary_ids = await self.pipeline.summarize_pending()
            except DatabaseUnavailable:
                log.info("fetch job %s waits for the database", source_name)
                self._missed_fetches.add(source_name)
                return []
            self._missed_fetches.discard(source_name)
            if summary_ids:
                await call_each(self._summary_callbacks, summary_ids)
            return summary_ids

    async def run_missed(self) -> None:
        """Runs again the fetch jobs that a database outage interrupted."""
        for source_name in sorted(self._missed_fetches):
            await self.run_fetch(source_name)

    async def run_digest(self, subscription_id: int, platform: str) -> None:
        """One digest job: the callbacks deliver the subscription's pending summaries."""
        async with self._tracked():
            await call_each(self._digest_callbacks, subscription_id, platform)

    # --- helpers ---

    def _put_job(
        self,
        job_id: str,
        schedule: str,
        func: Callable[..., Any],
        *args: Any,
        run_now: bool = False,
    ) -> None:
        """Adds the job, or replaces it only when its schedule changed (keeps interval phase)."""
        if self._schedules.get(job_id) == schedule and self.aps.get_job(job_id) is not None:
            return
        is_new = self.aps.get_job(job_id) is None
        extra = {"next_run_time": datetime.now(UTC)} if run_now and is_new else {}
        self.aps.add_job(
            func,
            parse_schedule(schedule, self.timezone),
            id=job_id,
            args=list(args),
            replace_existing=True,
            **extra,
        )
        self._schedules[job_id] = schedule
        log.info("job %s scheduled: %s", job_id, schedule)

    def _drop_jobs(self, prefix: str, keep: set[str]) -> None:
        for job in self.aps.get_jobs():
            if job.id.startswith(prefix) and job.id not in keep:
                job.remove()
                self._schedules.pop(job.id, None)
                log.info("job %s removed", job.id)

    def _tracked(self) -> _TrackedTask:
        return _TrackedTask(self._running)


class _TrackedTask:
    """Registers the current task while a job runs, so shutdown can wait for it."""

    def __init__(self, running: set[asyncio.Task[Any]]) -> None:
        self._running = running
        self._task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> None:
        self._task = asyncio.current_task()
        if self._task is not None:
            self._running.add(self._task)

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._running.discard(self._task)


def _valid(schedule: str, subscription_id: int) -> bool:
    try:
        parse_schedule(schedule)
    except ValueError:
        log.warning(
            "subscription %s has an unusable schedule %r; no digest job", subscription_id, schedule
        )
        return False
    return True
