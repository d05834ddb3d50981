"""When work runs: a trigger defers a task on the engine and does no work itself.

Two kinds, one reading of the schedules (`source_schedules`, `digest_schedules`):
- `Clock`: APScheduler 3 inside `khulasa run` (in-process engine): a job per source
  (`fetch:<source>`) and per digest subscription (`digest:<id>`), fixed ids so a reload
  replaces jobs instead of piling them up.
- `tick`: with external workers, procrastinate's periodic task (deferred once per period
  however many processes run) defers what fell due since the previous tick.

Schedule precedence (docs/adr/004): a schedule an admin changes at run time is stored and beats
the file's value across restarts, until the file's value for the same entry changes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Config
from bot.flow import tasks
from bot.flow.engine import Engine, Task
from bot.recurrence import fired_between, parse_schedule
from bot.store import IMMEDIATE, ScheduleTarget, Store

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 300
SWEEP_AFTER_TICKS = 3  # an article unsummarized this many ticks after its fetch was lost
SWEEP_SECONDS = 600  # in process: how often the clock looks for summaries a failure lost


async def source_schedules(config: Config, store: Store) -> dict[str, str]:
    """Each enabled source's schedule, an admin's stored override first."""
    enabled = {source.name: source.schedule for source in config.sources if source.enabled}
    return await store.schedules.effective_source_schedules(enabled)


async def digest_schedules(store: Store) -> dict[int, str]:
    """Each active digest subscription's schedule; an unreadable one is logged and left out."""
    views = await store.subscriptions.active(immediate=False)
    return {view.id: view.schedule for view in views if _readable(view.schedule, view.id)}


