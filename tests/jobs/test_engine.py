"""The job engine on a real PostgreSQL: what a failing job leaves behind."""

from __future__ import annotations

import asyncio

import pytest

from bot import metrics
from bot.config import WorkersConfig
from bot.jobs.engine import JobEngine
from bot.jobs.tasks import SUMMARIZE, defer_summary
from bot.metrics import FailureKind, Metrics
from bot.store import Store


class FailingRuntime:
    """Stands in for JobRuntime: every summarize attempt fails, as a broken model would."""

    stalled_after = 30.0

    def __init__(self) -> None:
        self.attempts: list[int] = []

    async def summarize(self, article_id: int) -> None:
        self.attempts.append(article_id)
        raise RuntimeError("the model is broken")


def job_failures(instruments: Metrics) -> float | None:
    return instruments.registry.get_sample_value(
        "khulasa_failures_total", {"kind": FailureKind.JOB.value}
    )


@pytest.mark.timeout(60)
async def test_a_failed_job_attempt_is_counted_as_a_job_failure(postgres_url: str) -> None:
    instruments = Metrics()
    previous = metrics.use(instruments)
    store = Store(postgres_url)
    runtime = FailingRuntime()
    stopping = asyncio.Event()
    try:
        async with JobEngine(store, WorkersConfig(external=True)) as engine:
            await defer_summary(engine.app, 7)
            work = asyncio.create_task(engine.work(runtime, [SUMMARIZE], 1, stopping))  # type: ignore[arg-type]
            for _ in range(200):
                if job_failures(instruments):
                    break
                await asyncio.sleep(0.05)
            stopping.set()
            await asyncio.wait_for(work, 30)
        assert runtime.attempts == [7]
        assert job_failures(instruments) == 1
    finally:
        metrics.use(previous)
        store.close()
