"""Follow-up questions on an article: replies to posts, multi-turn chains, localized abstention."""

from __future__ import annotations

import pytest

from bot.core import RepliedMessage
from bot.errors import UserError
from tests.core.conftest import add_article, private


@pytest.fixture
async def posted(core, store, sender):
    """A subscribed private chat that received one post (message id "1")."""
    await core.handle("subscribe", private("7"), "")
    article = add_article(store, "alpha", "a1")
    await core.deliver_new(sender)
    return article


async def test_reply_to_a_post_is_answered_from_its_article(core, posted):
    reply = await core.ask(private("7"), "الرياض ؟", RepliedMessage("1", from_bot=True))
    assert reply.answer.article_id == posted
    assert reply.answer.answer == "answer: الرياض"
    assert reply.answer.evidence and "الرياض" in reply.answer.evidence[0]
    assert (
        reply.answer.article_title == "a1" and reply.answer.article_url == "https://example.org/a1"
    )


@pytest.mark.parametrize(
    ("language", "text"), [("ar", "لم يذكر المقال ذلك."), ("en", "The article doesn't say.")]
)
async def test_abstention_is_localized(core, posted, language, text):
    reply = await core.ask(private("7", language), "what about Mars?", RepliedMessage("1"))
    assert reply.answer.abstained and reply.answer.answer == text


async def test_multi_turn_chain_passes_earlier_turns(core, posted, answerer):
    first = await core.ask(private("7"), "الرياض", RepliedMessage("1"))
    await core.record_message(
        private("7").destination,
        "2",
        posted,
        parent_message_id="1",
        question="الرياض",
        answer=first.answer.answer,
    )
    await core.handle("ask", private("7"), "الشركة", RepliedMessage("2"))
    second_history = answerer.calls[-1][1]
    assert [(turn.question, turn.answer) for turn in second_history] == [
        ("الرياض", "answer: الرياض")
    ]


async def test_ask_without_question_prompts_for_one(core, posted):
    reply = await core.handle("ask", private("7", "en"), "", RepliedMessage("1"))
    assert reply.prompt_question and reply.text.startswith("Type your question")


async def test_reply_to_an_unknown_message_is_a_reader_error(core, posted):
    with pytest.raises(UserError) as caught:
        await core.ask(private("7"), "سؤال", RepliedMessage("999"))
    assert caught.value.key == "error.not_an_article"


async def test_ask_without_reply_is_a_reader_error(core):
    with pytest.raises(UserError) as caught:
        await core.handle("ask", private("7"), "سؤال")
    assert caught.value.key == "error.ask_needs_reply"


async def test_summary_posts_recorded_by_the_adapter_can_be_asked_about(core, store):
    article = add_article(store, "alpha", "a1")
    reply = await core.handle("summary", private("7"), "")
    await core.record_message(private("7").destination, "77", reply.posts[0].article_id)
    answered = await core.ask(private("7"), "الرياض", RepliedMessage("77"))
    assert answered.answer.article_id == article