class Clock:
    """APScheduler jobs in step with config and database; each one only defers a task."""

    def __init__(
        self,
        engine: Engine,
        store: Store,
        config: Config,
        *,
        timezone: str = "UTC",
        misfire_grace_time: int = MISFIRE_GRACE_SECONDS,
    ) -> None:
        self.engine = engine
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
        self.config = config
        self._schedules: dict[str, str] = {}  # job id -> schedule string it was added with
        self._firing: set[asyncio.Task[Any]] = set()

    def start(self, *, paused: bool = False) -> None:
        """Starts firing on the running loop; `paused` holds firing (tests, maintenance).

        Beside the schedules, a `sweep` every `SWEEP_SECONDS` re-defers the summaries that a
        failed batch left behind, as the external tick does.
        """
        self.aps.add_job(self._sweep, "interval", seconds=SWEEP_SECONDS, id="sweep")
        self.aps.start(paused=paused)

    async def shutdown(self) -> None:
        """Stops firing; what was deferred is the engine's to finish.

        APScheduler's asyncio executor cancels the jobs still running when it shuts down, so it
        is paused first and the jobs that fired (each one a quick defer) finish.
        """
        if not self.aps.running:
            return
        self.aps.pause()
        await asyncio.sleep(0)  # jobs handed to the loop take their first step
        if self._firing:
            await asyncio.wait(set(self._firing))
        self.aps.shutdown(wait=False)

    async def apply(self, config: Config) -> None:
        """Adds, replaces and removes jobs to match the config (at start and on reload)."""
        self.config = config
        schedules = await source_schedules(config, self.store)
        for name, schedule in schedules.items():
            self._put(f"fetch:{name}", schedule, tasks.fetch, {"source": name}, run_now=True)
        self._drop("fetch:", {f"fetch:{name}" for name in schedules})
        await self.sync_digests()

    async def sync_digests(self) -> None:
        """Matches digest jobs to the active digest subscriptions in the database (cheap; polled)."""
        schedules = await digest_schedules(self.store)
        for subscription_id, schedule in schedules.items():
            ids = {"subscription_id": subscription_id}
            self._put(f"digest:{subscription_id}", schedule, tasks.digest, ids)
        self._drop("digest:", {f"digest:{sid}" for sid in schedules})

    async def reschedule(self, target_kind: ScheduleTarget, target: str, schedule: str) -> None:
        """Applies a schedule an admin changed at run time; the override itself is persisted.

        For sources the override row is (re)written here too, so callers other than the core
        get persistence; writing the same row twice is harmless.
        """
        if schedule != IMMEDIATE:
            parse_schedule(schedule, self.timezone)  # a ValueError before anything changes
        if target_kind == ScheduleTarget.SOURCE:
            source = next((s for s in self.config.sources if s.name == target), None)
            if source is None or not source.enabled:
                raise KeyError(f"no enabled source named {target!r}")
            await self.store.schedules.set_override(
                ScheduleTarget.SOURCE, source.name, schedule, file_value=source.schedule
            )
            self._put(f"fetch:{target}", schedule, tasks.fetch, {"source": target})
        else:
            await self.sync_digests()
        log.info("rescheduled %s %s to %r", target_kind, target, schedule)

    async def _sweep(self) -> None:
        before = int(datetime.now(UTC).timestamp()) - SWEEP_SECONDS
        await self._fire(tasks.sweep, fetched_before=before)

    async def _fire(self, task: Task, **ids: Any) -> None:
        """A job's whole work: defer the task (tracked, so shutdown lets it finish)."""
        current = asyncio.current_task()
        assert current is not None  # APScheduler runs coroutine jobs as tasks
        self._firing.add(current)
        try:
            await self.engine.defer(task, **ids)
        finally:
            self._firing.discard(current)

    def _put(
        self, job_id: str, schedule: str, task: Task, ids: dict[str, Any], *, run_now: bool = False
    ) -> None:
        """Adds the job, or replaces it only when its schedule changed (keeps interval phase)."""
        if self._schedules.get(job_id) == schedule and self.aps.get_job(job_id) is not None:
            return
        is_new = self.aps.get_job(job_id) is None
        extra = {"next_run_time": datetime.now(UTC)} if run_now and is_new else {}
        self.aps.add_job(
            self._fire,
            parse_schedule(schedule, self.timezone),
            id=job_id,
            args=[task],
            kwargs=ids,
            replace_existing=True,
            **extra,
        )
        self._schedules[job_id] = schedule
        log.info("job %s scheduled: %s", job_id, schedule)

    def _drop(self, prefix: str, keep: set[str]) -> None:
        for job in self.aps.get_jobs():
            if job.id.startswith(prefix) and job.id not in keep:
                job.remove()
                self._schedules.pop(job.id, None)
                log.info("job %s removed", job.id)


async def tick(engine: Engine, config: Config, store: Store, timestamp: int, seconds: int) -> None:
    """One period of the external scheduler: defers what fell due in (timestamp - seconds, timestamp]."""
    now = datetime.fromtimestamp(timestamp, UTC)
    after = now - timedelta(seconds=seconds)
    for source, schedule in (await source_schedules(config, store)).items():
        if _fires(schedule, after, now):
            await engine.defer(tasks.fetch, source=source)
            log.info("tick %s: fetch %s deferred", timestamp, source)
    for subscription_id, schedule in (await digest_schedules(store)).items():
        if _fires(schedule, after, now):
            await engine.defer(tasks.digest, subscription_id=subscription_id)
    await engine.defer(tasks.sweep, fetched_before=timestamp - SWEEP_AFTER_TICKS * seconds)


def _fires(schedule: str, after: datetime, until: datetime) -> bool:
    try:
        return fired_between(schedule, after, until)
    except ValueError:
        log.warning("schedule %r cannot be read; nothing deferred for it", schedule)
        return False


def _readable(schedule: str, subscription_id: int) -> bool:
    try:
        parse_schedule(schedule)
    except ValueError:
        log.warning(
            "subscription %s has an unusable schedule %r; no digest job", subscription_id, schedule
        )
        return False
    return True
