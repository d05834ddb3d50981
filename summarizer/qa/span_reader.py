"""Extractive QA with a SQuAD2-style model: a span of the article, or "no answer" when CLS wins."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from summarizer.errors import BackendUnavailableError, InputError, ModelUnavailableError
from summarizer.types import Article

from .evidence import article_sentences, sentence_at, to_evidence
from .types import Answer, QAOptions, Turn

log = logging.getLogger(__name__)

BACKEND = "transformers"
WINDOWS_PER_BATCH = 8


@dataclass(frozen=True, slots=True)
class Reader:
    """A loaded tokenizer and model on their device; loaded once per (model, device)."""

    tokenizer: Any
    model: Any
    device: str


@dataclass(frozen=True, slots=True)
class SpanPrediction:
    """The best span over all windows (char offsets in the context) against the no-answer score."""

    start: int
    end: int
    span_score: float
    null_score: float
    windows: int

    @property
    def abstains(self) -> bool:
        """SQuAD2 rule: no answer when the CLS score beats the best span."""
        return self.null_score > self.span_score


def _resolve_device(torch: Any, device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


@lru_cache(maxsize=2)
def load_reader(model: str, device: str = "auto", local_files_only: bool = False) -> Reader:
    """Loads the QA model and its fast tokenizer (offsets are needed to map spans back to text)."""
    try:
        import torch
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer
    except ImportError as error:
        raise BackendUnavailableError(
            "the transformers Q&A backend needs the [hf] extra: pip install 'khulasa[hf]'"
        ) from error
    try:
        tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_files_only)
        qa_model = AutoModelForQuestionAnswering.from_pretrained(
            model, local_files_only=local_files_only
        )
    except (OSError, ValueError) as error:
        raise ModelUnavailableError(f"cannot load the Q&A model {model!r}: {error}") from error
    if not tokenizer.is_fast:
        raise ModelUnavailableError(
            f"the Q&A model {model!r} has no fast tokenizer (needs offsets)"
        )
    resolved = _resolve_device(torch, device)
    qa_model.to(resolved).eval()
    log.info("loaded Q&A model %s on %s", model, resolved)
    return Reader(tokenizer=tokenizer, model=qa_model, device=resolved)


def _encode(reader: Reader, question: str, context: str, options: QAOptions) -> Any:
    question_tokens = len(reader.tokenizer(question, add_special_tokens=False)["input_ids"])
    if question_tokens > options.max_seq_length // 2:
        raise InputError("the question is too long")
    return reader.tokenizer(
        question,
        context,
        truncation="only_second",
        max_length=options.max_seq_length,
        stride=options.doc_stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=True,
        return_tensors="pt",
    )


def _best_in_window(
    torch: Any, start: Any, end: Any, context_mask: Any, max_tokens: int
) -> tuple[float, int, int]:
    """The highest start+end logit pair inside the context, end after start, at most max_tokens long."""
    positions = torch.nonzero(context_mask).flatten()
    scores = start[positions][:, None] + end[positions][None, :]
    allowed = torch.ones_like(scores, dtype=torch.bool).triu().tril(max_tokens - 1)
    scores = scores.masked_fill(~allowed, -math.inf)
    flat = int(torch.argmax(scores))
    first, last = divmod(flat, scores.shape[1])
    return float(scores[first, last]), int(positions[first]), int(positions[last])


def predict_span(reader: Reader, question: str, context: str, options: QAOptions) -> SpanPrediction:
    """Slides windows over the context; keeps the best span and the lowest no-answer score."""
    import torch

    encoded = _encode(reader, question, context, options)
    offsets = encoded.pop("offset_mapping")
    encoded.pop("overflow_to_sample_mapping", None)
    windows = encoded["input_ids"].shape[0]
    best = (-math.inf, 0, 0)
    null_score = math.inf
    for batch_start in range(0, windows, WINDOWS_PER_BATCH):
        batch = {
            name: tensor[batch_start : batch_start + WINDOWS_PER_BATCH].to(reader.device)
            for name, tensor in encoded.items()
        }
        with torch.inference_mode():
            output = reader.model(**batch)
        for row in range(batch["input_ids"].shape[0]):
            window = batch_start + row
            start, end = (
                output.start_logits[row].float().cpu(),
                output.end_logits[row].float().cpu(),
            )
            null_score = min(null_score, float(start[0] + end[0]))  # CLS sits first
            context_mask = torch.tensor([sid == 1 for sid in encoded.sequence_ids(window)])
            score, first, last = _best_in_window(
                torch, start, end, context_mask, options.max_answer_tokens
            )
            if score > best[0]:
                best = (score, int(offsets[window][first][0]), int(offsets[window][last][1]))
    return SpanPrediction(
        start=best[1], end=best[2], span_score=best[0], null_score=null_score, windows=windows
    )


def answer_with_reader(
    question: str, article: Article, history: Sequence[Turn], options: QAOptions
) -> Answer:
    """The model's span and the sentences holding it; abstains when no-answer scores higher."""
    del history  # an extractive reader sees one question at a time
    sentences = article_sentences(article)
    reader = load_reader(options.model, options.device, options.local_files_only)
    prediction = predict_span(reader, question, article.text, options)
    confidence = 1.0 / (1.0 + math.exp(min(prediction.null_score - prediction.span_score, 700.0)))
    log.debug(
        "span %d-%d over %d windows, confidence %.3f",
        prediction.start,
        prediction.end,
        prediction.windows,
        confidence,
    )
    if prediction.abstains or not article.text[prediction.start : prediction.end].strip():
        return Answer(text="", evidence=(), score=confidence, abstained=True, backend=BACKEND)
    first = sentence_at(sentences, prediction.start)
    last = sentence_at(sentences, prediction.end - 1)
    holding = [sentence for sentence in sentences if first.index <= sentence.index <= last.index]
    return Answer(
        text=article.text[prediction.start : prediction.end].strip(),
        evidence=tuple(to_evidence(sentence) for sentence in holding),
        score=confidence,
        abstained=False,
        backend=BACKEND,
    )
