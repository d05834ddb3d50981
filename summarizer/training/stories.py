"""Calibrates story grouping on labelled articles: `python -m summarizer.training.stories --data F`.

Input lines are those of `khulasa eval-stories` (`id`, `text`, `title`, `language`, `published`,
`event`). Training pairs come from replaying the stream with the true stories: each article
against the candidate stories the matcher retrieves, labelled by whether the candidate is its
event's story. Folds are by event, so no event is both fitted and scored; the join thresholds of
each mode are those whose cross-validated grouping has the best F0.5 (precision weighs more
than recall: a wrong merge hides news): first the threshold of every pair, then, with it fixed,
the threshold of a pair whose story has no member in the article's language. Deterministic:
fixed folds, Newton's method from zero.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from summarizer.stories.embeddings import load_embedder
from summarizer.stories.evaluate import StoryReport, evaluate_pairs
from summarizer.stories.grouping import (
    LabelledArticle,
    assign_stream,
    read_items,
    stream_order,
    with_vectors,
)
from summarizer.stories.matcher import DEFAULT_WINDOW, StoryMatcher
from summarizer.stories.model import (
    MODES,
    Calibration,
    StoryWeights,
    fit_logistic,
    format_weights,
)
from summarizer.stories.types import EMBEDDING_BACKENDS, EmbeddingOptions

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "stories" / "stories_weights.txt"
FOLDS = 5
L2 = 1.0
BETA = 0.5  # F-beta of the threshold choice: precision counts four times as much as recall
OVERLAY = timedelta(days=30)
OVERLAY_ORIGIN = datetime(2024, 1, 1, tzinfo=UTC)
THRESHOLDS = tuple(round(value, 2) for value in np.arange(0.30, 0.91, 0.05))
CROSS_THRESHOLDS = tuple(round(value, 2) for value in np.arange(0.10, 0.91, 0.05))


@dataclass(frozen=True, slots=True)
class Figures:
    """A cross-validated grouping at one pair of thresholds (same-language, cross-language)."""

    threshold: float
    cross_threshold: float
    report: StoryReport

    def f_beta(self) -> float:
        p, r = self.report.precision, self.report.recall
        return (1 + BETA**2) * p * r / (BETA**2 * p + r) if p + r else 0.0


def overlaid(items: Sequence[LabelledArticle]) -> list[LabelledArticle]:
    """The same articles with every event moved to start within OVERLAY of one moment.

    A development set gathered by search spreads its events over years, so the window alone
    would keep them apart; a busy channel meets dozens of unrelated events in every window.
    Each event keeps its own articles' spacing; its start is a fixed function of its name.
    """
    first: dict[str, datetime] = {}
    for item in items:
        if item.article.published is not None:
            event = str(item.event)
            first[event] = min(item.article.published, first.get(event, item.article.published))
    moved = []
    for item in items:
        article = item.article
        if article.published is not None:
            event = str(item.event)
            share = zlib.crc32(event.encode("utf-8")) / 2**32
            start = OVERLAY_ORIGIN + share * OVERLAY
            article = replace(article, published=start + (article.published - first[event]))
        moved.append(LabelledArticle(article, item.event))
    return moved


def training_pairs(
    items: Sequence[LabelledArticle], embeddings: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every (article, retrieved story) pair of the true-story replay."""
    matcher = StoryMatcher(embeddings, calibration=Calibration((0.0,), 1.0))
    event_of = {item.article.id: item.event for item in items}
    story_of_event: dict[str, str] = {}
    opened: dict[str, float] = {}  # when the event's current story began
    rows, labels = [], []
    for article in stream_order([item.article for item in items]):
        event = event_of[article.id]
        moment = article.published.timestamp() if article.published else None
        current = story_of_event.get(event)
        if current is not None and moment is not None:
            if moment - opened[event] > DEFAULT_WINDOW.total_seconds():
                current = None  # the event outlived the window: live, it starts a new story
        for candidate in matcher.candidates(article):
            rows.append(candidate.features)
            labels.append(candidate.story_id == current)
        story_of_event[event] = matcher.add(article, current)
        if current is None and moment is not None:
            opened[event] = moment
    return np.array(rows).reshape(len(rows), -1), np.array(labels, dtype=float)


def fit_pairs(items: Sequence[LabelledArticle], embeddings: bool) -> tuple[float, ...]:
    """Coefficients fitted on the pairs of the real timeline and of the overlaid one."""
    real, dense = training_pairs(items, embeddings), training_pairs(overlaid(items), embeddings)
    return fit_logistic(np.vstack([real[0], dense[0]]), np.concatenate([real[1], dense[1]]), l2=L2)


def folds_by_event(items: Sequence[LabelledArticle]) -> list[list[LabelledArticle]]:
    """FOLDS groups of whole events, dealt in order of the events' names."""
    events = sorted({item.event for item in items if item.event is not None})
    fold_of = {event: index % FOLDS for index, event in enumerate(events)}
    folds: list[list[LabelledArticle]] = [[] for _ in range(FOLDS)]
    for item in items:
        folds[fold_of[item.event]].append(item)  # type: ignore[index]
    return folds


