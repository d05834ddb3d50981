"""The fake Bot API's photos and edits, through the real python-telegram-bot client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter

from tests.helpers.fake_telegram import (
    PHOTO_UNREACHABLE,
    WRONG_PHOTO_URL,
    FakeTelegram,
    retry_after,
)

CHANNEL = -100777
PICTURE = "https://cdn.example.org/chip.jpg"
HTML = ParseMode.HTML


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    fake.add_chat(CHANNEL, "channel", title="News")
    yield fake
    await fake.close()


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.base_url) as client:
        yield client


def description(server: FakeTelegram, method: str) -> str:
    """Telegram's own words for the last failed call of a method."""
    failed = [call for call in server.calls if call.method == method and not call.ok]
    return failed[-1].result.description


async def test_a_photo_by_url_with_an_html_caption(server, bot):
    sent = await bot.send_photo(
        CHANNEL, PICTURE, caption="<b>Chips</b> &amp; more", parse_mode=HTML
    )
    assert sent.caption == "Chips & more" and sent.photo
    assert server.sent_photos(CHANNEL) == [(PICTURE, "Chips & more")]
    assert server.photos[(CHANNEL, sent.message_id)] == PICTURE


@pytest.mark.parametrize(
    ("caption", "accepted"),
    [
        ("&amp;" * 1024, True),  # 5,120 characters of HTML, 1,024 after entity parsing
        ("😀" * 512, True),  # 1,024 UTF-16 code units
        ("😀" * 512 + "!", False),
        ("a" * 1025, False),
    ],
    ids=["entities", "astral-at-limit", "astral-over", "plain-over"],
)
async def test_the_caption_is_counted_as_telegram_counts(server, bot, caption, accepted):
    if accepted:
        await bot.send_photo(CHANNEL, PICTURE, caption=caption, parse_mode=HTML)
        assert len(server.sent_photos(CHANNEL)) == 1
    else:
        with pytest.raises(BadRequest):
            await bot.send_photo(CHANNEL, PICTURE, caption=caption, parse_mode=HTML)
        assert description(server, "sendPhoto") == "Bad Request: message caption is too long"
        assert server.rejected and server.sent_photos(CHANNEL) == []


async def test_an_unbalanced_caption_is_refused(server, bot):
    with pytest.raises(BadRequest):
        await bot.send_photo(CHANNEL, PICTURE, caption="<b>bold <i>x</b>", parse_mode=HTML)
    assert description(server, "sendPhoto").startswith("Bad Request: can't parse entities")


@pytest.mark.parametrize(
    ("photo", "refusal", "expected"),
    [
        (PICTURE, WRONG_PHOTO_URL, WRONG_PHOTO_URL),
        (PICTURE, PHOTO_UNREACHABLE, PHOTO_UNREACHABLE),
        ("not-a-url.jpg", None, WRONG_PHOTO_URL),
    ],
    ids=["refused-url", "unreachable-url", "not-a-url"],
)
async def test_a_photo_telegram_cannot_use(server, bot, photo, refusal, expected):
    if refusal is not None:
        server.refuse_photo(photo, refusal)
    with pytest.raises(BadRequest):
        await bot.send_photo(CHANNEL, photo, caption="Chips")
    assert description(server, "sendPhoto") == expected.description
    assert server.sent_photos(CHANNEL) == []
    await bot.send_photo(CHANNEL, "https://cdn.example.org/other.jpg", caption="Chips")
    assert len(server.sent_photos(CHANNEL)) == 1


async def test_flood_control_on_photos(server, bot):
    server.fail_next("sendPhoto", retry_after(7))
    with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
        await bot.send_photo(CHANNEL, PICTURE)
    assert server.sent_photos(CHANNEL) == []


async def test_a_captions_edit(server, bot):
    sent = await bot.send_photo(CHANNEL, PICTURE, caption="<b>One</b> source", parse_mode=HTML)
    edited = await bot.edit_message_caption(
        CHANNEL, sent.message_id, caption="<b>Two</b> sources", parse_mode=HTML
    )
    assert edited.caption == "Two sources" and edited.edit_date is not None
    assert server.messages[(CHANNEL, sent.message_id)]["caption"] == "Two sources"
    with pytest.raises(BadRequest):
        await bot.edit_message_caption(
            CHANNEL, sent.message_id, caption="<b>Two</b> sources", parse_mode=HTML
        )
    assert description(server, "editMessageCaption").startswith(
        "Bad Request: message is not modified: "
    )
    with pytest.raises(BadRequest):
        await bot.edit_message_caption(CHANNEL, sent.message_id, caption="x" * 1025)
    assert description(server, "editMessageCaption") == "Bad Request: message caption is too long"


@pytest.mark.parametrize("method", ["editMessageCaption", "editMessageText"])
async def test_an_edit_of_a_message_that_is_not_there(server, bot, method):
    with pytest.raises(BadRequest):
        if method == "editMessageCaption":
            await bot.edit_message_caption(CHANNEL, 999, caption="x")
        else:
            await bot.edit_message_text("x", CHANNEL, 999)
    assert description(server, method) == "Bad Request: message to edit not found"


async def test_a_text_message_has_no_caption_to_edit(server, bot):
    sent = await bot.send_message(CHANNEL, "Chips")
    with pytest.raises(BadRequest):
        await bot.edit_message_caption(CHANNEL, sent.message_id, caption="Two")
    photo = await bot.send_photo(CHANNEL, PICTURE, caption="Chips")
    with pytest.raises(BadRequest):
        await bot.edit_message_text("Two", CHANNEL, photo.message_id)


async def test_link_preview_options_are_recorded_and_edits_keep_the_rules(server, bot):
    preview = LinkPreviewOptions(url=PICTURE, prefer_large_media=True, show_above_text=True)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Read", url="https://e.org/a")]])
    sent = await bot.send_message(
        CHANNEL,
        "<b>Chips</b>",
        parse_mode=HTML,
        link_preview_options=preview,
        reply_markup=keyboard,
    )
    (call,) = server.calls_of("sendMessage", chat_id=CHANNEL)
    assert call.params["link_preview_options"] == {
        "url": PICTURE,
        "prefer_large_media": True,
        "show_above_text": True,
    }
    assert sent.link_preview_options == preview
    with pytest.raises(BadRequest):
        await bot.edit_message_text(
            "<b>Chips</b>",
            CHANNEL,
            sent.message_id,
            parse_mode=HTML,
            link_preview_options=preview,
            reply_markup=keyboard,
        )
    assert description(server, "editMessageText").startswith("Bad Request: message is not modified")
    edited = await bot.edit_message_text(
        "<b>Chips</b>", CHANNEL, sent.message_id, parse_mode=HTML, link_preview_options=preview
    )  # the keyboard goes: a change
    assert edited.reply_markup is None and edited.link_preview_options == preview
    assert server.calls_of("editMessageText")[-1].params["link_preview_options"]["url"] == PICTURE
