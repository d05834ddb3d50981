"""Questions on a story's post: answered from every summarized article of the story."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core import RepliedMessage
from summarizer import Article as TextArticle
from summarizer.qa import Answer, QAOptions, Turn
from tests.core.conftest import FakeAnswerer, FakeOutbox, add_article, join_story, now, private

DUBAI_TEXT = "وقالت مصادر إن الجهاز سيباع في دبي بسعر منخفض خلال الشهر المقبل. "
ENGLISH_TEXT = "The startup said the model will ship to developers next quarter. "

# The whole module runs on SQLite and on PostgreSQL (the store fixture uses database_url).
pytestmark = pytest.mark.usefixtures("database_url")


class LanguageAwareAnswerer(FakeAnswerer):
    """The fake, abstaining with `other_language` when the question's script is not the article's."""

    def __call__(
        self, question: str, article: TextArticle, history: Sequence[Turn], options: QAOptions
    ) -> Answer:
        answer = super().__call__(question, article, history, options)
        if not answer.abstained:
            return answer
        latin_question = question.isascii()
        other = latin_question != (article.language == "en")
        return replace(answer, reason="other_language" if other else "not_in_article")


@pytest.fixture
def answerer() -> FakeAnswerer:
    return LanguageAwareAnswerer()


def story(store, second_text: str = DUBAI_TEXT, second_language: str = "ar") -> tuple[int, int]:
    """alpha reported first, beta joined: one story of two summarized articles."""
    first = add_article(store, "alpha", "a1", published_at=now() - timedelta(hours=2))
    second = add_article(
        store,
        "beta",
        "b1",
        text=second_text,
        language=second_language,
        published_at=now() - timedelta(hours=1),
    )
    join_story(store, first, second)
    return first, second


async def post_of_latest_story(core) -> FakeOutbox:
    """/summary through an outbox: the story's post is the outbox's last message."""
    out = FakeOutbox(private("7").destination)
    await core.handle("summary", private("7"), "1", out=out)
    return out


async def test_an_answer_only_the_second_source_has_is_quoted_with_its_source(core, store):
    first, _ = story(store)
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7"), "دبي", RepliedMessage(out.last_id()))
    answer = reply.answer
    assert not answer.abstained and answer.answer == "answer: دبي"
    assert [quote.source for quote in answer.evidence] == ["beta"]
    assert "دبي" in answer.evidence[0].text
    assert answer.article_id == first  # the conversation stays the post's
    assert answer.article_title == "b1" and answer.article_url == "https://example.org/b1"


async def test_the_best_scored_answer_among_the_sources_is_kept(core, store):
    story(store, second_text=DUBAI_TEXT + "وافتتحت الشركة مكتبا في الرياض. ")
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7"), "الرياض دبي", RepliedMessage(out.last_id()))
    assert reply.answer.evidence[0].source == "beta"  # both words: beta scores higher


async def test_a_tie_is_answered_from_the_posts_own_article(core, store):
    story(store, second_text=DUBAI_TEXT + "وافتتحت الشركة مكتبا في الرياض. ")
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7"), "الرياض", RepliedMessage(out.last_id()))
    assert reply.answer.evidence[0].source == "alpha"


async def test_no_article_of_the_story_says_it_so_it_abstains(core, store, answerer):
    story(store)
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7"), "المريخ", RepliedMessage(out.last_id()))
    assert reply.answer.abstained and reply.answer.answer == "لم يذكر المقال ذلك."
    assert reply.answer.evidence == ()
    assert len(answerer.calls) == 2  # each article was asked


async def test_unsummarized_articles_of_the_story_are_not_asked(core, store, answerer):
    first, second = story(store)
    unsummarized = add_article(store, "gamma", "c1", text=DUBAI_TEXT, summary=None)
    join_story(store, first, second, unsummarized)
    out = await post_of_latest_story(core)
    await core.ask(private("7"), "المريخ", RepliedMessage(out.last_id()))
    assert len(answerer.calls) == 2  # alpha and beta; gamma has no summary yet


async def test_a_follow_up_on_the_answer_keeps_the_story_and_the_turns(core, store, answerer):
    story(store)
    out = await post_of_latest_story(core)
    await core.ask(private("7"), "دبي", RepliedMessage(out.last_id()), out)
    reply = await core.ask(private("7"), "دبي الشهر", RepliedMessage(out.last_id()))
    assert reply.answer.evidence[0].source == "beta"
    assert [turn.question for turn in answerer.calls[-1][1]] == ["دبي"]


async def test_a_question_no_article_can_read_gets_the_other_language_reason(core, store):
    story(store)
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7", "en"), "Mars?", RepliedMessage(out.last_id()))
    assert reply.answer.abstained and reply.answer.answer.startswith("I can't read")


async def test_an_article_in_the_questions_language_that_does_not_say_is_an_abstention(core, store):
    story(store, second_text=ENGLISH_TEXT, second_language="en")
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7", "en"), "Mars?", RepliedMessage(out.last_id()))
    assert reply.answer.abstained and reply.answer.answer == "The article doesn't say."


async def test_an_english_source_of_an_arabic_story_answers_an_english_question(core, store):
    story(store, second_text=ENGLISH_TEXT, second_language="en")
    out = await post_of_latest_story(core)
    reply = await core.ask(private("7", "en"), "developers", RepliedMessage(out.last_id()))
    assert reply.answer.answer == "answer: developers"
    assert reply.answer.evidence[0].source == "beta"