def cross_validate(
    items: Sequence[LabelledArticle],
    embeddings: bool,
    dense: bool = True,
    thresholds: Sequence[tuple[float, float]] = tuple(zip(THRESHOLDS, THRESHOLDS, strict=True)),
) -> list[Figures]:
    """For each (threshold, cross-language threshold), the pooled pairs of every fold, grouped
    by a model not fitted on it.

    Each fold's model groups the whole stream (the other folds' events stay in it as
    distractors, as they would live); a pair is scored by the model of the later fold among its
    two articles' folds, so every pair counts once and never with a model fitted on both.
    """
    folds = folds_by_event(items)
    fold_of = {item.article.id: index for index, fold in enumerate(folds) for item in fold}
    articles = [item.article for item in (overlaid(items) if dense else items)]
    models = []
    for index in range(FOLDS):
        train = [item for other, fold in enumerate(folds) if other != index for item in fold]
        models.append(fit_pairs(train, embeddings))
    events = {item.article.id: str(item.event) for item in items}
    languages = {item.article.id: item.article.language or "und" for item in items}
    figures = []
    for threshold, cross_threshold in thresholds:
        grouped = [
            assign_stream(
                articles, embeddings, calibration=Calibration(model, threshold, cross_threshold)
            )
            for model in models
        ]

        def together(left: str, right: str, grouped: list[dict[str, str]] = grouped) -> bool:
            stories = grouped[max(fold_of[left], fold_of[right])]
            return stories[left] == stories[right]

        report = evaluate_pairs([article.id for article in articles], together, events, languages)
        figures.append(Figures(threshold, cross_threshold, report))
    return figures


def _best(figures: Sequence[Figures]) -> Figures:
    """The best F0.5; of equals, the higher thresholds (fewer merges)."""
    return max(
        figures,
        key=lambda figure: (round(figure.f_beta(), 4), figure.threshold, figure.cross_threshold),
    )


def calibrate(
    items: Sequence[LabelledArticle], embeddings: bool
) -> tuple[Calibration, Figures, Figures]:
    """The mode's coefficients fitted on every pair, the thresholds cross-validation chose on
    the overlaid timeline, and the cross-validated figures there and on the real timeline.

    Without vectors no story of another language is a candidate, so the lexical mode's
    cross-language threshold is its threshold.
    """
    best = _best(cross_validate(items, embeddings, dense=True))
    if embeddings:
        pairs = [(best.threshold, cross) for cross in CROSS_THRESHOLDS]
        best = _best(cross_validate(items, embeddings, dense=True, thresholds=pairs))
    chosen = ((best.threshold, best.cross_threshold),)
    real = cross_validate(items, embeddings, dense=False, thresholds=chosen)[0]
    calibration = Calibration(fit_pairs(items, embeddings), best.threshold, best.cross_threshold)
    return calibration, best, real


def describe(mode: str, timeline: str, figures: Figures) -> str:
    """One line of cross-validated figures."""
    report = figures.report
    return (
        f"{mode} ({timeline} timeline): threshold {figures.threshold:.2f}  "
        f"cross-language {figures.cross_threshold:.2f}  "
        f"CV precision {report.precision:.3f}  recall {report.recall:.3f}  F1 {report.f1:.3f}  "
        f"cross-language recall {report.cross_language_recall:.3f}  "
        f"wrong merges {len(report.wrong_merges)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="labelled articles, JSON lines")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    parser.add_argument(
        "--embeddings",
        choices=[name for name in EMBEDDING_BACKENDS if name not in ("auto", "none")],
        default="bundled",
        help="the model the `embeddings` calibration is fitted for (default: bundled)",
    )
    parser.add_argument("--model", help="embeddings model (sentence-transformers, openai)")
    parser.add_argument("--base-url", help="embeddings endpoint (openai)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    items = read_items(str(args.data), labelled=True)
    embedder = load_embedder(
        EmbeddingOptions(backend=args.embeddings, model=args.model, base_url=args.base_url)
    )
    embedded = with_vectors([item.article for item in items], embedder)
    with_vector = [
        LabelledArticle(article, item.event) for article, item in zip(embedded, items, strict=True)
    ]
    calibrations, lines = {}, []
    for mode in MODES:
        calibration, dense, real = calibrate(with_vector, embeddings=mode == "embeddings")
        calibrations[mode] = calibration
        lines += [describe(mode, "overlaid", dense), describe(mode, "real", real)]
    digest = hashlib.sha256(args.data.read_bytes()).hexdigest()[:16]
    events = len({item.event for item in items})
    notes = (
        f"story pair model, calibrated by summarizer.training.stories on {len(items)} "
        f"articles in {events} events (sha256 {digest}), {FOLDS}-fold CV by event",
        f"embeddings calibration fitted with the {embedder.name if embedder else 'none'} model",
        *lines,
    )
    weights = StoryWeights(version=f"{digest[:8]}", calibrations=calibrations, notes=notes)
    args.out.write_text(format_weights(weights), encoding="utf-8")
    for line in lines:
        print(line)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
