"""Trains the extractive sentence scorer on EASC-shaped pairs: `python -m summarizer.training.extractive`.

A sentence's target is the share of the reference summaries that contain it (people picked whole
sentences). The logistic model is fitted on soft targets by Newton's method; the L2 strength,
the MMR redundancy penalty and the length exponent are chosen by 5-fold cross-validation by
article on mean ROUGE-1/2/L of 3-sentence summaries, and nested cross-validation measures that
choice itself. Deterministic: file order, folds by position, no random start.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from summarizer.eval import EvalPair, lead_summary, load_pairs, rouge_f1
from summarizer.extractive import ExtractiveSummarizer, Scored, Weights, pick
from summarizer.extractive_scorer import FEATURES, ScorerWeights, format_weights, score
from summarizer.text import clean_text, tokenize
from summarizer.types import SummarizerOptions

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "extractive_weights.txt"
FOLDS = 5
SENTENCES = 3
L2_GRID = (0.001, 0.01)
REDUNDANCY_GRID = (0.0, 0.5, 1.0)
LENGTH_GRID = (0.0, 0.5, 1.0, 1.5)


@dataclass(frozen=True, slots=True)
class Document:
    """One pair's scored candidates (features only matter) and each candidate's target."""

    pair: EvalPair
    scored: Scored
    targets: tuple[float, ...]


def _contained(sentence: str, references: Sequence[str]) -> float:
    """Share of references whose words hold the sentence's words in a row."""
    words = " ".join(tokenize(sentence))
    if not words:
        return 0.0
    return sum(words in " ".join(tokenize(ref)) for ref in references) / len(references)


def documents(pairs: list[EvalPair]) -> list[Document]:
    """Features and targets for every pair with at least one candidate."""
    featurizer = ExtractiveSummarizer(SummarizerOptions(backend="extractive"), weights=Weights())
    result = []
    for pair in pairs:
        scored = featurizer.score_sentences(clean_text(pair.text), pair.title)
        if scored is None:
            continue
        targets = tuple(_contained(s.text, pair.references) for s in scored.sentences)
        result.append(Document(pair, scored, targets))
    return result


def fit(docs: list[Document], l2: float) -> np.ndarray:
    """Logistic regression on soft targets, Newton's method, bias unpenalised."""
    x = np.array([values for doc in docs for values in doc.scored.features])
    y = np.array([target for doc in docs for target in doc.targets])
    weights = np.zeros(x.shape[1])
    penalty = l2 * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) / len(y) + penalty @ weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x / len(y) + penalty + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return weights


def summary_of(doc: Document, weights: ScorerWeights) -> str:
    """The 3-sentence summary the shipped summarizer would write with these weights."""
    scores = [score(weights, values) for values in doc.scored.features]
    redundancy = weights.redundancy
    scored = Scored(doc.scored.sentences, doc.scored.features, scores, doc.scored.graph)
    chosen = pick(scored, SENTENCES, redundancy, Weights().duplicate_similarity)
    return " ".join(
        s.text for s in sorted((scored.sentences[i] for i in chosen), key=lambda s: s.index)
    )


def _mean_rouge(texts: list[str], docs: list[Document]) -> np.ndarray:
    rows = [rouge_f1(text, doc.pair.references) for text, doc in zip(texts, docs, strict=True)]
    return np.array([[row["rouge1"], row["rouge2"], row["rougeL"]] for row in rows]).mean(axis=0)


def _weights(coefficients: np.ndarray, redundancy: float, length: float) -> ScorerWeights:
    rounded = tuple(round(float(v), 6) for v in coefficients)
    return ScorerWeights("v1", rounded, redundancy, length)


Setting = tuple[float, float, float]  # L2 strength, redundancy, length exponent
GRID: tuple[Setting, ...] = tuple(
    (l2, redundancy, length)
    for l2 in L2_GRID
    for redundancy in REDUNDANCY_GRID
    for length in LENGTH_GRID
)


def _out_of_fold(
    docs: list[Document], folds: int, trained: Callable[[list[Document]], ScorerWeights]
) -> np.ndarray:
    """Mean ROUGE-1/2/L of each fold summarized by weights trained on the other folds."""
    texts: list[str | None] = [None] * len(docs)
    for fold in range(folds):
        weights = trained([d for i, d in enumerate(docs) if i % folds != fold])
        for i, doc in enumerate(docs):
            if i % folds == fold:
                texts[i] = summary_of(doc, weights)
    return _mean_rouge([t or "" for t in texts], docs)


def _trained(docs: list[Document], setting: Setting) -> ScorerWeights:
    l2, redundancy, length = setting
    return _weights(fit(docs, l2), redundancy, length)


def cross_validate(docs: list[Document], setting: Setting, folds: int = FOLDS) -> np.ndarray:
    """Mean ROUGE-1/2/L over held-out folds (per-article mean, all folds pooled)."""
    return _out_of_fold(docs, folds, lambda train: _trained(train, setting))


def nested_cross_validate(docs: list[Document]) -> np.ndarray:
    """Mean ROUGE-1/2/L with each fold's setting chosen on the other folds alone.

    The best of the grid's cross-validated figures is an optimistic estimate (it is the
    maximum of many noisy ones); this one chooses blind, as a new article would meet it.
    """

    def chosen_and_trained(train: list[Document]) -> ScorerWeights:
        setting = max(GRID, key=lambda s: cross_validate(train, s, FOLDS - 1).mean())
        return _trained(train, setting)

    return _out_of_fold(docs, FOLDS, chosen_and_trained)


def run(data: Path, out: Path) -> dict[str, np.ndarray]:
    """Chooses the setting by cross-validation, trains on everything, writes the weights."""
    pairs = load_pairs(data)
    docs = documents(pairs)
    results = {setting: cross_validate(docs, setting) for setting in GRID}
    (l2, redundancy, length), best = max(results.items(), key=lambda item: item[1].mean())
    nested = nested_cross_validate(docs)
    lead = _mean_rouge([lead_summary(doc.pair.text, SENTENCES) for doc in docs], docs)
    coefficients = fit(docs, l2)
    digest = hashlib.sha256(data.read_bytes()).hexdigest()[:16]
    figures, nested_figures, lead_figures = (
        " / ".join(f"{100 * v:.1f}" for v in values) for values in (best, nested, lead)
    )
    weights = ScorerWeights(
        version="v1",
        coefficients=tuple(round(float(v), 6) for v in coefficients),
        redundancy=redundancy,
        length_exponent=length,
        notes=(
            "Khulasa extractive sentence scorer: logistic model of people's sentence choices.",
            "Written by `make train-extractive`; do not edit by hand.",
            f"data {data.name} sha256:{digest}: {len(docs)} articles; features: {len(FEATURES)}",
            f"l2 {l2}, redundancy {redundancy}, length exponent {length} chosen by {FOLDS}-fold "
            f"cross-validation over a {len(results)}-point grid",
            f"cross-validated ROUGE-1/2/L {figures} vs Lead-{SENTENCES} {lead_figures}",
            f"nested cross-validation (each fold's setting chosen on the other folds): "
            f"{nested_figures}",
        ),
    )
    out.write_text(format_weights(weights), encoding="utf-8")
    return {"learned": best, "nested": nested, f"lead-{SENTENCES}": lead}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="EASC-shaped JSON lines")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    args = parser.parse_args(argv)
    for name, values in run(args.data, args.out).items():
        print(f"{name:<10}" + "".join(f"{100 * v:8.1f}" for v in values))
    print(f"weights written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
