"""Failing sources back off, then get disabled with admins told; success resets the count."""

from __future__ import annotations

import pytest

# Every test here runs on SQLite and on PostgreSQL: make_config puts the pipeline on database_url.
pytestmark = pytest.mark.usefixtures("database_url")


async def test_backoff_then_disable_after_repeated_failures(feeds, make_config, open_pipeline):
    url = feeds.serve("/down", statuses=[500] * 10)
    config = make_config(
        sources=[{"name": "flaky", "url": url}],
        fetch={"backoff_after_failures": 2, "disable_after_failures": 3, "source_backoff": 0},
    )
    told: list[tuple[str, str]] = []
    async with open_pipeline(config) as pipeline:
        pipeline.on_source_disabled(lambda name, error: told.append((name, error)))
        for _ in range(5):
            await pipeline.fetch_source_logged(config.sources[0])
        state = (await pipeline.store.sources.states())["flaky"]
    assert state.disabled and state.consecutive_failures == 3
    assert len(feeds.hits("/down")) == 3  # disabled sources are not fetched
    assert told == [("flaky", "HTTP 500 from 127.0.0.1")]


async def test_a_backing_off_source_is_skipped_until_its_time(feeds, make_config, open_pipeline):
    url = feeds.serve("/down", statuses=[500, 500])
    config = make_config(
        sources=[{"name": "flaky", "url": url}],
        fetch={"backoff_after_failures": 1, "source_backoff": 3600},
    )
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source_logged(config.sources[0])
        await pipeline.fetch_source_logged(config.sources[0])
        state = (await pipeline.store.sources.states())["flaky"]
    assert len(feeds.hits("/down")) == 1
    assert state.backoff_until is not None and not state.disabled


async def test_success_resets_the_failure_count(feeds, make_config, open_pipeline):
    url = feeds.serve_file("/rss2.xml", "rss2.xml", statuses=[500])
    config = make_config(sources=[{"name": "flaky", "url": url}])
    async with open_pipeline(config) as pipeline:
        await pipeline.fetch_source_logged(config.sources[0])
        assert len(await pipeline.fetch_source(config.sources[0])) == 2
        assert (await pipeline.store.sources.states())["flaky"].consecutive_failures == 0
