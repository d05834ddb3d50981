"""procrastinate on the store's PostgreSQL: its schema, and workers run on our own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any

import procrastinate
from procrastinate.exceptions import ConnectorException

from bot import metrics
from bot.config import WorkersConfig
from bot.jobs import requires_postgres
from bot.jobs.runtime import JobRuntime
from bot.jobs.tasks import NAMESPACE, build_blueprint
from bot.store import Store

log = logging.getLogger(__name__)

GRACEFUL_STOP_SECONDS = 60.0  # running jobs get this long after SIGTERM, then they are aborted
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # a worker loop that lost its database restarts


async def count_failures(
    call_next: Callable[[], Awaitable[Any]], context: procrastinate.JobContext, worker: Any
) -> Any:
    """Counts each failed job attempt (procrastinate retries it) as a `job` failure."""
    try:
        return await call_next()
    except Exception:
        metrics.failure(metrics.FailureKind.JOB)
        raise


class JobEngine:
    """The job queues of one process: `async with JobEngine(store, config.workers) as engine`."""

    def __init__(self, store: Store, workers: WorkersConfig) -> None:
        requires_postgres(store.db.url)
        self.workers = workers
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=store.conninfo, kwargs={"connect_timeout": 5}
            )
        )
        self.app.add_tasks_from(build_blueprint(workers.tick_seconds), namespace=NAMESPACE)

    async def __aenter__(self) -> JobEngine:
        await self.app.open_async()
        try:
            await self._ensure_schema()
        except BaseException:
            await self.app.close_async()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.app.close_async()

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

    async def work(
        self,
        runtime: JobRuntime,
        queues: Sequence[str],
        concurrency: int,
        stopping: asyncio.Event,
    ) -> None:
        """Takes jobs from `queues` until `stopping` is set; running jobs finish first.

        A worker loop that dies (its database connection lost) is restarted with a backoff,
        logged once per restart, so a database outage does not end the process.
        """
        name = f"{socket.gethostname()}:{','.join(queues)}"
        attempt = 0
        while not stopping.is_set():
            worker = asyncio.create_task(
                self.app.run_worker_async(
                    queues=list(queues),
                    concurrency=concurrency,
                    name=name,
                    install_signal_handlers=False,  # the CLI owns SIGINT/SIGTERM
                    additional_context={"runtime": runtime},
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
