"""The job table: what each queue's jobs do. Every job carries ids and is idempotent.

- `tick` (queue `schedule`, periodic): defers the fetches and digests whose schedule fell in
  the tick, re-defers summaries a crash lost, and retries jobs of workers that died.
- `fetch` (queue `fetch`): one source; one job at a time per source (a lock).
- `summarize` (queue `summarize`): one article, batched with its neighbours by the worker.
- `digest` (queue `deliver`): a digest subscription's posts, on the platforms of `khulasa run`.

Immediate posts need no job: every `khulasa run` notices new summaries itself (a cheap poll),
so each delivers to the chats it serves (its platforms, its Discord shards).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from bot import metrics
from bot.jobs.runtime import JobRuntime

log = logging.getLogger(__name__)

NAMESPACE = "khulasa"
FETCH, SUMMARIZE, DELIVER, SCHEDULE = "fetch", "summarize", "deliver", "schedule"
WORKER_QUEUES = (FETCH, SUMMARIZE, SCHEDULE)  # what `khulasa worker --queues` may take
RUN_QUEUES = (DELIVER, SCHEDULE)  # what `khulasa run` takes with external workers
SWEEP_AFTER_TICKS = 3  # an article unsummarized this many ticks after its fetch was lost


def task_name(name: str) -> str:
    return f"{NAMESPACE}:{name}"


def build_blueprint(tick_seconds: int) -> procrastinate.Blueprint:
    """The tasks, with the tick's period from the config (the same in every process)."""
    tasks = procrastinate.Blueprint()
    retry = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)
    cron = "* * * * *" if tick_seconds == 60 else f"* * * * * */{tick_seconds}"

    @tasks.periodic(cron=cron, periodic_id="tick")
    @tasks.task(name="tick", queue=SCHEDULE, pass_context=True, queueing_lock="tick")
    async def tick(context: procrastinate.JobContext, timestamp: int) -> None:
        await run_tick(context, runtime_of(context), timestamp, tick_seconds)

    @tasks.task(name="fetch", queue=FETCH, pass_context=True, retry=retry)
    async def fetch(context: procrastinate.JobContext, source: str) -> None:
        runtime = runtime_of(context)
        article_ids = await runtime.fetch(source)
        for article_id in article_ids:
            await defer_summary(context.app, article_id)

    @tasks.task(name="summarize", queue=SUMMARIZE, pass_context=True, retry=retry)
    async def summarize(context: procrastinate.JobContext, article_id: int) -> None:
        await runtime_of(context).summarize(article_id)

    @tasks.task(name="digest", queue=DELIVER, pass_context=True, retry=retry)
    async def digest(context: procrastinate.JobContext, subscription_id: int) -> None:
        await runtime_of(context).deliver_digest(subscription_id)

    return tasks


def runtime_of(context: procrastinate.JobContext) -> JobRuntime:
    return context.additional_context["runtime"]


async def defer(app: procrastinate.App, name: str, **options: Any) -> int | None:
    """Defers a job by name; None when its queueing lock says one is waiting already."""
    args = options.pop("args", {})
    try:
        return await app.configure_task(task_name(name), **options).defer_async(**args)
    except AlreadyEnqueued:
        return None


async def defer_summary(app: procrastinate.App, article_id: int) -> int | None:
    return await defer(
        app, "summarize", queueing_lock=f"summarize:{article_id}", args={"article_id": article_id}
    )


async def run_tick(
    context: procrastinate.JobContext, runtime: JobRuntime, timestamp: int, tick_seconds: int
) -> None:
    """One scheduler tick: exactly one runs per period, whichever process takes it."""
    app = context.app
    now = datetime.fromtimestamp(timestamp, UTC)
    after = now - timedelta(seconds=tick_seconds)
    for source in await runtime.due_sources(after, now):
        await defer(
            app,
            "fetch",
            lock=f"fetch:{source}",
            queueing_lock=f"fetch:{source}",
            args={"source": source},
        )
        log.info("tick %s: fetch %s deferred", timestamp, source)
    for subscription_id in await runtime.due_digests(after, now):
        await defer(
            app,
            "digest",
            queueing_lock=f"digest:{subscription_id}",
            args={"subscription_id": subscription_id},
        )
    lost = await runtime.lost_summaries(now - timedelta(seconds=SWEEP_AFTER_TICKS * tick_seconds))
    for article_id in lost:
        await defer_summary(app, article_id)
    for job in await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=runtime.stalled_after
    ):
        log.warning("job %s (%s) of a silent worker is retried", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    for queue in await app.job_manager.list_queues_async():
        metrics.set_queue_depth(queue["name"], queue["todo"])
