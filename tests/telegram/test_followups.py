"""Follow-up questions: a reply to a post, /ask as a reply, and the «اسأل» button's force-reply."""

from __future__ import annotations

from bot.i18n import t
from tests.telegram.conftest import READER_AR, READER_ID, BotStack, StackFactory, said

QUESTION = "كم ستنخفض الأسعار؟"


async def _post(bot: BotStack) -> int:
    [post] = await bot.say(READER_ID, READER_AR, "/summary")
    return post.result["message_id"]


async def test_reply_to_a_post_is_answered_from_its_article(bot: BotStack) -> None:
    post_id = await _post(bot)
    [answer] = await bot.say(READER_ID, READER_AR, QUESTION, reply_to=post_id)
    assert "40" in answer.result["text"]
    assert answer.params["reply_parameters"]["message_id"] is not None
    assert bot.fake.calls_of("sendChatAction", chat_id=READER_ID, action="typing")


async def test_each_quoted_sentence_names_its_source(bot: BotStack) -> None:
    post_id = await _post(bot)
    [answer] = await bot.say(READER_ID, READER_AR, QUESTION, reply_to=post_id)
    quotes = answer.result["text"].split(t("answer.evidence", "ar"), 1)[1].strip().split("\n\n")
    source_line = t("answer.quote_source", "ar", source="local")
    assert quotes and all(quote.endswith(source_line) for quote in quotes)


async def test_reply_to_a_delivered_post_is_answered(start_bot: StackFactory) -> None:
    stack = await start_bot()
    await stack.say(READER_ID, READER_AR, "/subscribe")
    assert await stack.fetch()
    assert await stack.core.deliver_new(stack.adapter.sender) == 1
    post = stack.fake.calls_of("sendMessage", chat_id=READER_ID)[-1]
    assert post.params["reply_markup"]["inline_keyboard"][0][-1]["text"] == t("post.ask", "ar")
    [answer] = await stack.say(READER_ID, READER_AR, QUESTION, reply_to=post.result["message_id"])
    assert "40" in answer.result["text"]


async def test_reply_to_an_answer_continues_the_thread(bot: BotStack) -> None:
    post_id = await _post(bot)
    [answer] = await bot.say(READER_ID, READER_AR, QUESTION, reply_to=post_id)
    [second] = await bot.say(
        READER_ID, READER_AR, "متى يصل النموذج إلى المطورين؟", reply_to=answer.result["message_id"]
    )
    assert "الربع القادم" in second.result["text"]


async def test_ask_command_as_a_reply(bot: BotStack) -> None:
    post_id = await _post(bot)
    [answer] = await bot.say(READER_ID, READER_AR, f"/ask {QUESTION}", reply_to=post_id)
    assert "40" in answer.result["text"]


async def test_ask_without_a_reply_explains_how(bot: BotStack) -> None:
    [reply] = await bot.say(READER_ID, READER_AR, f"/ask {QUESTION}")
    assert reply.result["text"] == said("error.ask_needs_reply", "ar")


async def test_reply_to_a_message_that_is_no_post(bot: BotStack) -> None:
    [help_message] = await bot.say(READER_ID, READER_AR, "/help")
    [reply] = await bot.say(
        READER_ID, READER_AR, QUESTION, reply_to=help_message.result["message_id"]
    )
    assert reply.result["text"] == said("error.not_an_article", "ar")


async def test_ask_button_prompts_and_the_reply_to_the_prompt_is_answered(bot: BotStack) -> None:
    post_id = await _post(bot)
    data = bot.fake.messages[(READER_ID, post_id)]["reply_markup"]["inline_keyboard"][0][-1][
        "callback_data"
    ]
    before = len(bot.fake.calls_of("sendMessage", chat_id=READER_ID))
    query_id = bot.fake.push_callback(READER_ID, post_id, READER_AR, data)
    [prompt] = await bot.replies(READER_ID, before)
    assert bot.fake.calls_of("answerCallbackQuery", callback_query_id=query_id)
    assert prompt.params["reply_markup"]["force_reply"] is True
    assert prompt.result["text"] == said("ask.prompt", "ar")
    [answer] = await bot.say(READER_ID, READER_AR, QUESTION, reply_to=prompt.result["message_id"])
    assert "40" in answer.result["text"]


async def test_bare_ask_as_a_reply_prompts_and_the_reply_to_the_prompt_is_answered(
    bot: BotStack,
) -> None:
    post_id = await _post(bot)
    [prompt] = await bot.say(READER_ID, READER_AR, "/ask", reply_to=post_id)
    assert prompt.params["reply_markup"]["force_reply"] is True
    assert prompt.result["text"] == said("ask.prompt", "ar")
    [answer] = await bot.say(READER_ID, READER_AR, QUESTION, reply_to=prompt.result["message_id"])
    assert "40" in answer.result["text"]
