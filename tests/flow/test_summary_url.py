"""`/summary <url>` summarizes its own article only; with workers it waits, then posts later."""

from __future__ import annotations

import asyncio
import time

from bot.composition import open_services
from bot.core import Caller, Destination
from bot.core.requests import deliver_requested
from bot.news.canonical import canonical_url
from bot.news.types import ArticleData
from bot.store import NewSummary
from summarizer import Article, Summary
from tests.core.conftest import FakeSender

URL = "https://example.org/news/the-one"
BODY = "A sentence of the article body that says something. Another sentence follows it here."


class SlowSummarizer:
    """A model that takes its time per article and remembers which articles it was given."""

    name = "slow"

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def load(self) -> None:
        return None

    def summarize(self, articles: list[Article]) -> list[Summary]:
        time.sleep(0.05 * len(articles))
        self.seen += [article.id for article in articles]
        return [Summary(text=f"summary of {a.title}", backend="slow", model="m") for a in articles]


def reader() -> Caller:
    return Caller("7", Destination("telegram", "7", "", "private"), language="en")


async def add_articles(store, count: int) -> list[int]:  # noqa: ANN001
    return [
        await store.articles.add_or_find(ArticleData(title=f"waiting {n}", text=BODY))
        for n in range(count)
    ]


async def test_a_url_summarizes_its_article_and_none_of_the_backlog(make_config):
    model = SlowSummarizer()
    async with open_services(make_config(), summarizer=model) as services:
        backlog = await add_articles(services.store, 20)
        article = ArticleData(title="The one", text=BODY, url=canonical_url(URL))
        article_id = await services.store.articles.add_or_find(article)
        reply = await services.core.handle("summary", reader(), URL)
        waiting = await services.store.articles.pending(backlog)
        [story] = await services.store.stories.latest(5)
    assert [post.title for post in reply.posts] == ["The one"]
    assert model.seen == [str(article_id)]
    assert len(waiting) == 20
    assert story.lead.article_id == article_id and story.story_id is not None  # grouped too


async def test_past_the_wait_the_reader_is_told_and_the_post_comes_once(make_config):
    config = make_config(delivery={"summary_wait": 0.2})
    deferred: list[int] = []

    async def to_the_workers(article_id: int) -> bool:
        deferred.append(article_id)
        return False

    async with open_services(config) as services:
        services.core.summary.summarize_article = to_the_workers
        article = ArticleData(title="The one", text=BODY, url=canonical_url(URL))
        article_id = await services.store.articles.add_or_find(article)
        reply = await services.core.handle("summary", reader(), URL)
        assert reply.text == "Being summarized; I'll post it here when it's ready."
        assert deferred == [article_id]
        sender = FakeSender()
        context = services.core.context
        assert await deliver_requested(context, sender) == 0  # not summarized yet
        summary = NewSummary(article_id, backend="slow", model="m", language="en", text="s")
        await services.store.articles.add_summaries([summary])
        assert await deliver_requested(context, sender) == 1
        assert await deliver_requested(context, sender) == 0
    assert [(dest.chat_id, post.title) for dest, post, _ in sender.sent] == [("7", "The one")]


async def test_a_summary_stored_within_the_wait_answers_at_once(make_config):
    config = make_config(delivery={"summary_wait": 10})
    async with open_services(config) as services:
        article = ArticleData(title="The one", text=BODY, url=canonical_url(URL))
        article_id = await services.store.articles.add_or_find(article)
        summary = NewSummary(article_id, backend="slow", model="m", language="en", text="s")

        async def a_worker_soon(article_id: int) -> bool:
            asyncio.get_running_loop().call_later(
                0.1, lambda: asyncio.ensure_future(services.store.articles.add_summaries([summary]))
            )
            return False

        services.core.summary.summarize_article = a_worker_soon
        began = time.monotonic()
        reply = await services.core.handle("summary", reader(), URL)
    assert [post.summary for post in reply.posts] == ["s"]
    assert time.monotonic() - began < 5  # the event ended the wait, not the 10 s bound
