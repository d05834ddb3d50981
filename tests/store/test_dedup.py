"""Dedup by canonical URL, GUID and content hash; a restart re-fetches, re-summarizes nothing."""

from __future__ import annotations

import pytest

from bot.composition import open_services
from bot.news.canonical import canonical_url
from bot.news.types import ArticleData
from bot.store import NewSummary, Store
from tests.helpers.bot_stack import run_flow
from tests.helpers.tables import all_summaries


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.ORG:443/a/?utm_source=x&id=3#top", "https://example.org/a?id=3"),
        ("http://example.org:80/", "http://example.org/"),
        ("http://example.org:8080/x/", "http://example.org:8080/x"),
        ("https://e.org/p?fbclid=1&gclid=2&mc_cid=3&UTM_Medium=4&q=ok", "https://e.org/p?q=ok"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


@pytest.mark.parametrize(
    "duplicate",
    [
        ArticleData(title="Other", text="Different text", url="https://e.org/a"),
        ArticleData(title="Other", text="Different text", guid="g-1"),
        ArticleData(title="Title", text="Same   text\n", url="https://e.org/b"),
    ],
    ids=["url", "guid", "content"],
)
async def test_duplicates_are_not_stored_twice(store, duplicate):
    original = ArticleData(title="Title", text="Same text", url="https://e.org/a", guid="g-1")
    assert await store.sources.store_fetch(
        "feed", "https://e.org/feed", [original, duplicate], etag=None, last_modified=None
    ) == [1]
    assert await store.articles.add_or_find(duplicate) == 1


async def test_a_summary_is_unique_per_article_and_model(store):
    article_id = await store.articles.add_or_find(ArticleData(title="T", text="x"))
    new = NewSummary(article_id, backend="extractive", model="m", language="en", text="s")
    assert len(await store.articles.add_summaries([new])) == 1
    assert await store.articles.add_summaries([new]) == []
    other = NewSummary(article_id, backend="extractive", model="other", language="en", text="s")
    assert len(await store.articles.add_summaries([new, other])) == 1


@pytest.mark.usefixtures("database_url")  # make_config puts the services on it
async def test_a_restart_refetches_resummarizes_nothing(feeds, make_config):
    url = feeds.serve_file("/rss2.xml", "rss2.xml", etag='"v1"')
    config = make_config(sources=[{"name": "rss", "url": url}])
    async with open_services(config) as services:
        first = await run_flow(config, services.store, services.pipeline, services.core)
    async with open_services(config) as restarted:
        second = await run_flow(config, restarted.store, restarted.pipeline, restarted.core)
        summaries = await all_summaries(restarted.store)
    assert (len(first), second, len(summaries)) == (2, [], 2)
    assert feeds.hits("/rss2.xml")[-1].headers["If-None-Match"] == '"v1"'
