"""Posts with the article's picture: a captioned photo, or the whole text; always exactly once."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.adapters.telegram.adapter import RequestTimeouts
from bot.adapters.telegram.formatting import MAX_CAPTION, post_html, telegram_length
from bot.adapters.telegram.sender import ASK_PREFIX
from bot.config import Config
from bot.core import Destination, Post
from bot.store.models import ArticleRow, Delivery
from tests.core.conftest import add_article, join_story
from tests.helpers.fake_telegram import (
    BAD_REQUEST,
    PHOTO_UNREACHABLE,
    WRONG_PHOTO_URL,
    Delay,
    Fail,
    FakeTelegram,
)
from tests.telegram.conftest import READER_AR, READER_ID, BotStack, StackFactory, make_config

PICTURE = "https://cdn.example.org/gemini.jpg"
SENDER_LOG = "bot.adapters.telegram.sender"
READER = Destination("telegram", str(READER_ID))
LARGE_PREVIEW = {"url": PICTURE, "prefer_large_media": True, "show_above_text": True}


def _with_picture(stack: BotStack) -> None:
    """Gives every stored article a lead picture, as the pipeline stores a feed item's."""
    with stack.store.db.session() as session:
        session.query(ArticleRow).update({ArticleRow.image_url: PICTURE})


async def _subscribed(start_bot: StackFactory, config: Config | None = None, **options) -> BotStack:
    """A reader subscribed before the sample article, which has a picture, was summarized."""
    stack = await start_bot(config, **options)
    await stack.say(READER_ID, READER_AR, "/subscribe")
    assert await stack.fetch()
    _with_picture(stack)
    return stack


def _deliveries(stack: BotStack) -> list[tuple[str, str | None]]:
    with stack.store.db.session() as session:
        rows = session.query(Delivery).filter_by(chat_id=str(READER_ID)).order_by(Delivery.id)
        return [(row.status, row.message_id) for row in rows]


def _posts(stack: BotStack) -> list[str]:
    """The texts of the reader's messages after the /subscribe confirmation."""
    return stack.fake.sent_texts(READER_ID)[1:]


def _refused(fake: FakeTelegram) -> list[str]:
    """Telegram's words for each sendPhoto it refused."""
    return [c.result.description for c in fake.calls if c.method == "sendPhoto" and not c.ok]


def _post(summary: str) -> Post:
    return Post(
        7, 7, "Chips", "https://news.example.org/chips", "wire", summary, "en", None, PICTURE
    )


async def test_a_post_with_a_picture_is_a_captioned_photo_with_its_buttons(
    start_bot: StackFactory,
) -> None:
    stack = await _subscribed(start_bot)
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    [photo] = stack.fake.calls_of("sendPhoto", chat_id=READER_ID)
    assert photo.params["photo"] == PICTURE and photo.params["parse_mode"] == "HTML"
    assert "Gemini" in photo.result["caption"]
    [[button]] = photo.params["reply_markup"]["inline_keyboard"]
    assert button["callback_data"].startswith(ASK_PREFIX)
    assert _posts(stack) == []
    assert _deliveries(stack) == [("sent", str(photo.result["message_id"]))]
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert len(stack.fake.sent_photos(READER_ID)) == 1


@pytest.mark.parametrize(
    "refusal",
    [
        WRONG_PHOTO_URL,
        PHOTO_UNREACHABLE,
        Fail(400, "Bad Request: IMAGE_PROCESS_FAILED"),
        Fail(400, "Bad Request: not enough rights to send photos to the chat"),
    ],
    ids=["wrong-url", "unreachable", "unusable", "photos-barred"],
)
async def test_a_refused_picture_leaves_the_post_as_text_once(
    start_bot: StackFactory, caplog: pytest.LogCaptureFixture, refusal: Fail
) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.refuse_photo(PICTURE, refusal)
    with caplog.at_level(logging.INFO, SENDER_LOG):
        assert await stack.core.deliver_new(stack.adapter.sender) == 1
    assert _refused(stack.fake) == [refusal.description]
    [text] = stack.fake.calls_of("sendMessage", chat_id=READER_ID)[1:]
    assert "Gemini" in text.result["text"] and stack.fake.sent_photos(READER_ID) == []
    assert _deliveries(stack) == [("sent", str(text.result["message_id"]))]
    assert [r.levelname for r in caplog.records if "refused picture" in r.getMessage()] == [
        "WARNING"
    ]
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert len(_posts(stack)) == 1


async def test_a_chat_that_is_gone_gets_no_text_fallback(start_bot: StackFactory) -> None:
    stack = await _subscribed(start_bot)
    stack.fake.fail_next("sendPhoto", BAD_REQUEST)  # "chat not found": no text can reach it
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert _posts(stack) == [] and _deliveries(stack) == []
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert [c.method for c in stack.fake.calls if c.method == "sendPhoto"] == ["sendPhoto"]


