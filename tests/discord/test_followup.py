"""A reply to a bot post is a question about its article, answered through the core."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.adapters.discord.embeds import escape
from bot.i18n import t
from tests.discord.conftest import DiscordStack, StackFactory, make_config
from tests.helpers.fake_discord import TEXT_CHANNEL_ID, FakeDiscord

QUESTION = "When do the processors ship?"
REPLIES = rf"/channels/{TEXT_CHANNEL_ID}/messages"


async def posted(bot: DiscordStack) -> int:
    """/summary in the channel; the id of the bot's post."""
    await bot.command("summary")
    return max(bot.fake.world.messages)


def answers(bot: DiscordStack) -> list[dict]:
    return [body for body in bot.fake.sent(TEXT_CHANNEL_ID) if body.get("message_reference")]


async def test_a_reply_to_a_post_is_answered_from_its_article(bot: DiscordStack) -> None:
    post_id = await posted(bot)
    question = await bot.fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=post_id)
    await bot.fake.wait_for(lambda: answers(bot))
    [answer] = answers(bot)
    assert str(answer["message_reference"]["message_id"]) == question["id"]
    assert "ahead of plan" in answer["embeds"][0]["description"]
    assert answer["allowed_mentions"]["parse"] == []


async def test_each_quoted_sentence_names_its_source(bot: DiscordStack) -> None:
    post_id = await posted(bot)
    await bot.fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=post_id)
    await bot.fake.wait_for(lambda: answers(bot))
    [answer] = answers(bot)
    quotes = answer["embeds"][0]["description"].split(t("answer.evidence", "en"), 1)[1]
    lines = quotes.strip().split("\n")
    assert lines[1::2] == [f"> {escape(t('answer.quote_source', 'en', source='local'))}"] * (
        len(lines) // 2
    )
    assert len(lines) >= 2 and len(lines) % 2 == 0


async def test_a_reply_to_the_answer_continues_the_conversation(bot: DiscordStack) -> None:
    post_id = await posted(bot)
    await bot.fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=post_id)
    await bot.fake.wait_for(lambda: answers(bot))
    answer_id = max(bot.fake.world.messages)
    await bot.fake.user_message(
        TEXT_CHANNEL_ID, "Will prices stay close to the current generation?", reply_to=answer_id
    )
    await bot.fake.wait_for(lambda: len(answers(bot)) == 2)
    assert "current generation" in answers(bot)[1]["embeds"][0]["description"]


async def test_replies_to_other_people_are_left_alone(bot: DiscordStack) -> None:
    post_id = await posted(bot)
    chatter = await bot.fake.user_message(TEXT_CHANNEL_ID, "nice")
    await bot.fake.user_message(TEXT_CHANNEL_ID, "agreed?", reply_to=int(chatter["id"]))
    await bot.fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=post_id)
    await bot.fake.wait_for(lambda: answers(bot))
    assert len(answers(bot)) == 1  # events are handled in order: the first reply got nothing


async def test_a_reply_to_a_bot_message_that_is_no_summary_gets_the_localized_error(
    bot: DiscordStack,
) -> None:
    await bot.command("summary", {"query": "999"})  # the bot answers with an error text
    await bot.fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=max(bot.fake.world.messages))
    await bot.fake.wait_for(lambda: answers(bot))
    [answer] = answers(bot)
    assert answer["content"] == escape(t("error.not_an_article", "en"))


async def test_a_failing_reply_is_logged_with_its_traceback_and_apologized_for(
    bot: DiscordStack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("model on fire")

    post_id = await posted(bot)
    monkeypatch.setattr(bot.core, "ask", broken)
    with caplog.at_level(logging.ERROR, logger="bot.adapters.discord.handlers"):
        await bot.fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=post_id)
        await bot.fake.wait_for(lambda: answers(bot))
    [apology] = answers(bot)
    assert apology["content"] == t("error.generic", "en")
    assert "model on fire" not in apology["content"]
    [record] = [r for r in caplog.records if "on_message" in r.getMessage()]
    assert record.exc_info and "model on fire" in str(record.exc_info[1])


async def test_answers_open_a_thread_when_configured(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    bot = await start_bot(make_config(tmp_path, fake, answer_in_thread=True))
    await bot.fetch()
    post_id = await posted(bot)
    question = await fake.user_message(TEXT_CHANNEL_ID, QUESTION, reply_to=post_id)
    [thread_call] = await fake.wait_calls(
        "POST", rf"/channels/{TEXT_CHANNEL_ID}/messages/{question['id']}/threads"
    )
    thread_id = int(question["id"])  # a thread has its starter message's id
    await fake.wait_for(lambda: fake.sent(thread_id))
    [answer] = fake.sent(thread_id)
    assert thread_call.body["name"] == "Chipmaker ships a 2nm processor early"
    assert "ahead of plan" in answer["embeds"][0]["description"]
    follow_up = await fake.user_message(
        thread_id,
        "Will prices stay close to the current generation?",
        reply_to=max(fake.world.messages),
    )
    await fake.wait_for(lambda: len(fake.sent(thread_id)) == 2)
    assert "current generation" in fake.sent(thread_id)[1]["embeds"][0]["description"]
    assert follow_up["channel_id"] == str(thread_id)
    [asked] = await bot.command(
        "ask", {"question": "Will rivals feel pressure from the launch?"}, channel_id=thread_id
    )
    assert "pressure on rivals" in asked["embeds"][0]["description"]
