"""The queued engine on a real PostgreSQL: what a failing job leaves behind."""

from __future__ import annotations

import asyncio

import pytest

from bot import metrics
from bot.composition import LazySummarizer, open_services
from bot.core import Caller, Destination
from bot.flow import tasks
from bot.flow.queued import QueuedEngine
from bot.metrics import FailureKind, Metrics
from bot.news.types import ArticleData


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


@pytest.mark.timeout(60)
async def test_run_with_workers_queues_a_readers_url_and_builds_no_model(
    postgres_url: str, make_config, tmp_path
) -> None:
    config = make_config(
        storage={"url": postgres_url}, workers={"external": True}, delivery={"summary_wait": 0.3}
    )
    url = "https://example.org/news/queued"
    model = LazySummarizer(config.summarizer)
    async with open_services(config, summarizer=model) as services:
        article = ArticleData(title="Queued", text="A body. Another sentence.", url=url)
        article_id = await services.store.articles.add_or_find(article)
        caller = Caller("7", Destination("telegram", "7", "", "private"), language="en")
        reply = await services.core.handle("summary", caller, url)
        assert isinstance(services.engine, QueuedEngine)
        jobs = await services.engine.app.job_manager.list_jobs_async(queue=tasks.SUMMARIZE)
        requests = await services.store.summary_requests.ready("telegram")
    assert reply.text == "Being summarized; I'll post it here when it's ready."
    assert [job.task_kwargs for job in jobs] == [{"article_id": article_id}]
    assert requests == []  # recorded, but not ready: no summary yet
    assert model._built is None  # the run process never built (nor imported) a model
