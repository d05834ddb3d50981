"""A reply to a bot post is a question about its article, answered through the core."""

from __future__ import annotations

from pathlib import Path

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
    thread_id = max(fake.world.channels)
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
