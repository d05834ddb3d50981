"""The fetch policy against a real server: conditional GET, retries, timeouts, caps, redirects."""

from __future__ import annotations

import time

import pytest

from bot.config import FetchConfig
from bot.errors import FetchError
from bot.news.http import Fetcher, make_client


def fetcher_for(**settings: object):  # noqa: ANN201
    config = FetchConfig(**{"retries": 0, "backoff": 0.01, **settings})
    return Fetcher(make_client(config), config), config


async def test_conditional_get_sends_the_stored_etag_and_304_stores_nothing(
    feeds, make_config, open_pipeline
):
    url = feeds.serve_file("/rss2.xml", "rss2.xml", etag='"v1"')
    config = make_config(sources=[{"name": "rss", "url": url}])
    async with open_pipeline(config) as pipeline:
        assert len(await pipeline.fetch_source(config.sources[0])) == 2
        assert await pipeline.fetch_source(config.sources[0]) == []
    first, second = feeds.hits("/rss2.xml")
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == '"v1"'


async def test_a_500_is_retried_and_the_source_recovers(feeds):
    url = feeds.serve_file("/rss2.xml", "rss2.xml", statuses=[500])
    fetcher, _ = fetcher_for(retries=2)
    async with fetcher.client:
        result = await fetcher.get(url)
    assert result.status == 200 and b"<rss" in result.body
    assert len(feeds.hits("/rss2.xml")) == 2


async def test_server_errors_give_up_after_the_retries(feeds):
    url = feeds.serve("/down", statuses=[503, 503, 503])
    fetcher, _ = fetcher_for(retries=1)
    async with fetcher.client:
        with pytest.raises(FetchError, match="HTTP 503"):
            await fetcher.get(url)
    assert len(feeds.hits("/down")) == 2


async def test_a_slow_server_times_out(feeds):
    url = feeds.serve_file("/slow.xml", "rss2.xml", delay=0.4)
    fetcher, _ = fetcher_for(read_timeout=0.1)
    async with fetcher.client:
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.get(url)


async def test_connection_errors_are_not_retried(feeds):
    fetcher, _ = fetcher_for(retries=5, backoff=1.0)
    started = time.monotonic()
    async with fetcher.client:
        with pytest.raises(FetchError, match="cannot connect"):
            await fetcher.get("http://127.0.0.1:9/feed.xml")
    assert time.monotonic() - started < 1.0


async def test_a_50_mb_response_is_cut_off_at_max_bytes(feeds):
    url = feeds.serve("/huge.xml", stream_bytes=50_000_000)
    fetcher, _ = fetcher_for(max_bytes=1_000_000)
    started = time.monotonic()
    async with fetcher.client:
        with pytest.raises(FetchError, match="larger than 1000000 bytes"):
            await fetcher.get(url)
    assert time.monotonic() - started < 5.0


async def test_a_redirect_loop_is_detected(feeds):
    feeds.serve("/a", location="/b")
    feeds.serve("/b", location="/a")
    fetcher, _ = fetcher_for(max_redirects=10)
    async with fetcher.client:
        with pytest.raises(FetchError, match="redirect loop"):
            await fetcher.get(feeds.url("/a"))
    assert len(feeds.hits("/a")) == 1


async def test_redirects_are_followed_up_to_the_limit(feeds):
    feeds.serve("/r1", location="/r2")
    feeds.serve("/r2", location="/rss2.xml")
    feeds.serve_file("/rss2.xml", "rss2.xml")
    fetcher, _ = fetcher_for(max_redirects=2)
    async with fetcher.client:
        assert (await fetcher.get(feeds.url("/r1"))).url.endswith("/rss2.xml")
    fetcher, _ = fetcher_for(max_redirects=1)
    async with fetcher.client:
        with pytest.raises(FetchError, match="too many redirects"):
            await fetcher.get(feeds.url("/r1"))
