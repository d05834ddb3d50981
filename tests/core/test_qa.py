"""Follow-up questions on an article: replies to posts, multi-turn chains, localized abstention."""

from __future__ import annotations

import pytest

from bot.core import RepliedMessage
from bot.errors import UserError
from bot.i18n import t
from tests.core.conftest import FakeOutbox, add_article, private


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
    assert reply.answer.evidence and "الرياض" in reply.answer.evidence[0].text
    assert reply.answer.evidence[0].source == "alpha"
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
    out = FakeOutbox(private("7").destination)
    await core.ask(private("7"), "الرياض", RepliedMessage("1"), out)
    await core.handle("ask", private("7"), "الشركة", RepliedMessage(out.last_id()))
    second_history = answerer.calls[-1][1]
    assert [(turn.question, turn.answer) for turn in second_history] == [
        ("الرياض", "answer: الرياض")
    ]


async def test_a_chain_remembers_every_turn_in_order(core, posted, answerer):
    out = FakeOutbox(private("7").destination)
    await core.ask(private("7"), "الرياض", RepliedMessage("1"), out)
    await core.ask(private("7"), "الشركة", RepliedMessage(out.last_id()), out)
    await core.ask(private("7"), "النموذج", RepliedMessage(out.last_id()))
    assert [turn.question for turn in answerer.calls[-1][1]] == ["الرياض", "الشركة"]


async def test_an_answer_not_sent_through_an_outbox_is_not_recorded(core, posted):
    await core.ask(private("7"), "الرياض", RepliedMessage("1"))
    with pytest.raises(UserError) as caught:
        await core.ask(private("7"), "الشركة", RepliedMessage("100"))
    assert caught.value.key == "error.not_an_article"


async def test_ask_without_question_prompts_for_one(core, posted):
    reply = await core.handle("ask", private("7", "en"), "", RepliedMessage("1"))
    assert reply.prompt_question and reply.text.startswith("Type your question")


async def test_the_reply_to_a_prompt_asks_about_its_article(core, posted, answerer):
    out = FakeOutbox(private("7").destination)
    await core.handle("ask", private("7", "en"), "", RepliedMessage("1"), out=out)
    assert out.prompts[0].startswith("Type your question") and not out.answers
    answered = await core.ask(private("7"), "الرياض", RepliedMessage(out.last_id()))
    assert answered.answer.article_id == posted
    assert answerer.calls[-1][1] == ()  # the prompt is no turn of the conversation


async def test_the_ask_button_prompts_for_the_posts_article(core, posted):
    out = FakeOutbox(private("7").destination)
    await core.prompt(private("7", "en"), posted, RepliedMessage("1", from_bot=True), out)
    assert out.prompts == [t("ask.prompt", "en")]
    answered = await core.ask(private("7"), "الرياض", RepliedMessage(out.last_id()))
    assert answered.answer.article_id == posted


async def test_reply_to_an_unknown_message_is_a_reader_error(core, posted):
    with pytest.raises(UserError) as caught:
        await core.ask(private("7"), "سؤال", RepliedMessage("999"))
    assert caught.value.key == "error.not_an_article"


async def test_ask_without_reply_is_a_reader_error(core):
    with pytest.raises(UserError) as caught:
        await core.handle("ask", private("7"), "سؤال")
    assert caught.value.key == "error.ask_needs_reply"


async def test_summary_posts_sent_through_the_outbox_can_be_asked_about(core, store):
    article = add_article(store, "alpha", "a1")
    out = FakeOutbox(private("7").destination)
    await core.handle("summary", private("7"), "", out=out)
    [(post_id, post)] = out.posts.items()
    assert post.article_id == article
    answered = await core.ask(private("7"), "الرياض", RepliedMessage(post_id))
    assert answered.answer.article_id == article


async def test_text_replies_are_sent_but_lead_to_no_article(core, posted):
    out = FakeOutbox(private("7").destination)
    await core.handle("help", private("7"), "", out=out)
    assert out.texts and out.counter == 99  # no message id asked for, none recorded
