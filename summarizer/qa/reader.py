"""The learned offline reader: ranks sentences, then says how likely the best one answers.

Two small logistic models, shipped as a versioned text file beside this module
(`reader_weights.txt`, written by `make train-qa`): a ranker whose softmax over an article's
sentences picks the answering one, and an answerability model whose output is a calibrated
probability that the picked sentence answers the question. `qa.min_score` thresholds that
probability. No dependency beyond the standard library is needed to load or apply them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from summarizer.text import Sentence
from summarizer.weights_text import Group, format_weights_text, parse_weights_text, read_packaged

from .features import ANSWER_FEATURES, SENTENCE_FEATURES, ArticleMatch, answer_values, match_article
from .question import Intent, ParsedQuestion

WEIGHTS_FILE = "reader_weights.txt"
_KIND_MISSING = SENTENCE_FEATURES.index("kind_missing")
_RELATED_SPECIFIC_WINDOW = SENTENCE_FEATURES.index("related_specific_window")
# Dates have few forms; numbers many (duals such as يومين, words), so only "when?" is strict.
_NEEDS_KIND = frozenset({Intent.DATE})
FORMAT = "khulasa-qa-reader 1"


@dataclass(frozen=True, slots=True)
class ReaderWeights:
    """The ranker's and the answerability model's coefficients, and the calibrated threshold."""

    version: str
    ranker: tuple[float, ...]  # aligned with SENTENCE_FEATURES
    answerer: tuple[float, ...]  # aligned with ANSWER_FEATURES
    threshold: float
    notes: tuple[str, ...] = ()  # provenance lines kept as comments


@dataclass(frozen=True, slots=True)
class Ranked:
    """One candidate sentence with its ranker score and its share of the article's softmax."""

    sentence: Sentence
    score: float
    probability: float


@dataclass(frozen=True, slots=True)
class Reading:
    """The ranked candidates (best first) and the probability that the best one answers."""

    candidates: list[Ranked]
    probability: float


def _dot(weights: Sequence[float], values: Sequence[float]) -> float:
    return sum(w * v for w, v in zip(weights, values, strict=True))


def sigmoid(value: float) -> float:
    """Logistic function, safe for large magnitudes."""
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def softmax(scores: Sequence[float]) -> list[float]:
    """Shares of exp(score), shifted by the maximum so nothing overflows."""
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


def score_match(match: ArticleMatch, weights: ReaderWeights, parsed: ParsedQuestion) -> Reading:
    """Applies both models to an article's feature rows."""
    if not match.rows:
        return Reading(candidates=[], probability=0.0)
    scores = [_dot(weights.ranker, row.values) for row in match.rows]
    probabilities = softmax(scores)
    answerable = sigmoid(
        _dot(weights.answerer, answer_values(match, scores, probabilities, parsed.intent))
    )
    ranked = [
        Ranked(row.sentence, score, probability)
        for row, score, probability in zip(match.rows, scores, probabilities, strict=True)
    ]
    ranked.sort(key=lambda item: (-item.score, item.sentence.index))
    best = max(match.rows, key=lambda row: (_dot(weights.ranker, row.values), -row.sentence.index))
    if parsed.intent in _NEEDS_KIND and best.values[_KIND_MISSING]:
        answerable = 0.0  # "when?" with no date or time in the best sentence
    if match.specific_count and not best.values[_RELATED_SPECIFIC_WINDOW]:
        answerable = 0.0  # only the topic's words (or their roots) match: it does not say this
    return Reading(candidates=ranked, probability=answerable)


def read(
    parsed: ParsedQuestion,
    question: str,
    sentences: Sequence[Sentence],
    weights: ReaderWeights | None = None,
) -> Reading:
    """Ranks the sentences for the question and estimates whether the best one answers it."""
    weights = weights or load_weights()
    if not parsed.terms:
        return Reading(candidates=[], probability=0.0)
    return score_match(match_article(parsed, question, sentences), weights, parsed)


def format_weights(weights: ReaderWeights) -> str:
    """The shipped text form (see `summarizer.weights_text`)."""
    fields = [
        ("format", FORMAT),
        ("version", weights.version),
        ("threshold", f"{weights.threshold:.4f}"),
    ]
    groups = [
        Group("ranker", SENTENCE_FEATURES, weights.ranker),
        Group("answer", ANSWER_FEATURES, weights.answerer),
    ]
    return format_weights_text(weights.notes, fields, groups)


def parse_weights(text: str) -> ReaderWeights:
    """Reads `format_weights` output; the feature names must be exactly the code's, in order."""
    parsed = parse_weights_text(text, FORMAT, "reader weights", ["ranker", "answer"])
    return ReaderWeights(
        version=parsed.version(),
        ranker=parsed.coefficients("ranker", SENTENCE_FEATURES),
        answerer=parsed.coefficients("answer", ANSWER_FEATURES),
        threshold=parsed.number("threshold"),
        notes=parsed.notes,
    )


@lru_cache(maxsize=1)
def load_weights() -> ReaderWeights:
    """The weights shipped inside the package (read once, on first use)."""
    return parse_weights(read_packaged(__package__, WEIGHTS_FILE))
