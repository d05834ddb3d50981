"""Plain data for follow-up questions: what a reader asked, what the article says, and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

QABackendName = Literal["retrieval", "transformers", "llm"]
# Why an answer abstained: the article does not say, or the offline reader cannot read the
# question's language (a model backend can).
AbstainReason = Literal["not_in_article", "other_language"]

DEFAULT_QA_MODEL = "deepset/xlm-roberta-large-squad2"
DEFAULT_LLM_API_KEY_ENV = "KHULASA_LLM_API_KEY"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One article sentence an answer rests on, with its place so a reader can find it."""

    text: str
    index: int  # sentence index in the article's text
    start: int  # char offsets of the sentence in the article's text
    end: int


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer and the sentences it quotes; `abstained` means the article does not say."""

    text: str
    evidence: tuple[Evidence, ...]
    score: float
    abstained: bool
    backend: str
    reason: AbstainReason | None = None  # set whenever abstained


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier question on the same article and the answer it got."""

    question: str
    answer: str


@dataclass(slots=True)
class QAOptions:
    """Picks and tunes the Q&A backend; the bot maps its config onto this."""

    backend: QABackendName = "retrieval"
    # retrieval: the reader's probability (0..1) under which the article is taken not to answer;
    # None: the threshold calibrated on held-out folds and shipped with the reader's weights
    min_score: float | None = None
    max_evidence: int = 2
    # transformers
    model: str = DEFAULT_QA_MODEL
    device: str = "auto"  # auto | cpu | cuda
    max_seq_length: int = 384
    doc_stride: int = 128
    max_answer_tokens: int = 30
    local_files_only: bool = False
    # llm: any OpenAI-compatible chat endpoint
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = DEFAULT_LLM_API_KEY_ENV
    llm_timeout: float = 30.0
