"""The one entry point: picks the backend, checks the input, and falls back when the LLM fails."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from summarizer.errors import InputError
from summarizer.types import Article

from .llm import LLMReplyError, answer_with_llm
from .retrieval import answer_by_retrieval
from .types import Answer, QAOptions, Turn

log = logging.getLogger(__name__)


def answer(
    question: str,
    article: Article,
    history: Sequence[Turn] = (),
    options: QAOptions | None = None,
) -> Answer:
    """Answers from the article alone, quoting it; when it abstains, `reason` says why."""
    result = _answer(question, article, history, options or QAOptions())
    if result.abstained and result.reason is None:
        return replace(result, reason="not_in_article")
    return result


def _answer(question: str, article: Article, history: Sequence[Turn], options: QAOptions) -> Answer:
    question = question.strip()
    if not question:
        raise InputError("the question is empty")
    if not article.text.strip():
        raise InputError("the article has no text to answer from")
    if options.backend == "transformers":
        from .span_reader import answer_with_reader  # torch stays unimported unless asked for

        return answer_with_reader(question, article, history, options)
    if options.backend == "llm":
        try:
            return answer_with_llm(question, article, history, options)
        except LLMReplyError as error:
            log.warning("llm answer not used, falling back to retrieval: %s", error)
    elif options.backend != "retrieval":
        raise InputError(f"unknown Q&A backend {options.backend!r} (retrieval, transformers, llm)")
    return answer_by_retrieval(question, article, history, options)
