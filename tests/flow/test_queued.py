"""The queued engine on a real PostgreSQL: what a failing job leaves behind."""

from __future__ import annotations

import asyncio

import pytest

from bot import metrics
from bot.composition import open_services
from bot.flow import tasks
from bot.flow.queued import QueuedEngine
from bot.metrics import FailureKind, Metrics


def job_failures(instruments: Metrics) -> float | None:
    return instruments.registry.get_sample_value(
        "khulasa_failures_total", {"kind": FailureKind.JOB.value}
    )


@pytest.mark.timeout(60)
async def test_a_failed_job_attempt_is_counted_as_a_job_failure(
    postgres_url: str, make_config
) -> None:
    config = make_config(storage={"url": postgres_url}, workers={"external": True})
    instruments = Metrics()
    previous = metrics.use(instruments)
    attempts: list[list[int]] = []

    async def broken_model(article_ids: list[int]) -> list[int]:
        attempts.append(list(article_ids))
        raise RuntimeError("the model is broken")

    stopping = asyncio.Event()
    try:
        async with open_services(config) as services:
            engine = services.engine
            assert isinstance(engine, QueuedEngine)
            services.pipeline.summarize_articles = broken_model  # type: ignore[method-assign]
            await engine.defer(tasks.summarize, article_ids=[7])
            work = asyncio.create_task(engine.work(services.flow, [tasks.SUMMARIZE], 1, stopping))
            for _ in range(200):
                if job_failures(instruments):
                    break
                await asyncio.sleep(0.05)
            stopping.set()
            await asyncio.wait_for(work, 30)
        assert attempts == [[7]]
        assert job_failures(instruments) == 1
    finally:
        metrics.use(previous)
