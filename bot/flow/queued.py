"""The queued engine: the same tasks as procrastinate jobs on the store's PostgreSQL (ADR 008).

With `workers.external`, queues `fetch` and `summarize` are `khulasa worker`'s, `deliver`
(digests) and `schedule` (the periodic tick, sweeps) `khulasa run`'s. Each task of
`bot.flow.tasks` is registered as it is; the process's `Flow` reaches it through the job
context. Summarize jobs carry one article id each, so workers share them, and the jobs one
worker runs at once are collected into one model batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException

from bot import metrics
from bot.config import WorkersConfig
from bot.flow import tasks, triggers
from bot.flow.engine import Task, requires_postgres
from bot.flow.tasks import QUEUES, SCHEDULE, Flow
from bot.store import Store

log = logging.getLogger(__name__)

NAMESPACE = "khulasa"
WORKER_QUEUES = (tasks.FETCH, tasks.SUMMARIZE, SCHEDULE)  # what `khulasa worker --queues` takes
RUN_QUEUES = (tasks.DELIVER, SCHEDULE)  # what `khulasa run` takes with external workers
GRACEFUL_STOP_SECONDS = 60.0  # running jobs get this long after SIGTERM, then they are aborted
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # a worker loop that lost its database restarts
LOCK_KEYS = {"fetch": "source", "digest": "subscription_id"}  # one job waiting per value


class QueuedEngine:
    """The job queues of one process: `async with QueuedEngine(store, config.workers) as engine`.

    Anyone may defer; `work(flow, ...)` takes jobs and runs them on that process's `Flow`.
    """

    def __init__(self, store: Store, workers: WorkersConfig) -> None:
        requires_postgres(store.db.url)
        self.workers = workers
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=store.conninfo, kwargs={"connect_timeout": 5}
            )
        )
        self.app.add_tasks_from(_blueprint(workers.tick_seconds), namespace=NAMESPACE)

    async def __aenter__(self) -> QueuedEngine:
        await self.app.open_async()
        try:
            await self._ensure_schema()
        except BaseException:
            await self.app.close_async()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.app.close_async()

    async def defer(self, task: Task, **ids: Any) -> None:
        """One job per article for summaries; a queueing lock keeps one of each waiting."""
        name = task.__name__
        if name not in QUEUES:
            raise ValueError(f"{name} runs in each process, not on a queue")
        if task is tasks.summarize:
            for article_id in ids["article_ids"]:
                await _defer(self.app, name, f"summarize:{article_id}", article_id=article_id)
            return
        key = LOCK_KEYS.get(name)
        lock = f"{name}:{ids[key]}" if key else name
        await _defer(self.app, name, lock, run_lock=lock if task is tasks.fetch else None, **ids)

    async def run_until_idle(self) -> None:
        raise NotImplementedError("queued jobs run on workers; nothing here waits for them")

    async def work(
        self, flow: Flow, queues: Sequence[str], concurrency: int, stopping: asyncio.Event
    ) -> None:
        """Takes jobs from `queues` until `stopping` is set; running jobs finish first.

        A worker loop that dies (its database connection lost) is restarted with a backoff,
        logged once per restart, so a database outage does not end the process.
        """
        name = f"{socket.gethostname()}:{','.join(queues)}"
        for logger in (f"procrastinate.worker.{name}", "procrastinate.utils"):
            _quiet_outages(logging.getLogger(logger))
        batcher = Batcher(
            flow, size=flow.config.summarizer.batch_size, wait=self.workers.batch_wait
        )
        attempt = 0
        while not stopping.is_set():
            worker = asyncio.create_task(
                self.app.run_worker_async(
                    queues=list(queues),
                    concurrency=concurrency,
                    name=name,
                    install_signal_handlers=False,  # the CLI owns SIGINT/SIGTERM
                    additional_context={"engine": self, "flow": flow, "batcher": batcher},
                    # a few heartbeats fit in `stalled_after`: a live worker is never taken for dead
                    update_heartbeat_interval=self.workers.stalled_after / 4,
                    stalled_worker_timeout=self.workers.stalled_after,
                    shutdown_graceful_timeout=GRACEFUL_STOP_SECONDS,
                    delete_jobs="successful",
                    worker_middleware=[count_failures],
                )
            )
            stop = asyncio.create_task(stopping.wait())
            await asyncio.wait({worker, stop}, return_when=asyncio.FIRST_COMPLETED)
            if stopping.is_set():
                worker.cancel()  # procrastinate's graceful stop: running jobs finish
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
                return
            stop.cancel()
            error = worker.exception()
            delay = RESTART_DELAYS[min(attempt, len(RESTART_DELAYS) - 1)]
            log.warning("job worker stopped (%s); restarting in %.0f s", error, delay)
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)

    async def _ensure_schema(self) -> None:
        """procrastinate's tables beside ours, created by the first process that needs them."""
        if await self._has_schema():
            return
        try:
            await self.app.schema_manager.apply_schema_async()
            log.info("job queue schema created")
        except ConnectorException:
            if not await self._has_schema():  # not another process's concurrent creation
                raise

    async def _has_schema(self) -> bool:
        row = await self.app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
        )
        return bool(row["present"])