async def test_a_photo_that_timed_out_is_never_followed_by_text(start_bot: StackFactory) -> None:
    timeouts = RequestTimeouts(connect=2, read=0.3, write=2, pool=2, poll=1)
    stack = await _subscribed(start_bot, timeouts=timeouts)
    stack.fake.fail_next("sendPhoto", Delay(0.8))  # Telegram posts it; the answer comes too late
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    await stack.fake.wait_for(lambda: stack.fake.sent_photos(READER_ID), 2)
    assert _posts(stack) == []
    assert _deliveries(stack) == [("unknown", None)]
    assert await stack.core.deliver_new(stack.adapter.sender) == 0
    assert len(stack.fake.sent_photos(READER_ID)) == 1 and _posts(stack) == []


async def test_a_summary_too_long_for_a_caption_arrives_whole_under_a_large_preview(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    summary = " ".join(f"Sentence {n} says the chips ship early." for n in range(40))
    with caplog.at_level(logging.INFO, SENDER_LOG):
        message_id = await bot.adapter.sender.send_post(READER, _post(summary), "en")
    assert bot.fake.sent_photos(READER_ID) == []
    [text] = bot.fake.calls_of("sendMessage", chat_id=READER_ID)
    assert str(text.result["message_id"]) == message_id
    assert text.params["link_preview_options"] == LARGE_PREVIEW
    assert text.result["text"].endswith("Sentence 39 says the chips ship early.")
    assert summary in text.result["text"]
    assert sum("longer than a caption" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("over", [0, 1], ids=["at-the-limit", "one-over"])
async def test_the_caption_limit_is_counted_as_telegram_counts(bot: BotStack, over: int) -> None:
    """Entities count one, an astral character two: a post at 1,024 is a photo, 1,025 text."""
    prefix = "&<😀"
    base = telegram_length(post_html(_post(prefix), "en"))
    summary = prefix + "a" * (MAX_CAPTION - base + over)
    assert telegram_length(post_html(_post(summary), "en")) == MAX_CAPTION + over
    assert len(post_html(_post(summary), "en")) > MAX_CAPTION  # the HTML itself is longer
    await bot.adapter.sender.send_post(READER, _post(summary), "en")
    photos, texts = bot.fake.sent_photos(READER_ID), bot.fake.sent_texts(READER_ID)
    if over:
        assert photos == [] and texts[0].endswith(summary)
    else:
        assert texts == [] and photos[0][1].endswith(summary)


async def test_a_post_without_a_picture_is_text_as_before(bot: BotStack) -> None:
    post = Post(7, 7, "Chips", "https://news.example.org/chips", "wire", "Chips ship.", "en", None)
    await bot.adapter.sender.send_post(READER, post, "en")
    [text] = bot.fake.calls_of("sendMessage", chat_id=READER_ID)
    assert text.params["link_preview_options"] == {"url": post.url}
    assert bot.fake.calls_of("sendPhoto") == []


@pytest.mark.parametrize(
    ("settings", "photo"),
    [
        ({"posts": {"images": False}}, False),
        ({"telegram": {"images": False}}, False),
        ({"posts": {"images": False}, "telegram": {"images": True}}, True),
        ({"posts": {"images": True}}, True),
    ],
    ids=["off", "off-on-telegram", "on-on-telegram-only", "on"],
)
async def test_pictures_follow_the_config(
    start_bot: StackFactory, tmp_path: Path, fake: FakeTelegram, settings: dict, photo: bool
) -> None:
    stack = await _subscribed(start_bot, make_config(tmp_path, fake, **settings))
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    assert len(stack.fake.sent_photos(READER_ID)) == int(photo)
    assert len(_posts(stack)) == int(not photo)


async def test_a_photo_story_post_is_edited_in_its_caption_when_a_source_joins(
    start_bot: StackFactory,
) -> None:
    stack = await start_bot()
    await stack.say(READER_ID, READER_AR, "/subscribe")
    first = add_article(stack.store, "wire-ar", "أول", image_url=PICTURE)
    story = join_story(stack.store, first)  # as the desk does before the summary is stored
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    [(photo, caption)] = stack.fake.sent_photos(READER_ID)
    second = add_article(stack.store, "wire-en", "Second", url="https://example.com/second")
    with stack.store.db.session() as session:  # another source's report joins the story
        session.get(ArticleRow, second).story_id = story
    assert await stack.core.deliver_new(stack.adapter.sender) == 0  # joined: no second post
    assert await stack.core.edit_stories(stack.adapter.sender) == 1
    [edit] = stack.fake.calls_of("editMessageCaption", chat_id=READER_ID)
    assert "wire-en" in edit.result["caption"] and caption.split("\n")[0] in edit.result["caption"]
    assert (
        not stack.fake.calls_of("editMessageText") and len(stack.fake.sent_photos(READER_ID)) == 1
    )
    assert stack.fake.photos[(READER_ID, edit.result["message_id"])] == photo == PICTURE
