"""/summary: latest posts, a URL summarized now, a text, or the message it replies to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import RepliedMessage
from bot.errors import UserError
from tests.core.conftest import LONG_TEXT, add_article, join_story, now, private


async def test_latest_uses_the_configured_count_newest_first(core, store):
    for hours, title in [(3, "old"), (2, "mid"), (1, "new")]:
        add_article(store, "alpha", title, published_at=now() - timedelta(hours=hours))
    reply = await core.handle("summary", private(), "")
    assert [post.title for post in reply.posts] == ["new", "mid"]
    assert reply.posts[0].source == "alpha" and reply.posts[0].summary == "ملخص new"


async def test_latest_with_a_count(core, store):
    for title in ["a", "b", "c"]:
        add_article(store, "alpha", title)
    assert len((await core.handle("summary", private(), "3")).posts) == 3


STORES = pytest.mark.usefixtures("database_url")  # stories are grouped in SQL: both engines


def hours_ago(hours: int):
    return now() - timedelta(hours=hours)


@STORES
async def test_latest_lists_one_post_per_story_with_its_other_sources(core, store):
    first = add_article(store, "alpha", "first", published_at=hours_ago(4))
    alone = add_article(store, "alpha", "alone", published_at=hours_ago(3))
    joined = add_article(store, "beta", "joined", published_at=hours_ago(1))
    story = join_story(store, first, joined)
    reply = await core.handle("summary", private(), "5")
    assert [post.article_id for post in reply.posts] == [first, alone]  # newest report first
    post = reply.posts[0]
    assert post.summary == "ملخص first" and post.story_id == story
    assert [(also.source, also.title, also.url) for also in post.also] == [
        ("beta", "joined", "https://example.org/joined")
    ]
    assert reply.posts[1].also == ()


@STORES
async def test_the_count_counts_stories_not_articles(core, store):
    first = add_article(store, "alpha", "first", published_at=hours_ago(3))
    second = add_article(store, "beta", "second", published_at=hours_ago(2))
    add_article(store, "alpha", "older", published_at=hours_ago(5))
    join_story(store, first, second)
    reply = await core.handle("summary", private(), "2")
    assert [post.title for post in reply.posts] == ["first", "older"]


@STORES
async def test_a_story_lists_each_other_source_once(core, store):
    ids = [
        add_article(store, source, title, published_at=hours_ago(hours))
        for source, title, hours in [
            ("alpha", "a1", 4),
            ("beta", "b1", 3),
            ("alpha", "a2", 2),
            ("beta", "b2", 1),
        ]
    ]
    join_story(store, *ids)
    (post,) = (await core.handle("summary", private(), "5")).posts
    assert post.title == "a1" and [also.title for also in post.also] == ["b1"]


@STORES
async def test_a_story_whose_first_article_has_no_summary_shows_its_first_summarized_one(
    core, store
):
    first = add_article(store, "alpha", "first", published_at=hours_ago(3), summary=None)
    second = add_article(store, "beta", "second", published_at=hours_ago(2))
    join_story(store, first, second)
    (post,) = (await core.handle("summary", private(), "5")).posts
    assert post.title == "second" and [also.source for also in post.also] == ["alpha"]


async def test_count_out_of_range_is_a_reader_error(core):
    with pytest.raises(UserError) as caught:
        await core.handle("summary", private(), "0")
    assert caught.value.key == "error.summary_count"


async def test_no_summaries_yet_is_said_in_the_readers_language(core):
    assert (await core.handle("summary", private(language="en"), "")).text.startswith(
        "No summaries"
    )


async def test_url_of_a_stored_article_answers_at_once(core, store, pipeline):
    article = add_article(store, "alpha", "stored", url="https://example.org/a")
    pipeline.urls["https://example.org/a"] = article
    reply = await core.handle("summary", private(), "https://example.org/a")
    assert [post.article_id for post in reply.posts] == [article]
    assert pipeline.fetched == [("https://example.org/a", True)] and pipeline.summarized == 0


async def test_url_of_a_new_article_is_summarized_now(core, store, pipeline):
    article = add_article(store, "alpha", "fresh", summary=None)
    pipeline.urls["https://example.org/new"] = article
    reply = await core.handle("summary", private(), "https://example.org/new")
    assert pipeline.summarized == 1
    assert reply.posts[0].summary == "ملخص جديد"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://127.0.0.1/admin", "error.unsafe_url"),
        ("https://example.org/missing", "error.fetch_failed"),
    ],
)
async def test_bad_urls_are_localized_reader_errors(core, url, key):
    with pytest.raises(UserError) as caught:
        await core.handle("summary", private(), url)
    assert caught.value.key == key


async def test_text_argument_is_summarized(core):
    reply = await core.handle("summary", private(), LONG_TEXT)
    assert reply.text and reply.text in LONG_TEXT  # extractive: sentences of the text itself
    assert not reply.posts


async def test_reply_to_a_long_message_summarizes_it(core):
    replied = RepliedMessage("55", text=LONG_TEXT)
    reply = await core.handle("summary", private(), "", replied)
    assert reply.text and reply.text.split(".")[0] in LONG_TEXT


async def test_short_text_is_refused(core):
    with pytest.raises(UserError) as caught:
        await core.handle("summary", private(), "نص قصير")
    assert caught.value.key == "error.text_too_short"
