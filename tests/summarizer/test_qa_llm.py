"""The llm backend against a fake OpenAI-compatible server: kept answers, rejected ones, fallbacks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from summarizer.errors import InputError
from summarizer.qa import Answer, QAOptions, Turn, answer
from summarizer.types import Article
from tests.helpers.fake_openai import (
    Completion,
    FakeOpenAI,
    Hang,
    RawBody,
    Status,
    completion_of,
    unused_base_url,
)

ARTICLE = Article(
    title="DeepSeek تطلق R1",
    text=(
        "كشفت شركة DeepSeek عن نموذجها R1.\n"
        "يتكوّن النموذج من 671 مليار معلمة.\n"
        "ودُرِّب النموذج باستخدام 2048 وحدة معالجة رسومات."
    ),
)
PARAMETERS_SENTENCE = "يتكوّن النموذج من 671 مليار معلمة."
QUESTION = "كم عدد معلمات النموذج؟"


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


def options_for(server: FakeOpenAI, **overrides: object) -> QAOptions:
    settings: dict[str, object] = {
        "backend": "llm",
        "llm_base_url": server.base_url,
        "llm_model": "fake-model",
        "llm_timeout": 2.0,
    }
    return QAOptions(**(settings | overrides))  # type: ignore[arg-type]


async def ask(question: str, options: QAOptions, history: tuple[Turn, ...] = ()) -> Answer:
    # answer() is synchronous (the bot runs it in a thread); the fake serves on this loop.
    return await asyncio.to_thread(answer, question, ARTICLE, history, options)


async def test_valid_reply_is_kept_with_located_evidence(fake_llm: FakeOpenAI) -> None:
    # Diacritics and spacing differ from the article: still the same sentence.
    fake_llm.enqueue(
        completion_of(
            {
                "answer": "671 مليار معلمة",
                "evidence": ["يتكون  النموذج من 671 مليار معلمة"],
                "answerable": True,
            }
        )
    )
    result = await ask(QUESTION, options_for(fake_llm))
    assert result.backend == "llm" and not result.abstained
    assert result.text == "671 مليار معلمة"
    assert [evidence.text for evidence in result.evidence] == [PARAMETERS_SENTENCE]
    evidence = result.evidence[0]
    assert evidence.index == 1
    assert ARTICLE.text[evidence.start : evidence.end] == PARAMETERS_SENTENCE


async def test_request_holds_the_article_and_the_question(
    fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sekrit")
    fake_llm.enqueue(completion_of({"answer": "", "evidence": [], "answerable": False}))
    await ask(QUESTION, options_for(fake_llm, llm_api_key_env="MY_LLM_KEY"))
    (request,) = fake_llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sekrit"
    assert request.body["model"] == "fake-model"
    system, article, question = request.body["messages"]  # nothing but these three
    assert article == {"role": "user", "content": f"Article:\n{ARTICLE.title}\n\n{ARTICLE.text}"}
    assert question == {"role": "user", "content": QUESTION}
    assert system["role"] == "system"
    for asked_for in ("language of the question", "evidence", "word for word", '"answerable"'):
        assert asked_for in system["content"]


async def test_no_api_key_sends_no_authorization(
    fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KHULASA_LLM_API_KEY", raising=False)
    fake_llm.enqueue(completion_of({"answer": "", "evidence": [], "answerable": False}))
    await ask(QUESTION, options_for(fake_llm))
    assert "Authorization" not in fake_llm.requests[0].headers


async def test_unanswerable_reply_abstains(fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue(completion_of({"answer": "", "evidence": [], "answerable": False}))
    result = await ask("من فاز بكأس العالم؟", options_for(fake_llm))
    assert result.abstained and result.backend == "llm" and result.evidence == ()


async def test_history_goes_into_the_messages(fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue(
        completion_of(
            {"answer": "2048", "evidence": [ARTICLE.text.splitlines()[2]], "answerable": True}
        )
    )
    history = (Turn(QUESTION, "671 مليار"),)
    result = await ask("وكم وحدة معالجة؟", options_for(fake_llm), history)
    assert result.evidence[0].index == 2
    roles = [message["role"] for message in fake_llm.requests[0].body["messages"]]
    assert roles == ["system", "user", "user", "assistant", "user"]
    assert fake_llm.requests[0].body["messages"][2]["content"] == QUESTION
    assert "671 مليار" in fake_llm.requests[0].body["messages"][3]["content"]


async def test_fenced_json_reply_is_accepted(fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue(
        Completion(
            '```json\n{"answer": "R1", "evidence": ["كشفت شركة DeepSeek عن نموذجها R1."], '
            '"answerable": true}\n```'
        )
    )
    result = await ask("ما اسم النموذج؟", options_for(fake_llm))
    assert result.backend == "llm" and result.evidence[0].index == 0


@pytest.mark.parametrize(
    "evidence",
    [
        ["يتكون النموذج من 700 مليار معلمة."],  # a number the article does not hold
        ["النموذج فيه 671 مليار معلمة."],  # a paraphrase, not a quote
        [PARAMETERS_SENTENCE, "وحققت الشركة أرباحًا قياسية."],  # one real, one invented
        ["النموذج"],  # a stray word is no citation
        [],  # an answer with no evidence at all
    ],
    ids=["wrong-number", "paraphrase", "one-invented", "stray-word", "none"],
)
async def test_unfounded_reply_falls_back_to_retrieval(
    fake_llm: FakeOpenAI, evidence: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.enqueue(
        completion_of({"answer": "700 مليار", "evidence": evidence, "answerable": True})
    )
    with caplog.at_level(logging.WARNING, logger="summarizer.qa"):
        result = await ask(QUESTION, options_for(fake_llm))
    assert result.backend == "retrieval"
    assert "700" not in result.text
    assert [evidence.text for evidence in result.evidence] == [PARAMETERS_SENTENCE]
    warnings = [
        record for record in caplog.records if "falling back to retrieval" in record.getMessage()
    ]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Status(500),
        Status(429),
        RawBody("<html>gateway error</html>"),
        Completion("The model has 671 billion parameters."),
        completion_of({"answer": 671, "evidence": "one", "answerable": "yes"}),
    ],
    ids=["http-500", "http-429", "non-json-body", "non-json-content", "wrong-types"],
)
async def test_failed_reply_falls_back_to_retrieval(fake_llm: FakeOpenAI, reply: object) -> None:
    fake_llm.enqueue(reply)  # type: ignore[arg-type]
    result = await ask(QUESTION, options_for(fake_llm))
    assert result.backend == "retrieval" and not result.abstained
    assert "671 مليار معلمة" in result.text
    assert len(fake_llm.requests) == 1


async def test_timeout_falls_back_to_retrieval(fake_llm: FakeOpenAI) -> None:
    fake_llm.enqueue(Hang())
    result = await asyncio.wait_for(ask(QUESTION, options_for(fake_llm, llm_timeout=0.1)), 5)
    assert result.backend == "retrieval"
    assert "671 مليار معلمة" in result.text


async def test_unreachable_endpoint_falls_back_to_retrieval() -> None:
    options = QAOptions(
        backend="llm", llm_base_url=unused_base_url(), llm_model="m", llm_timeout=1.0
    )
    result = await asyncio.to_thread(answer, QUESTION, ARTICLE, (), options)
    assert result.backend == "retrieval"


def test_llm_without_endpoint_is_an_input_error() -> None:
    with pytest.raises(InputError, match="base URL and a model"):
        answer(QUESTION, ARTICLE, options=QAOptions(backend="llm"))
