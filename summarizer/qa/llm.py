"""Answers through any OpenAI-compatible chat endpoint, keeping only answers whose quotes are real."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Any

import httpx

from summarizer.errors import InputError
from summarizer.text import Sentence
from summarizer.types import Article

from .evidence import article_sentences, locate_quote, to_evidence
from .types import Answer, QAOptions, Turn

BACKEND = "llm"
# A kept answer cites verbatim sentences; the endpoint gives no calibrated confidence.
KEPT_SCORE = 1.0

SYSTEM_PROMPT = (
    "You answer a reader's question about one news article, using only that article. "
    "Answer in the language of the question. Reply with one JSON object and nothing else: "
    '{"answer": string, "evidence": [sentences copied word for word from the article], '
    '"answerable": boolean}. If the article does not contain the answer, reply '
    '{"answer": "", "evidence": [], "answerable": false}.'
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class LLMReplyError(Exception):
    """The endpoint failed or its reply cannot be trusted; the caller falls back to retrieval."""


def build_messages(
    question: str, article: Article, history: Sequence[Turn]
) -> list[dict[str, str]]:
    """The chat: instructions, the article, earlier turns, then the question; nothing else."""
    heading = f"{article.title}\n\n" if article.title else ""
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Article:\n{heading}{article.text}"},
    ]
    for turn in history:
        messages.append({"role": "user", "content": turn.question})
        messages.append(
            {
                "role": "assistant",
                "content": json.dumps({"answer": turn.answer}, ensure_ascii=False),
            }
        )
    messages.append({"role": "user", "content": question})
    return messages


def _endpoint(options: QAOptions) -> tuple[str, dict[str, str]]:
    if not options.llm_base_url or not options.llm_model:
        raise InputError(
            "the llm backend needs a base URL and a model (qa.llm.base_url, qa.llm.model)"
        )
    headers = {"Content-Type": "application/json"}
    api_key = os.environ.get(options.llm_api_key_env)
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return options.llm_base_url.rstrip("/") + "/chat/completions", headers


def _request(messages: list[dict[str, str]], options: QAOptions) -> str:
    url, headers = _endpoint(options)
    body = {"model": options.llm_model, "messages": messages, "temperature": 0}
    try:
        with httpx.Client(timeout=httpx.Timeout(options.llm_timeout)) as client:
            response = client.post(url, json=body, headers=headers)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
    except httpx.TimeoutException as error:
        raise LLMReplyError(f"timed out after {options.llm_timeout}s") from error
    except httpx.HTTPStatusError as error:
        raise LLMReplyError(f"HTTP {error.response.status_code}") from error
    except httpx.HTTPError as error:
        raise LLMReplyError(f"{type(error).__name__}: {error}") from error
    except (ValueError, LookupError, TypeError) as error:
        raise LLMReplyError("the response is not an OpenAI chat completion") from error
    if not isinstance(content, str):
        raise LLMReplyError("the completion has no text content")
    return content


def _parse(content: str) -> dict[str, Any]:
    try:
        reply = json.loads(_FENCE.sub("", content.strip()))
    except json.JSONDecodeError as error:
        raise LLMReplyError("the reply is not JSON") from error
    if not (
        isinstance(reply, dict)
        and isinstance(reply.get("answer"), str)
        and isinstance(reply.get("answerable"), bool)
        and isinstance(reply.get("evidence"), list)
        and all(isinstance(quote, str) for quote in reply["evidence"])
    ):
        raise LLMReplyError("the reply lacks answer/evidence/answerable of the right types")
    return reply


def _cited_sentences(quotes: list[str], sentences: list[Sentence]) -> list[Sentence]:
    cited: dict[int, Sentence] = {}
    for quote in quotes:
        found = locate_quote(quote, sentences)
        if found is None:
            raise LLMReplyError(f"cited evidence is not in the article: {quote[:80]!r}")
        cited.update((sentence.index, sentence) for sentence in found)
    return [cited[index] for index in sorted(cited)]


def answer_with_llm(
    question: str, article: Article, history: Sequence[Turn], options: QAOptions
) -> Answer:
    """Asks the endpoint; raises LLMReplyError when the reply is missing, malformed or unfounded."""
    sentences = article_sentences(article)
    reply = _parse(_request(build_messages(question, article, history), options))
    if not reply["answerable"]:
        return Answer(text="", evidence=(), score=0.0, abstained=True, backend=BACKEND)
    if not reply["evidence"] or not reply["answer"].strip():
        raise LLMReplyError("an answer without evidence")
    cited = _cited_sentences(reply["evidence"], sentences)
    return Answer(
        text=reply["answer"].strip(),
        evidence=tuple(to_evidence(sentence) for sentence in cited),
        score=KEPT_SCORE,
        abstained=False,
        backend=BACKEND,
    )