async def count_failures(
    call_next: Callable[[], Awaitable[Any]], context: procrastinate.JobContext, worker: Any
) -> Any:
    """Counts each failed job attempt (procrastinate retries it) as a `job` failure."""
    try:
        return await call_next()
    except Exception:
        metrics.failure(metrics.FailureKind.JOB)
        raise


def _blueprint(tick_seconds: int) -> procrastinate.Blueprint:
    """The tasks of `bot.flow.tasks` as jobs, and the periodic tick (the same in every process)."""
    blueprint = procrastinate.Blueprint()
    retry = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)
    cron = "* * * * *" if tick_seconds == 60 else f"* * * * * */{tick_seconds}"

    for name in ("fetch", "digest", "sweep"):
        _register(blueprint, tasks.TASKS[name], retry)

    @blueprint.task(name="summarize", queue=tasks.SUMMARIZE, pass_context=True, retry=retry)
    async def summarize(context: procrastinate.JobContext, article_id: int) -> None:
        await context.additional_context["batcher"].submit(article_id)

    @blueprint.periodic(cron=cron, periodic_id="tick")
    @blueprint.task(name="tick", queue=SCHEDULE, pass_context=True, queueing_lock="tick")
    async def tick(context: procrastinate.JobContext, timestamp: int) -> None:
        engine = _engine(context)
        flow = _flow(context)
        await triggers.tick(engine, flow.config, flow.store, timestamp, tick_seconds)
        manager = context.app.job_manager
        for job in await manager.get_stalled_jobs(
            seconds_since_heartbeat=engine.workers.stalled_after
        ):
            log.warning("job %s (%s) of a silent worker is retried", job.id, job.task_name)
            await manager.retry_job(job)
        for queue in await manager.list_queues_async():
            metrics.set_queue_depth(queue["name"], queue["todo"])

    return blueprint


def _register(
    blueprint: procrastinate.Blueprint, task: Task, retry: procrastinate.RetryStrategy
) -> None:
    """`task` as a job of its queue: the job's arguments are the task's ids."""

    async def job(context: procrastinate.JobContext, **ids: Any) -> None:
        await task(_flow(context), **ids)

    job.__name__ = job.__qualname__ = task.__name__
    blueprint.task(name=task.__name__, queue=QUEUES[task.__name__], pass_context=True, retry=retry)(
        job
    )


def _engine(context: procrastinate.JobContext) -> QueuedEngine:
    return context.additional_context["engine"]


def _flow(context: procrastinate.JobContext) -> Flow:
    return context.additional_context["flow"]


async def _defer(
    app: procrastinate.App,
    name: str,
    queueing_lock: str,
    *,
    run_lock: str | None = None,
    **args: Any,
) -> None:
    """Defers a job by name; nothing when its queueing lock says one is waiting already."""
    options: dict[str, Any] = {"queueing_lock": queueing_lock}
    if run_lock is not None:
        options["lock"] = run_lock
    with contextlib.suppress(AlreadyEnqueued):
        await app.configure_task(f"{NAMESPACE}:{name}", **options).defer_async(**args)


class Batcher:
    """`await submit(article_id)` returns once a batch holding the article was summarized.

    A batch closes when it holds `size` articles or `wait` seconds after its first one, so a
    worker with enough concurrent jobs runs full batches and a quiet one waits briefly. Batches
    run one at a time: the model is one, and jobs arriving meanwhile fill the next one.
    """

    def __init__(self, flow: Flow, *, size: int, wait: float) -> None:
        self.flow = flow
        self.size = size
        self.wait = wait
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._model = asyncio.Lock()
        self._batches: set[asyncio.Task[None]] = set()

    async def submit(self, article_id: int) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((article_id, done))
        if len(self._waiting) >= self.size:
            self._close_batch()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self._close_batch)
        await done

    def _close_batch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
        if self._waiting:
            self._timer = asyncio.get_running_loop().call_later(self.wait, self._close_batch)
        if batch:
            task = asyncio.create_task(self._run(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _run(self, batch: list[tuple[int, asyncio.Future[None]]]) -> None:
        ids = [article_id for article_id, _ in batch]
        async with self._model:
            try:
                await tasks.summarize(self.flow, ids)
            except Exception as error:  # each job of the batch fails, and is retried, alone
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                return
        log.info("summarized a batch of %d job(s)", len(ids))
        for _, done in batch:
            if not done.done():
                done.set_result(None)


class _OutageLine(logging.Filter):
    """procrastinate logs a side task (its listener, its heartbeat) that lost the database with a
    traceback; an outage is expected here (the store logs its start and end once), so the line
    stays and the trace goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None and not isinstance(error, ConnectorException):
            error = error.__cause__ or error.__context__
        if error is not None:
            record.exc_info = None
            record.exc_text = None
        return True


def _quiet_outages(logger: logging.Logger) -> None:
    if not any(isinstance(known, _OutageLine) for known in logger.filters):
        logger.addFilter(_OutageLine())
