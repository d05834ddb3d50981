"""The calibrated pair model: a logistic regression over article-vs-story features, as text.

Two calibrations ship in `stories_weights.txt`: `embeddings` (a sentence model is on) and
`lexical` (`embeddings: none`, same-language grouping only). Each has its coefficients and
the join thresholds chosen by cross-validation by event (see summarizer.training.stories):
one for a story with a member in the article's language, one for a story without. Across
languages no lexical evidence can exist, so the same model scores such a pair lower although
the sentence vectors agree; its own threshold lets it join on that evidence alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from summarizer.weights_text import Group, format_weights_text, parse_weights_text, read_packaged

WEIGHTS_FORMAT = "khulasa-stories-2"
WEIGHTS_FILE = "stories_weights.txt"
MODES = ("embeddings", "lexical")

# Article-vs-story features, in the order the weights name them.
FEATURES = (
    "bias",
    "emb_centroid",  # cosine to the story's centroid
    "emb_min",  # cosine to the least similar member: the whole story must fit, not one member
    "lex_centroid",  # hashed-term cosine to the story's term centroid
    "lex_max",  # best term cosine with a member in the same language
    "same_language",  # share of the story's members in the article's language
    "names",  # Latin-script names shared with the story
    "amounts_shared",  # an amount the story also quotes
    "amounts_conflict",  # both quote amounts and none agree: "$1.8bn" vs "$500m"
    "gap",  # time since the story's latest member, as a share of the window (log scale)
    "age",  # time since the story's first member, likewise
)


@dataclass(frozen=True, slots=True)
class Calibration:
    """One mode's coefficients (aligned with FEATURES) and its join thresholds."""

    coefficients: tuple[float, ...]
    threshold: float
    cross_threshold: float | None = None  # a story with no member in the article's language

    def threshold_for(self, cross: bool) -> float:
        """The join threshold of a pair; across languages it is its own, when calibrated."""
        if cross and self.cross_threshold is not None:
            return self.cross_threshold
        return self.threshold

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(same event) for each row of features."""
        logits = np.asarray(features, dtype=np.float64) @ np.asarray(self.coefficients)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))


@dataclass(frozen=True, slots=True)
class StoryWeights:
    """Both calibrations and the provenance notes of the file."""

    version: str
    calibrations: dict[str, Calibration]
    notes: tuple[str, ...] = ()


def parse_weights(text: str) -> StoryWeights:
    """Reads a weights file; one trained for other features is refused."""
    parsed = parse_weights_text(text, WEIGHTS_FORMAT, "story weights", MODES)
    calibrations = {
        mode: Calibration(
            coefficients=parsed.coefficients(mode, FEATURES),
            threshold=parsed.number(f"threshold_{mode}"),
            cross_threshold=parsed.number(f"cross_threshold_{mode}"),
        )
        for mode in MODES
    }
    return StoryWeights(parsed.version(), calibrations, parsed.notes)


def format_weights(weights: StoryWeights) -> str:
    """The text form: notes, version, each mode's thresholds, then its coefficients."""
    fields = [("format", WEIGHTS_FORMAT), ("version", weights.version)]
    for mode in MODES:
        calibration = weights.calibrations[mode]
        fields += [
            (f"threshold_{mode}", f"{calibration.threshold:.4f}"),
            (f"cross_threshold_{mode}", f"{calibration.threshold_for(cross=True):.4f}"),
        ]
    groups = [Group(mode, FEATURES, weights.calibrations[mode].coefficients) for mode in MODES]
    return format_weights_text(weights.notes, fields, groups)


@lru_cache(maxsize=1)
def shipped_weights() -> StoryWeights:
    """The weights packaged beside this module."""
    return parse_weights(read_packaged(__package__, WEIGHTS_FILE))


def fit_logistic(
    features: np.ndarray, labels: np.ndarray, l2: float = 1.0, iterations: int = 50
) -> tuple[float, ...]:
    """Coefficients by Newton's method with an L2 penalty (the bias column is not penalized)."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    weights = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ weights, -30, 30)))
        gradient = x.T @ (p - y) + penalty * weights
        hessian = (
            (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(weights))
        )
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return tuple(float(value) for value in weights)
