"""A story's post is edited in place as sources join: text or caption, never a second message."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from telegram.ext import AIORateLimiter

from bot.adapters.telegram.formatting import MAX_CAPTION, post_html, telegram_length
from bot.core import Destination, Post, TransientDeliveryError
from bot.core.types import EditOutcome, PostSource
from bot.i18n import t
from tests.helpers.fake_telegram import (
    EDIT_NOT_FOUND,
    NOT_MODIFIED,
    Drop,
    Fail,
    FakeTelegram,
    retry_after,
)
from tests.helpers.telegram_html import parse_html
from tests.telegram.conftest import READER_ID, BotStack, StackFactory, make_config

PICTURE = "https://cdn.example.org/chips.jpg"
SENDER_LOG = "bot.adapters.telegram.sender"
READER = Destination("telegram", str(READER_ID))
SENDS = ("sendMessage", "sendPhoto")
EDITS = ("editMessageText", "editMessageCaption")


def _post(summary: str = "Chips ship early.", image: str | None = None, *also: PostSource) -> Post:
    return Post(
        7,
        7,
        "Chips",
        "https://news.example.org/chips",
        "wire",
        summary,
        "en",
        None,
        image,
        also=also,
        story_id=3,
    )


def _sources(count: int) -> tuple[PostSource, ...]:
    return tuple(
        PostSource(f"Outlet {n}", f"Chips ship, take {n}", f"https://outlet{n}.example.org/a")
        for n in range(1, count + 1)
    )


def _message(fake: FakeTelegram, message_id: str) -> dict:
    return fake.messages[(READER_ID, int(message_id))]


def _calls(fake: FakeTelegram, *methods: str) -> list[str]:
    """Every call of these methods, answered or refused, in order."""
    return [call.method for call in fake.calls if call.method in methods]


def _sender_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == SENDER_LOG]


async def _edited(
    bot: BotStack, sent: Post, edited: Post, caplog: pytest.LogCaptureFixture, language="en"
) -> tuple[str, EditOutcome]:
    """Sends `sent`, then edits that message to `edited`; the message id and the outcome."""
    message_id = await bot.adapter.sender.send_post(READER, sent, language)
    caplog.clear()
    with caplog.at_level(logging.INFO, SENDER_LOG):
        outcome = await bot.adapter.sender.edit_post(READER, message_id, edited, language)
    return message_id, outcome


async def test_a_text_post_is_edited_to_list_two_more_sources(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    sent = _post()
    message_id, outcome = await _edited(bot, sent, replace(sent, also=_sources(2)), caplog)
    assert outcome is EditOutcome.EDITED
    message = _message(bot.fake, message_id)
    assert message["text"].endswith("Also: Outlet 1, Outlet 2")
    [edit] = bot.fake.calls_of("editMessageText", chat_id=READER_ID)
    assert '<a href="https://outlet2.example.org/a">Outlet 2</a>' in edit.params["text"]
    assert edit.params["link_preview_options"] == {"url": sent.url}
    [[read_more, ask]] = edit.params["reply_markup"]["inline_keyboard"]
    assert read_more["url"] == sent.url and ask["callback_data"] == "ask:7"
    assert _calls(bot.fake, *SENDS, "editMessageCaption") == ["sendMessage"]
    assert len(_sender_lines(caplog)) == 1 and "edited post" in _sender_lines(caplog)[0]


async def test_a_photo_post_is_edited_with_edit_message_caption(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    sent = _post(image=PICTURE)
    message_id, outcome = await _edited(bot, sent, replace(sent, also=_sources(1)), caplog)
    assert outcome is EditOutcome.EDITED
    assert _calls(bot.fake, *SENDS, *EDITS) == ["sendPhoto", "editMessageCaption"]
    message = _message(bot.fake, message_id)
    assert (
        message["caption"].endswith("Also: Outlet 1") and "Chips ship early." in message["caption"]
    )
    assert bot.fake.photos[(READER_ID, int(message_id))] == PICTURE
    [[_, ask]] = message["reply_markup"]["inline_keyboard"]
    assert ask["callback_data"] == "ask:7"


async def test_a_post_whose_picture_was_refused_is_edited_as_the_text_it_became(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.refuse_photo(PICTURE)
    sent = _post(image=PICTURE)
    message_id, outcome = await _edited(bot, sent, replace(sent, also=_sources(2)), caplog)
    assert outcome is EditOutcome.EDITED
    assert _calls(bot.fake, *EDITS) == ["editMessageCaption", "editMessageText"]
    assert _message(bot.fake, message_id)["text"].endswith("Also: Outlet 1, Outlet 2")
    [edit] = bot.fake.calls_of("editMessageText", chat_id=READER_ID)
    assert edit.params["link_preview_options"] == {"url": sent.url}  # as it was sent
    assert len(_sender_lines(caplog)) == 1


async def test_a_post_too_long_for_a_caption_keeps_its_large_preview(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    summary = " ".join(f"Sentence {n} says the chips ship early." for n in range(40))
    sent = _post(summary, PICTURE)
    message_id, outcome = await _edited(bot, sent, replace(sent, also=_sources(2)), caplog)
    assert outcome is EditOutcome.EDITED
    assert _calls(bot.fake, *SENDS, *EDITS) == ["sendMessage", "editMessageText"]
    [edit] = bot.fake.calls_of("editMessageText", chat_id=READER_ID)
    assert edit.params["link_preview_options"] == {
        "url": PICTURE,
        "prefer_large_media": True,
        "show_above_text": True,
    }
    assert summary in _message(bot.fake, message_id)["text"]


async def test_past_the_configured_number_the_rest_are_counted(
    start_bot: StackFactory, tmp_path: Path, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot(make_config(tmp_path, fake, stories={"max_listed_sources": 2}))
    sent = _post()
    message_id, _ = await _edited(bot, sent, replace(sent, also=_sources(5)), caplog)
    assert _message(bot.fake, message_id)["text"].endswith("Also: Outlet 1, Outlet 2 +3 more")


async def test_sources_that_overflow_a_caption_are_counted_and_the_summary_is_whole(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    head = "Chips ship early. "
    room = MAX_CAPTION - telegram_length(post_html(_post(head, PICTURE), "en"))
    summary = head + "a" * (room - 40)  # 40 units left: two sources and the count fit
    sent = _post(summary, PICTURE)
    message_id, outcome = await _edited(bot, sent, replace(sent, also=_sources(5)), caplog)
    assert outcome is EditOutcome.EDITED
    [edit] = bot.fake.calls_of("editMessageCaption", chat_id=READER_ID)
    assert MAX_CAPTION - 40 < telegram_length(edit.params["caption"]) <= MAX_CAPTION
    caption = _message(bot.fake, message_id)["caption"]
    assert caption.endswith(f"{summary}\n\nAlso: Outlet 1, Outlet 2 +3 more")


async def test_not_modified_is_unchanged_and_sends_nothing(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    post = replace(_post(), also=_sources(2))
    message_id, first = await _edited(bot, _post(), post, caplog)
    caplog.clear()
    with caplog.at_level(logging.INFO, SENDER_LOG):
        again = await bot.adapter.sender.edit_post(READER, message_id, post, "en")
    assert (first, again) == (EditOutcome.EDITED, EditOutcome.UNCHANGED)
    refused = [c.result for c in bot.fake.calls if c.method == "editMessageText" and not c.ok]
    assert refused == [NOT_MODIFIED]
    assert _calls(bot.fake, *SENDS) == ["sendMessage"]
    assert len(_sender_lines(caplog)) == 1 and "already shows" in _sender_lines(caplog)[0]


@pytest.mark.parametrize(
    "refusal",
    [
        EDIT_NOT_FOUND,
        Fail(400, "Bad Request: message can't be edited"),
        Fail(403, "Forbidden: bot was kicked from the supergroup chat"),
    ],
    ids=["deleted", "cannot-edit", "kicked"],
)
async def test_a_message_that_cannot_be_edited_is_gone_and_never_reposted(
    bot: BotStack, caplog: pytest.LogCaptureFixture, refusal: Fail
) -> None:
    sent = _post()
    message_id = await bot.adapter.sender.send_post(READER, sent, "en")
    bot.fake.fail_next("editMessageText", refusal)
    with caplog.at_level(logging.INFO, SENDER_LOG):
        outcome = await bot.adapter.sender.edit_post(
            READER, message_id, replace(sent, also=_sources(1)), "en"
        )
    assert outcome is EditOutcome.GONE
    assert _calls(bot.fake, *SENDS, *EDITS) == ["sendMessage", "editMessageText"]
    [line] = _sender_lines(caplog)
    assert "dropped" in line and refusal.description.split(": ", 1)[1].lower() in line.lower()


async def test_a_deleted_photo_is_gone_after_trying_it_once(
    bot: BotStack, caplog: pytest.LogCaptureFixture
) -> None:
    sent = _post(image=PICTURE)
    message_id = await bot.adapter.sender.send_post(READER, sent, "en")
    del bot.fake.messages[(READER_ID, int(message_id))]  # the chat's admin deleted it
    outcome = await bot.adapter.sender.edit_post(
        READER, message_id, replace(sent, also=_sources(1)), "en"
    )
    assert outcome is EditOutcome.GONE
    assert _calls(bot.fake, *SENDS, *EDITS) == ["sendPhoto", "editMessageCaption"]


@pytest.mark.parametrize(
    "fault", [retry_after(7), Drop(), Fail(502, "Bad Gateway")], ids=["429", "drop", "502"]
)
async def test_a_rate_limit_or_network_failure_is_transient(
    start_bot: StackFactory, caplog: pytest.LogCaptureFixture, fault: Fail | Drop
) -> None:
    """A 429 the rate limiter will not wait out (no retries left here) is retried later."""
    bot = await start_bot(rate_limiter=AIORateLimiter(max_retries=0))
    sent = _post()
    message_id = await bot.adapter.sender.send_post(READER, sent, "en")
    bot.fake.fail_next("editMessageText", fault)
    edited = replace(sent, also=_sources(1))
    with caplog.at_level(logging.INFO, SENDER_LOG), pytest.raises(TransientDeliveryError):
        await bot.adapter.sender.edit_post(READER, message_id, edited, "en")
    assert len(_sender_lines(caplog)) == 1 and "failed for now" in _sender_lines(caplog)[0]
    assert _calls(bot.fake, *SENDS) == ["sendMessage"]
    assert await bot.adapter.sender.edit_post(READER, message_id, edited, "en") in (
        EditOutcome.EDITED,
        EditOutcome.UNCHANGED,  # a dropped answer may hide an edit Telegram made
    )
    assert _message(bot.fake, message_id)["text"].endswith("Also: Outlet 1")


@pytest.mark.parametrize("language", ["ar", "en"])
async def test_the_labels_follow_the_chats_language(
    start_bot: StackFactory,
    tmp_path: Path,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    language: str,
) -> None:
    bot = await start_bot(make_config(tmp_path, fake, stories={"max_listed_sources": 1}))
    sent = _post()
    message_id, _ = await _edited(bot, sent, replace(sent, also=_sources(4)), caplog, language)
    line = _message(bot.fake, message_id)["text"].rsplit("\n", 1)[-1]
    expected = t("post.also_more", language, sources="Outlet 1", count=3)
    assert line == expected
    assert line.startswith("أيضاً:" if language == "ar" else "Also:")


def test_other_sources_are_escaped_and_only_web_pages_linked() -> None:
    also = (
        PostSource("<Wire & Co>", "t", "https://wire.example.org/a?x=1&y=2"),
        PostSource("Local", "t", "/srv/news/local.md"),
        PostSource("", "Untitled outlet's page", None),
    )
    rendered = post_html(replace(_post(), also=also), "en")
    assert '<a href="https://wire.example.org/a?x=1&amp;y=2">&lt;Wire &amp; Co&gt;</a>' in rendered
    assert "/srv/news" not in rendered
    shown = parse_html(rendered)
    assert shown.endswith("Also: <Wire & Co>, Local, Untitled outlet's page")


def test_a_post_without_other_sources_renders_as_before() -> None:
    post = _post("Chips ship early.")
    assert post_html(post, "en") == post_html(replace(post, also=(), story_id=None), "en")
    assert "Also" not in parse_html(post_html(post, "en"))
