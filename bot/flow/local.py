"""The in-process engine: tasks as asyncio tasks of this process (SQLite default, no service).

`khulasa run` and `khulasa digest` use it. Each task name has its own limit of jobs at once;
an identical job still waiting is not queued twice (procrastinate's queueing lock, here in
memory); summarize jobs waiting together become one model batch. A job that meets a database
outage waits, and is deferred again when the database is back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.errors import DatabaseUnavailable
from bot.flow import tasks
from bot.flow.engine import Task
from bot.flow.tasks import Flow

log = logging.getLogger(__name__)

CONCURRENCY = {"fetch": 4}  # jobs at once per task; 1 for the others
STOP_GRACE_SECONDS = 30.0

JobKey = tuple[str, tuple[tuple[str, Any], ...]]


class LocalEngine:
    """`await engine.defer(tasks.fetch, source="x")`: runs soon on this loop; see the module doc."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        flow.engine = self
        self._limits: dict[str, asyncio.Semaphore] = {}
        self._queued: set[JobKey] = set()
        self._running: set[asyncio.Task[None]] = set()
        self._articles: dict[int, None] = {}  # summarize: article ids waiting, in order
        self._summarizing: asyncio.Task[None] | None = None
        self._waiting: list[tuple[Task, dict[str, Any]]] = []  # jobs an outage interrupted
        flow.store.on_recovered(self.retry_waiting)

    async def defer(self, task: Task, **ids: Any) -> None:
        if task is tasks.summarize:
            self._articles.update(dict.fromkeys(ids["article_ids"]))
            if self._summarizing is None or self._summarizing.done():
                self._summarizing = self._spawn(self._summarize_waiting())
            return
        key = _key(task, ids)
        if key in self._queued:
            return  # the same job waits already: it will see whatever this one would
        self._queued.add(key)
        self._spawn(self._run(task, key, ids))

    async def run_until_idle(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def retry_waiting(self) -> None:
        """Defers again the jobs a database outage stopped (on the store's recovery)."""
        waiting, self._waiting = self._waiting, []
        for task, ids in waiting:
            await self.defer(task, **ids)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Lets queued and running jobs finish for `grace` seconds, then cancels the rest."""
        idle = asyncio.ensure_future(self.run_until_idle())
        try:
            await asyncio.wait_for(idle, grace)
        except TimeoutError:
            pending = list(self._running)
            for job in pending:
                job.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            log.info("engine stopped: %d job(s) cancelled after %.0f s", len(pending), grace)

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        job = asyncio.create_task(work)
        self._running.add(job)
        job.add_done_callback(self._running.discard)
        return job

    async def _run(self, task: Task, key: JobKey, ids: dict[str, Any]) -> None:
        name = task.__name__
        limit = self._limits.setdefault(name, asyncio.Semaphore(CONCURRENCY.get(name, 1)))
        async with limit:
            self._queued.discard(key)
            await self._call(task, ids)

    async def _summarize_waiting(self) -> None:
        """One batch at a time (the model is one); ids deferred meanwhile fill the next."""
        size = self.flow.config.summarizer.batch_size
        while self._articles:
            batch = list(self._articles)[:size]
            for article_id in batch:
                del self._articles[article_id]
            await self._call(tasks.summarize, {"article_ids": batch})

    async def _call(self, task: Task, ids: dict[str, Any]) -> None:
        try:
            await task(self.flow, **ids)
        except DatabaseUnavailable:
            log.info("%s %s waits for the database", task.__name__, _shown(ids))
            self._waiting.append((task, ids))
        except Exception:  # one job's failure must not stop the engine or the other jobs
            log.exception("%s %s failed", task.__name__, _shown(ids))


def _key(task: Task, ids: dict[str, Any]) -> JobKey:
    return task.__name__, tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in ids.items())
    )


def _shown(ids: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in ids.items())
