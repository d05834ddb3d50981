"""Follow-up questions: a reply to a post (or to an earlier answer) is answered from its story.

Every summarized article of the post's story is asked; the best-scored answer is kept and its
evidence names the source it quotes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.core.context import CoreContext
from bot.core.posts import web_url
from bot.core.types import AnswerView, Caller, Destination, Quote, RepliedMessage, Reply
from bot.errors import UserError
from bot.i18n import t
from bot.store import SourcedArticle
from summarizer import Article
from summarizer.errors import SummarizerError
from summarizer.qa import Answer, QAOptions, Turn

log = logging.getLogger(__name__)

Answerer = Callable[[str, Article, Sequence[Turn], QAOptions], Answer]
MAX_ARTICLES = 10  # a story's articles asked per question: each is one pass of the backend


@dataclass(frozen=True, slots=True)
class Thread:
    """The post a replied message belongs to, its story's articles, and the turns so far."""

    article_id: int  # the post's article: the conversation is recorded under it
    articles: tuple[SourcedArticle, ...]  # answered from: the post's own first, then the story's
    history: tuple[Turn, ...]


class QuestionAnswering:
    """Finds the story behind a reply, keeps the multi-turn chain, and localizes abstentions."""

    def __init__(self, context: CoreContext, options: QAOptions, answerer: Answerer) -> None:
        self.context = context
        self.options = options
        self.answerer = answerer

    async def ask(self, caller: Caller, question: str, replied: RepliedMessage | None) -> Reply:
        if replied is None:
            raise UserError("error.ask_needs_reply")
        thread = await self._thread(caller.destination, replied.message_id)
        if thread is None:
            raise UserError("error.not_an_article")
        question = question.strip()
        if not question:
            return self.prompt(caller, thread.article_id)
        async with self.context.inference:
            quoted, answer = await asyncio.to_thread(self._answer, question, thread)
        log.info(
            "answered on article %s from article %s of %d (turn %d, backend %s, abstained %s)",
            thread.article_id,
            quoted.article.id,
            len(thread.articles),
            len(thread.history) + 1,
            answer.backend,
            answer.abstained,
        )
        text = (
            t(abstention_key(answer.reason), caller.language) if answer.abstained else answer.text
        )
        return Reply(
            answer=AnswerView(
                article_id=thread.article_id,
                question=question,
                answer=text,
                evidence=tuple(Quote(item.text, quoted.source or "") for item in answer.evidence),
                abstained=answer.abstained,
                article_title=quoted.article.title,
                article_url=web_url(quoted.article.url),
            )
        )

    def prompt(self, caller: Caller, article_id: int) -> Reply:
        """Asks the reader to type a question about the article; the reply to it is the question."""
        return Reply(
            text=t("ask.prompt", caller.language), prompt_question=True, article_id=article_id
        )

    def _answer(self, question: str, thread: Thread) -> tuple[SourcedArticle, Answer]:
        """Asks each of the story's articles (on a worker thread): the best score wins, the
        earlier article on a tie; an article that fails is skipped. When all abstain, the
        post's own abstention stands, `other_language` only if every article gave that reason."""
        answers: list[tuple[SourcedArticle, Answer]] = []
        failure: SummarizerError | None = None
        for item in thread.articles:
            article = item.article.as_summarizer_article()
            try:
                answers.append(
                    (item, self.answerer(question, article, thread.history, self.options))
                )
            except SummarizerError as error:
                log.warning("question on article %s not answered: %s", item.article.id, error)
                failure = error
        if not answers:
            raise UserError("error.answer_failed") from failure
        answered = [pair for pair in answers if not pair[1].abstained]
        if answered:
            return max(answered, key=lambda pair: pair[1].score)
        own, abstention = answers[0]
        if any(answer.reason != "other_language" for _, answer in answers):
            abstention = replace(abstention, reason="not_in_article")
        return own, abstention

    async def _thread(self, dest: Destination, message_id: str) -> Thread | None:
        conversation = await self.context.store.messages.conversation(dest, str(message_id))
        if conversation is None:
            return None
        post_id = conversation.article.id
        story = await self.context.store.stories.summarized_articles(post_id)
        own = [item for item in story if item.article.id == post_id]
        others = [item for item in story if item.article.id != post_id]
        return Thread(
            article_id=post_id,
            articles=tuple((own + others)[:MAX_ARTICLES]),
            history=tuple(Turn(turn.question, turn.answer) for turn in conversation.history),
        )


def abstention_key(reason: str | None) -> str:
    """The message key that tells a reader why there is no answer."""
    return "qa.other_language" if reason == "other_language" else "qa.abstained"
