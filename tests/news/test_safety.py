"""Readers' URLs reach only public addresses unless fetch.allow_private_urls is set."""

from __future__ import annotations

import pytest

from bot.config import FetchConfig
from bot.errors import UnsafeURLError
from bot.news.http import Fetcher, make_client
from bot.news.safety import check_public_url

PUBLIC = "93.184.216.34"


async def fake_resolve(host: str, port: int) -> list[str]:
    """'localhost' passes as public (so the test server is reachable); the rest is literal."""
    return {
        "localhost": [PUBLIC],
        "intranet.test": ["10.1.2.3"],
        "mixed.test": [PUBLIC, "192.168.0.9"],
    }.get(host, [host])


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/x",
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data",
        "http://intranet.test/",
        "http://mixed.test/",
    ],
)
async def test_unsafe_urls_are_refused(url):
    with pytest.raises(UnsafeURLError):
        await check_public_url(url, resolve=fake_resolve)


async def test_public_addresses_pass():
    await check_public_url("https://localhost/news", resolve=fake_resolve)


async def test_a_redirect_to_loopback_is_refused_before_it_is_followed(feeds):
    feeds.serve("/go", location=feeds.url("/secret"))
    feeds.serve("/secret", body=b"internal")
    config = FetchConfig()
    start = feeds.url("/go").replace("127.0.0.1", "localhost")
    async with make_client(config) as client:
        with pytest.raises(UnsafeURLError):
            await Fetcher(client, config, resolve=fake_resolve).get(start, untrusted=True)
    assert feeds.hits("/go") and not feeds.hits("/secret")


async def test_untrusted_loopback_is_never_requested(feeds):
    url = feeds.serve("/secret", body=b"internal")
    config = FetchConfig()
    async with make_client(config) as client:
        with pytest.raises(UnsafeURLError):
            await Fetcher(client, config).get(url, untrusted=True)
    assert not feeds.hits("/secret")


async def test_allow_private_urls_lets_readers_reach_private_hosts(
    feeds, make_config, open_pipeline
):
    url = feeds.serve_file("/article.html", "article.html", content_type="text/html")
    config = make_config(fetch={"allow_private_urls": True})
    async with open_pipeline(config) as pipeline:
        article_id = await pipeline.fetch_url(url, untrusted=True)
        assert await pipeline.fetch_url(url, untrusted=True) == article_id
    assert len(feeds.hits("/article.html")) == 1


async def test_reader_urls_cannot_read_local_files(make_config, open_pipeline):
    async with open_pipeline(make_config()) as pipeline:
        with pytest.raises(UnsafeURLError):
            await pipeline.fetch_url("file:///etc/passwd", untrusted=True)
