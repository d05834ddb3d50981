"""The learned sentence scorer of the extractive backend: how likely a person would pick a sentence.

A logistic model over a few signals per candidate sentence (lead position, paragraph starts,
TextRank centrality, closeness to the article's centroid and to its title, length), trained on
the sentences people chose for EASC summaries (`make train-extractive`). Its coefficients ship as
`extractive_weights.txt` beside this module, with the redundancy penalty chosen by
cross-validation; loading them needs only the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .weights_text import Group, format_weights_text, parse_weights_text, read_packaged

WEIGHTS_FILE = "extractive_weights.txt"
FORMAT = "khulasa-extractive-scorer 1"

FEATURES = (
    "bias",
    "lead",  # the first candidate
    "position",  # 1 / (1 + rank)
    "position_sqrt",  # 1 / sqrt(1 + rank)
    "relative_position",  # rank / candidates
    "paragraph_start",  # opens a paragraph (a line of its own text)
    "paragraph_lead",  # 1 / (1 + paragraph number)
    "centrality",  # TextRank over TextRank's best
    "centroid",  # cosine to the sum of all sentence vectors
    "title",  # cosine to the title's vector (0 without a title)
    "length",  # content words / 10, at most 1
    "log_length",
    "long",  # more than 40 content words: a run-on line
    "digits",  # holds a number
)


_LOG_LENGTH = FEATURES.index("log_length")  # log1p(content words) / 4


@dataclass(frozen=True, slots=True)
class ScorerWeights:
    """Coefficients aligned with FEATURES, and the MMR redundancy penalty they were tuned with."""

    version: str
    coefficients: tuple[float, ...]
    redundancy: float
    # ROUGE against long references rewards the expected words a sentence brings, not only the
    # chance it is picked: the score is log p + length_exponent * log(1 + content words).
    length_exponent: float = 0.0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SentenceSignals:
    """The raw signals of one candidate, before they become a feature vector."""

    rank: int
    candidates: int
    paragraph: int  # paragraph number of the sentence, 0 = first
    paragraph_start: bool
    centrality: float  # already divided by the best
    centroid: float
    title: float
    terms: int
    has_digits: bool


def feature_vector(signals: SentenceSignals) -> tuple[float, ...]:
    """The FEATURES values of one candidate."""
    return (
        1.0,
        float(signals.rank == 0),
        1.0 / (1 + signals.rank),
        1.0 / math.sqrt(1 + signals.rank),
        signals.rank / max(signals.candidates, 1),
        float(signals.paragraph_start),
        1.0 / (1 + signals.paragraph),
        signals.centrality,
        signals.centroid,
        signals.title,
        min(1.0, signals.terms / 10),
        math.log1p(signals.terms) / 4,
        float(signals.terms > 40),
        float(signals.has_digits),
    )


def score(weights: ScorerWeights, values: Sequence[float]) -> float:
    """log P(picked) plus the length term: roughly the log of the words a reader would keep."""
    logit = sum(w * v for w, v in zip(weights.coefficients, values, strict=True))
    log_picked = -math.log1p(math.exp(-logit)) if logit > -30 else logit
    return log_picked + weights.length_exponent * 4 * values[_LOG_LENGTH]


def format_weights(weights: ScorerWeights) -> str:
    """The shipped text form (see `summarizer.weights_text`)."""
    fields = [
        ("format", FORMAT),
        ("version", weights.version),
        ("redundancy", f"{weights.redundancy:.4f}"),
        ("length_exponent", f"{weights.length_exponent:.4f}"),
    ]
    return format_weights_text(
        weights.notes, fields, [Group("weight", FEATURES, weights.coefficients)]
    )


def parse_weights(text: str) -> ScorerWeights:
    """Reads `format_weights` output; the feature names must match the code's, in order."""
    parsed = parse_weights_text(text, FORMAT, "extractive weights", ["weight"])
    return ScorerWeights(
        parsed.version(),
        parsed.coefficients("weight", FEATURES),
        parsed.number("redundancy"),
        parsed.number("length_exponent"),
        parsed.notes,
    )


@lru_cache(maxsize=1)
def load_weights() -> ScorerWeights:
    """The weights shipped inside the package (read once, on first use)."""
    return parse_weights(read_packaged(__package__, WEIGHTS_FILE))
