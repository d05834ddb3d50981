"""/summary: latest posts, a URL summarized now, a text, or the message it replies to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import RepliedMessage
from bot.errors import UserError
from tests.core.conftest import LONG_TEXT, add_article, now, private


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
