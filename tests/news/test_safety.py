"""Readers' URLs reach only public addresses unless fetch.allow_private_urls is set."""

from __future__ import annotations

import pytest

from bot.config import FetchConfig
from bot.errors import UnsafeURLError
from bot.news.http import Fetcher, make_client
from bot.news.safety import check_public_url, system_resolve

PUBLIC = "93.184.216.34"


async def fake_resolve(host: str, port: int) -> list[str]:
    """Names for the tests; 'news.test' is the feed server's address, the rest is literal."""
    return {
        "news.test": ["127.0.0.1"],
        "intranet.test": ["10.1.2.3"],
        "mixed.test": [PUBLIC, "192.168.0.9"],
    }.get(host, [host])


def server_is_public(address: str) -> bool:
    """Pretends the feed server's 127.0.0.1 is a public address; everything else is private."""
    return address in ("127.0.0.1", PUBLIC)


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


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f000001/",
        "http://017700000001/",  # octal
        "http://127.1/",
        "http://0/",
        "http://localhost/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://[fe80::1]/",  # IPv6 link-local
        "http://[64:ff9b::a00:1]/",  # NAT64 prefix around 10.0.0.1
        "http://[2002:7f00:1::1]/",  # 6to4 around 127.0.0.1
    ],
)
async def test_numeric_and_ipv6_forms_of_private_addresses_are_refused(url):
    """The real resolver reads these forms locally, without any network."""
    with pytest.raises(UnsafeURLError, match="non-public"):
        await check_public_url(url, resolve=system_resolve)


async def test_public_addresses_pass():
    assert (
        await check_public_url(
            "https://mixed.test/news", resolve=fake_resolve, is_public=lambda address: True
        )
        == PUBLIC
    )
    assert await check_public_url(f"http://{PUBLIC}/news") == PUBLIC


async def test_a_redirect_to_loopback_is_refused_before_it_is_followed(feeds):
    feeds.serve("/go", location=feeds.url("/secret").replace("127.0.0.1", "intranet.test"))
    feeds.serve("/secret", body=b"internal")
    config = FetchConfig()
    start = feeds.url("/go").replace("127.0.0.1", "news.test")
    fetcher_options = {"resolve": fake_resolve, "is_public": server_is_public}
    async with make_client(config) as client:
        with pytest.raises(UnsafeURLError):
            await Fetcher(client, config, **fetcher_options).get(start, untrusted=True)
    assert feeds.hits("/go") and not feeds.hits("/secret")


async def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(feeds):
    """DNS rebinding: a name that answers differently the second time is asked only once."""
    feeds.serve("/page", body=b"public page", content_type="text/html")
    answers = [["127.0.0.1"], ["10.0.0.1"]]
    asked = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers.pop(0)

    config = FetchConfig()
    url = feeds.url("/page").replace("127.0.0.1", "rebind.test")
    async with make_client(config) as client:
        fetcher = Fetcher(client, config, resolve=rebinding, is_public=server_is_public)
        result = await fetcher.get(url, untrusted=True)
    assert (result.body, result.url, asked) == (b"public page", url, ["rebind.test"])
    (request,) = feeds.hits("/page")
    assert request.headers["Host"] == url.split("/")[2]


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
