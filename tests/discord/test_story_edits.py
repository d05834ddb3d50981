"""A story's post is its embed, edited in place as sources join: picture kept, never re-posted."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.adapters.discord.adapter import RATE_LIMIT_PATIENCE_S
from bot.adapters.discord.embeds import EMBED_DESCRIPTION_MAX, post_embed
from bot.core import Destination, Post, TransientDeliveryError
from bot.core.types import ChatKind, EditOutcome, PostSource
from bot.i18n import t
from tests.discord.conftest import DiscordStack, StackFactory, make_config
from tests.helpers.fake_discord import (
    FORUM_CHANNEL_ID,
    TEXT_CHANNEL_ID,
    THREAD_ID,
    FakeDiscord,
    limit_errors,
)

PICTURE = "https://cdn.example.org/chips.jpg"
SENDER_LOG = "bot.adapters.discord.sender"
CHANNEL = Destination("discord", str(TEXT_CHANNEL_ID), kind=ChatKind.CHANNEL)
FORUM = Destination("discord", str(FORUM_CHANNEL_ID), kind=ChatKind.FORUM)
THREAD = Destination("discord", str(TEXT_CHANNEL_ID), str(THREAD_ID), ChatKind.THREAD)
EDITS = r"/channels/\d+/messages/\d+"


def _post(image: str | None = PICTURE, also: tuple[PostSource, ...] = ()) -> Post:
    return Post(
        7,
        7,
        "Chips ship early",
        "https://news.example.org/chips",
        "wire",
        "A chipmaker ships its first 2nm processors months ahead of plan.",
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


def _description(fake: FakeDiscord, message_id: str) -> str:
    return fake.world.messages[int(message_id)]["embeds"][0]["description"]


def _sender_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == SENDER_LOG]


async def _edit(
    bot: DiscordStack,
    dest: Destination,
    message_id: str,
    post: Post,
    caplog: pytest.LogCaptureFixture,
    language: str = "en",
) -> EditOutcome:
    with caplog.at_level(logging.INFO, SENDER_LOG):
        return await bot.adapter.sender.edit_post(dest, message_id, post, language)


async def test_an_edit_lists_the_new_sources_and_keeps_the_picture(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = await bot.adapter.sender.send_post(CHANNEL, _post(), "en")
    outcome = await _edit(bot, CHANNEL, message_id, _post(also=_sources(2)), caplog)
    assert outcome is EditOutcome.EDITED
    [edit] = bot.fake.calls("PATCH", rf"/channels/{TEXT_CHANNEL_ID}/messages/{message_id}")
    [embed] = edit.body["embeds"]
    assert embed["image"] == {"url": PICTURE} and embed["url"] == "https://news.example.org/chips"
    assert embed["description"].endswith(
        "\n\nAlso: [Outlet 1](https://outlet1.example.org/a), "
        "[Outlet 2](https://outlet2.example.org/a)"
    )
    assert bot.fake.images(TEXT_CHANNEL_ID) == [PICTURE]
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1
    assert len(_sender_lines(caplog)) == 1 and "edited post" in _sender_lines(caplog)[0]


async def test_a_forum_post_is_edited_in_its_own_thread(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = await bot.adapter.sender.send_post(FORUM, _post(), "en")
    assert await _edit(bot, FORUM, message_id, _post(also=_sources(1)), caplog) is (
        EditOutcome.EDITED
    )
    [edit] = bot.fake.calls("PATCH", EDITS)
    assert edit.path == f"/channels/{message_id}/messages/{message_id}"
    assert _description(bot.fake, message_id).endswith("[Outlet 1](https://outlet1.example.org/a)")
    assert len(bot.fake.calls("POST", rf"/channels/{FORUM_CHANNEL_ID}/threads")) == 1


async def test_a_thread_post_is_edited_in_the_thread(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = await bot.adapter.sender.send_post(THREAD, _post(None), "en")
    assert await _edit(bot, THREAD, message_id, _post(None, _sources(1)), caplog) is (
        EditOutcome.EDITED
    )
    [edit] = bot.fake.calls("PATCH", EDITS)
    assert edit.path == f"/channels/{THREAD_ID}/messages/{message_id}"


async def test_a_picture_refused_on_edit_is_dropped_once_and_the_sources_still_listed(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = await bot.adapter.sender.send_post(CHANNEL, _post(), "en")
    bot.fake.refuse_image(PICTURE)
    assert await _edit(bot, CHANNEL, message_id, _post(also=_sources(1)), caplog) is (
        EditOutcome.EDITED
    )
    assert [call.status for call in bot.fake.calls("PATCH", EDITS)] == [400, 200]
    assert "Also: [Outlet 1]" in _description(bot.fake, message_id)


@pytest.mark.parametrize(
    ("status", "gone"),
    [(404, "deleted"), (403, "no access")],
)
async def test_a_message_that_cannot_be_edited_is_gone_and_never_reposted(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture, status: int, gone: str
) -> None:
    message_id = await bot.adapter.sender.send_post(CHANNEL, _post(), "en")
    if status == 404:
        del bot.fake.world.messages[int(message_id)]  # deleted in the channel: 10008
    else:
        bot.fake.fail("PATCH", EDITS, 403)
    outcome = await _edit(bot, CHANNEL, message_id, _post(also=_sources(1)), caplog)
    assert outcome is EditOutcome.GONE
    assert [call.status for call in bot.fake.calls("PATCH", EDITS)] == [status]
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1
    [line] = _sender_lines(caplog)
    assert "dropped" in line and str(status) in line


@pytest.mark.parametrize(
    ("status", "options"),
    [(429, {"retry_after": RATE_LIMIT_PATIENCE_S + 60}), (503, {})],
    ids=["429", "503"],
)
async def test_a_rate_limit_or_server_error_is_transient(
    bot: DiscordStack, caplog: pytest.LogCaptureFixture, status: int, options: dict
) -> None:
    message_id = await bot.adapter.sender.send_post(CHANNEL, _post(), "en")
    bot.fake.fail("PATCH", EDITS, status, **options)
    post = _post(also=_sources(1))
    with pytest.raises(TransientDeliveryError):
        await _edit(bot, CHANNEL, message_id, post, caplog)
    assert len(_sender_lines(caplog)) == 1 and "failed for now" in _sender_lines(caplog)[0]
    assert await _edit(bot, CHANNEL, message_id, post, caplog) is EditOutcome.EDITED
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1


@pytest.mark.parametrize("language", ["ar", "en"])
async def test_past_the_configured_number_the_rest_are_counted_in_the_chats_language(
    start_bot: StackFactory,
    tmp_path: Path,
    fake: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
    language: str,
) -> None:
    config = make_config(tmp_path, fake)
    config = config.model_validate({**config.model_dump(), "stories": {"max_listed_sources": 2}})
    bot = await start_bot(config)
    message_id = await bot.adapter.sender.send_post(CHANNEL, _post(), language)
    await _edit(bot, CHANNEL, message_id, _post(also=_sources(5)), caplog, language)
    links = "[Outlet 1](https://outlet1.example.org/a)", "[Outlet 2](https://outlet2.example.org/a)"
    sources = t("post.also_separator", language).join(links)
    line = _description(bot.fake, message_id).rsplit("\n", 1)[-1]
    assert line == t("post.also_more", language, sources=sources, count=3)
    assert line.startswith("أيضاً:" if language == "ar" else "Also:")


def test_other_sources_are_inert_markdown_and_only_web_pages_linked() -> None:
    also = (
        PostSource("*Wire* [Co] @everyone", "t", "https://wire.example.org/a_(b)"),
        PostSource("Local", "t", "/srv/news/local.md"),
    )
    description = post_embed(_post(also=also), "en").description or ""
    line = description.rsplit("\n", 1)[-1]
    assert line == (
        "Also: [\\*Wire\\* \\[Co\\] @\u200beveryone](https://wire.example.org/a_(b%29), Local"
    )


def test_a_summary_that_fills_the_embed_leaves_only_what_fits_of_the_sources() -> None:
    summary = "The chips ship early. " * 300  # longer than a description
    post = replace(_post(also=_sources(5)), summary=summary)
    embed = post_embed(post, "en", max_listed=5).to_dict()
    assert len(embed["description"]) <= EMBED_DESCRIPTION_MAX
    assert limit_errors({"embeds": [embed]}) == []
    assert "Outlet 5" not in embed["description"]
