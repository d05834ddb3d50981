"""Follow-up questions: a reply to a post (or to an earlier answer) is answered from that article."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.context import CoreContext
from bot.core.posts import web_url
from bot.core.types import AnswerView, Caller, Destination, RepliedMessage, Reply
from bot.errors import UserError
from bot.i18n import t
from summarizer import Article
from summarizer.errors import SummarizerError
from summarizer.qa import Answer, QAOptions, Turn

log = logging.getLogger(__name__)

Answerer = Callable[[str, Article, Sequence[Turn], QAOptions], Answer]


@dataclass(frozen=True, slots=True)
class Thread:
    """The article a replied message belongs to, and the turns asked about it so far."""

    article_id: int
    article: Article
    title: str
    url: str | None
    history: tuple[Turn, ...]


class QuestionAnswering:
    """Finds the article behind a reply, keeps the multi-turn chain, and localizes abstentions."""

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
        try:
            async with self.context.inference:
                answer = await asyncio.to_thread(
                    self.answerer, question, thread.article, thread.history, self.options
                )
        except SummarizerError as error:
            log.warning("question on article %s not answered: %s", thread.article_id, error)
            raise UserError("error.answer_failed") from None
        log.info(
            "answered on article %s (turn %d, backend %s, abstained %s)",
            thread.article_id,
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
                evidence=tuple(item.text for item in answer.evidence),
                abstained=answer.abstained,
                article_title=thread.title,
                article_url=thread.url,
            )
        )

    def prompt(self, caller: Caller, article_id: int) -> Reply:
        """Asks the reader to type a question about the article; the reply to it is the question."""
        return Reply(
            text=t("ask.prompt", caller.language), prompt_question=True, article_id=article_id
        )

    async def _thread(self, dest: Destination, message_id: str) -> Thread | None:
        conversation = await self.context.store.messages.conversation(dest, str(message_id))
        if conversation is None:
            return None
        row = conversation.article
        return Thread(
            article_id=row.id,
            article=row.as_summarizer_article(),
            title=row.title,
            url=web_url(row.url),
            history=tuple(Turn(turn.question, turn.answer) for turn in conversation.history),
        )


def abstention_key(reason: str | None) -> str:
    """The message key that tells a reader why there is no answer."""
    return "qa.other_language" if reason == "other_language" else "qa.abstained"
