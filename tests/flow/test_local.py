"""The in-process engine: a fetch flows into one summary and one event; dedupe; a clean stop."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from bot.composition import open_services
from bot.flow import tasks
from bot.flow.local import LocalEngine
from bot.news.types import ArticleData
from tests.helpers.tables import all_summaries


async def test_a_fetch_flows_into_one_summary_and_one_event(make_config, sources):
    config = make_config(sources=sources[:1])
    events: list[bool] = []
    async with open_services(config) as services:
        services.store.summary_events.subscribe(lambda: events.append(True))
        for _ in range(2):
            await services.engine.defer(tasks.fetch, source="local")
            await services.engine.run_until_idle()
        summaries = await all_summaries(services.store)
    assert [item.title for item in summaries] == ["Title A"]
    assert events == [True]  # the second fetch found nothing new, so stored nothing


async def test_an_identical_waiting_job_is_queued_once(make_config, sources):
    config = make_config(sources=sources[:1])
    async with open_services(config) as services:
        engine = services.engine
        assert isinstance(engine, LocalEngine)
        started, release = asyncio.Event(), asyncio.Event()
        runs: list[int] = []

        async def slow(flow: tasks.Flow, subscription_id: int) -> None:
            runs.append(subscription_id)
            started.set()
            await release.wait()

        await engine.defer(slow, subscription_id=1)
        await asyncio.wait_for(started.wait(), 2)
        for _ in range(3):  # one runs; of the three identical ones deferred now, one waits
            await engine.defer(slow, subscription_id=1)
        release.set()
        await asyncio.wait_for(engine.run_until_idle(), 2)
    assert runs == [1, 1]


async def test_stop_lets_a_running_job_finish(make_config, sources):
    config = make_config(sources=sources[:1])
    async with open_services(config) as services:
        engine = services.engine
        assert isinstance(engine, LocalEngine)
        entered, release = asyncio.Event(), asyncio.Event()
        finished: list[bool] = []

        async def slow(flow: tasks.Flow) -> None:
            entered.set()
            await release.wait()
            finished.append(True)

        await engine.defer(slow)
        await asyncio.wait_for(entered.wait(), 2)
        stopping = asyncio.create_task(engine.stop(grace=2))
        await asyncio.sleep(0.05)
        assert not stopping.done()
        release.set()
        await asyncio.wait_for(stopping, 2)
    assert finished == [True]


async def test_a_sweep_summarizes_what_a_failure_left_behind(make_config):
    async with open_services(make_config()) as services:
        lost = await services.store.articles.add_or_find(
            ArticleData(title="Lost", text="A body that says a thing. And another thing.")
        )
        await services.engine.defer(tasks.sweep, fetched_before=int(time.time()) + 1)
        await services.engine.run_until_idle()
        summary = await services.store.articles.summary_of(lost)
    assert summary is not None and summary.title == "Lost"


async def test_articles_have_their_story_before_their_summary_is_announced(make_config, sources):
    config = make_config(sources=sources[:1], embeddings={"backend": "none"})
    async with open_services(config) as services:
        stories_at_event: list[list[int | None]] = []

        async def on_event() -> None:
            with services.store.db.session() as session:
                rows = session.execute(text("SELECT story_id FROM articles")).scalars()
                stories_at_event.append(list(rows))

        services.store.summary_events.subscribe(on_event)
        await services.engine.defer(tasks.fetch, source="local")
        await services.engine.run_until_idle()
    [at_event] = stories_at_event
    assert at_event and None not in at_event
