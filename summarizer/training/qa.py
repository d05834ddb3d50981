"""Trains the offline reader on ARCD-shaped data: `python -m summarizer.training.qa --data F`.

Deterministic: cases come in file order, folds by article position, both models are fitted by
full-batch optimisation from zero weights, and the weights are written rounded. The threshold is
chosen on out-of-fold probabilities; the printed figures are each fold scored at a threshold
chosen on the other folds, so no figure is measured on data its threshold saw.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from summarizer.qa.evaluate import (
    PARAGRAPH_SEPARATOR,
    CaseKind,
    QAArticle,
    QACase,
    build_cases,
    load_qa_articles,
)
from summarizer.qa.evidence import candidate_sentences
from summarizer.qa.features import ANSWER_FEATURES, ArticleMatch, match_article
from summarizer.qa.question import ParsedQuestion, parse_question
from summarizer.qa.reader import ReaderWeights, format_weights, score_match
from summarizer.qa.retrieval import choose_evidence
from summarizer.qa.types import QAOptions
from summarizer.text import tokenize
from summarizer.types import Article

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "qa" / "reader_weights.txt"
FOLDS = 5
RANKER_L2 = 1e-2
ANSWER_L2 = 1e-2
RANKER_STEPS = 1500
RANKER_RATE = 0.05
DISTRACTORS = 3  # articles appended to each case's text for its lengthened copy
TOLERANCE = 0.005  # a threshold within half a point of the best mean rate counts as as good
# The figures measured (and the targets for held-out data, reported beside them).
TARGETS = {CaseKind.ANSWERABLE: 0.75, CaseKind.HARD_NEGATIVE: 0.85, CaseKind.OFF_ARTICLE: 0.97}


@dataclass(frozen=True, slots=True)
class Example:
    """One case as the reader sees it: its parse, its feature rows, which rows hold the answer."""

    case: QACase
    fold: int
    parsed: ParsedQuestion
    match: ArticleMatch
    gold: tuple[bool, ...]  # per row: overlaps a gold span
    long: bool = False  # the case's text followed by other articles (see `lengthened`)
    answer_survives: bool = False  # a hard negative whose text still holds the answer's words


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _answer_texts(case: QACase) -> list[str]:
    return [" ".join(tokenize(case.text[start:end])) for start, end in case.spans]


def lengthened(cases: list[QACase], articles: list[QAArticle]) -> list[QACase]:
    """Each case with DISTRACTORS other articles appended: long articles hold more chance matches.

    ARCD's articles are three paragraphs; news and Wikipedia articles run to dozens. Training
    and calibrating on both keeps the probability honest when the article is long.
    """
    position = {article.id: at for at, article in enumerate(articles)}
    longer = []
    for case in cases:
        at = position[case.article_id]
        extra = [articles[(at + k) % len(articles)].text for k in range(2, 2 + DISTRACTORS)]
        text = PARAGRAPH_SEPARATOR.join([case.text, *extra])
        longer.append(QACase(case.kind, case.question, text, case.article_id, case.spans))
    return longer


def featurize(cases: list[QACase], folds: dict[str, int], long: bool = False) -> list[Example]:
    """Feature rows for every case, with the gold label of each row.

    A row also counts as gold when it repeats the answer's words verbatim elsewhere.
    """
    examples = []
    answers: dict[str, list[str]] = {}
    for case in cases:
        if case.kind is CaseKind.ANSWERABLE:
            answers[case.question] = [a for a in _answer_texts(case) if len(a) >= 3]
        parsed = parse_question(case.question)
        sentences = candidate_sentences(Article(text=case.text))
        match = (
            match_article(parsed, case.question, sentences)
            if parsed.terms
            else ArticleMatch([], 0.0, 0.0, 0)
        )
        texts = answers.get(case.question, []) if case.kind is not CaseKind.OFF_ARTICLE else []
        gold = tuple(
            _overlaps(r.sentence.start, r.sentence.end, case.spans)
            or any(a in " ".join(tokenize(r.sentence.text)) for a in texts)
            for r in match.rows
        )
        fold = folds[case.article_id if case.kind is not CaseKind.OFF_ARTICLE else case.question]
        survives = case.kind is CaseKind.HARD_NEGATIVE and any(
            a in " ".join(tokenize(case.text)) for a in texts
        )
        examples.append(Example(case, fold, parsed, match, gold, long, survives))
    return examples


def fit_ranker(examples: list[Example]) -> np.ndarray:
    """Conditional logit over each answerable article's rows: the gold rows' softmax share up."""
    groups = [e for e in examples if e.case.kind is CaseKind.ANSWERABLE and any(e.gold)]
    x = np.array([row.values for e in groups for row in e.match.rows])
    gold = np.array([g for e in groups for g in e.gold], dtype=float)
    group = np.repeat(np.arange(len(groups)), [len(e.match.rows) for e in groups])
    weights = np.zeros(x.shape[1])
    first, second = np.zeros_like(weights), np.zeros_like(weights)
    for step in range(1, RANKER_STEPS + 1):  # Adam, full batch
        scores = x @ weights
        scores -= np.maximum.reduceat(scores, np.r_[0, np.flatnonzero(np.diff(group)) + 1])[group]
        exps = np.exp(scores)
        p = exps / np.bincount(group, exps)[group]
        positive = exps * gold
        q = positive / np.bincount(group, positive)[group]
        gradient = x.T @ (p - q) / len(groups) + RANKER_L2 * np.r_[0.0, weights[1:]]
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        update = (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        weights -= RANKER_RATE * update
    weights[0] = 0.0  # a shared bias cancels in the softmax
    return weights


def _answer_rows(examples: list[Example], ranker: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Answerability vectors and labels: 1 when the ranker's best row holds the gold answer."""
    x, y = [], []
    weights = _weights(ranker, np.zeros(len(ANSWER_FEATURES)), 0.5)
    for example in examples:
        if not example.match.rows:
            continue
        values, top = _answer_vector(example, weights)
        x.append(values)
        y.append(float(example.case.kind is not CaseKind.OFF_ARTICLE and example.gold[top]))
    return np.array(x), np.array(y)


def _answer_vector(example: Example, weights: ReaderWeights) -> tuple[list[float], int]:
    from summarizer.qa.features import answer_values
    from summarizer.qa.reader import softmax

    scores = [float(np.dot(weights.ranker, row.values)) for row in example.match.rows]
    values = answer_values(example.match, scores, softmax(scores), example.parsed.intent)
    top = min(range(len(scores)), key=lambda i: (-scores[i], example.match.rows[i].sentence.index))
    return list(values), top


def fit_answerer(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (the bias left unpenalised)."""
    weights = np.zeros(x.shape[1])
    penalty = ANSWER_L2 * len(y) * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) + penalty @ weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return weights


def _weights(ranker: np.ndarray, answerer: np.ndarray, threshold: float) -> ReaderWeights:
    return ReaderWeights(
        version="v1",
        ranker=tuple(round(float(v), 6) for v in ranker),
        answerer=tuple(round(float(v), 6) for v in answerer),
        threshold=threshold,
    )


def train(examples: list[Example]) -> ReaderWeights:
    """Both models on the given examples; the threshold is left at 0.5 for the caller to set."""
    ranker = fit_ranker(examples)
    x, y = _answer_rows(examples, ranker)
    return _weights(ranker, fit_answerer(x, y), 0.5)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One held-out case: the reader's probability and whether its evidence quotes the gold."""

    kind: CaseKind
    probability: float
    quotes_gold: bool
    long: bool = False
    answer_survives: bool = False


def predict(examples: list[Example], weights: ReaderWeights) -> list[Outcome]:
    """Reads each case with the given weights, choosing evidence the way answers do."""
    options = QAOptions()
    outcomes = []
    for example in examples:
        reading = score_match(example.match, weights, example.parsed)
        quotes = False
        if reading.candidates:
            chosen = choose_evidence(reading, options)
            quotes = any(
                _overlaps(c.sentence.start, c.sentence.end, example.case.spans) for c in chosen
            )
        outcomes.append(
            Outcome(
                example.case.kind,
                reading.probability,
                quotes,
                example.long,
                example.answer_survives,
            )
        )
    return outcomes


def rates(outcomes: list[Outcome], threshold: float) -> dict[CaseKind, float]:
    """The issue's three figures at one threshold."""
    result = {}
    for kind in TARGETS:
        chosen = [o for o in outcomes if o.kind is kind]
        if kind is CaseKind.ANSWERABLE:
            right = sum(o.probability >= threshold and o.quotes_gold for o in chosen)
        else:
            right = sum(o.probability < threshold for o in chosen)
        result[kind] = right / len(chosen) if chosen else 0.0
    return result


def choose_threshold(outcomes: list[Outcome]) -> float:
    """The most cautious threshold whose mean of the three rates is within TOLERANCE of the best.

    The mean of the rates is flat near its top (each step trades answered questions for
    abstentions one for one); there a wrong quote costs a reader more than an honest "the
    article doesn't say", so the tie goes to abstaining.
    """
    grid = [step / 200 for step in range(1, 200)]
    means = {t: sum(rates(outcomes, t).values()) / len(TARGETS) for t in grid}
    best = max(means.values())
    return max(t for t, mean in means.items() if mean >= best - TOLERANCE)


Figures = dict[CaseKind, float]


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Held-out figures (articles as given, lengthened), the out-of-fold outcomes, and the
    removed-paragraph rate on the cases whose answer's words are really gone from the text."""

    figures: Figures
    long_figures: Figures
    oof: list[Outcome]
    answer_gone: float
    answer_gone_cases: int


def cross_validate(examples: list[Example], train_on_long: bool = False) -> CrossValidation:
    """Out-of-fold outcomes, and the figures with each fold's threshold set on the other folds.

    Lengthened cases are only measured unless asked for.
    """
    used = [e for e in examples if train_on_long or not e.long]
    per_fold: dict[int, list[Outcome]] = {}
    for fold in range(FOLDS):
        weights = train([e for e in used if e.fold != fold])
        per_fold[fold] = predict([e for e in examples if e.fold == fold], weights)
    scored: dict[tuple[bool, CaseKind], list[float]] = {}
    gone: list[float] = []
    for fold, outcomes in per_fold.items():
        others = [
            o
            for f, group in per_fold.items()
            if f != fold
            for o in group
            if train_on_long or not o.long
        ]
        threshold = choose_threshold(others)
        for o in outcomes:
            if o.kind not in TARGETS:
                continue
            if o.kind is CaseKind.ANSWERABLE:
                right = o.probability >= threshold and o.quotes_gold
            else:
                right = o.probability < threshold
            scored.setdefault((o.long, o.kind), []).append(float(right))
            if o.kind is CaseKind.HARD_NEGATIVE and not o.long and not o.answer_survives:
                gone.append(float(right))

    def figures(long: bool) -> Figures:
        return {
            kind: sum(values) / len(values)
            for (is_long, kind), values in scored.items()
            if is_long == long and values
        }

    oof = [o for group in per_fold.values() for o in group if train_on_long or not o.long]
    answer_gone = sum(gone) / len(gone) if gone else 0.0
    return CrossValidation(figures(False), figures(True), oof, answer_gone, len(gone))


def _fold_of_articles(article_ids: list[str]) -> dict[str, int]:
    return {article_id: position % FOLDS for position, article_id in enumerate(article_ids)}


def run(data: Path, out: Path, train_on_long: bool = False) -> tuple[Figures, Figures, float]:
    """Cross-validates, then trains on everything and writes the weights with their provenance."""
    articles = load_qa_articles(data)
    cases = build_cases(articles)
    folds = _fold_of_articles([article.id for article in articles])
    # An off-article case belongs to its question's fold, so no fold sees its question in training.
    question_folds = {
        item.question: folds[article.id] for article in articles for item in article.items
    }
    examples = featurize(cases, {**folds, **question_folds}) + featurize(
        lengthened(cases, articles), {**folds, **question_folds}, long=True
    )
    result = cross_validate(examples, train_on_long)
    figures, long_figures = result.figures, result.long_figures
    threshold = choose_threshold(result.oof)
    final = train([e for e in examples if train_on_long or not e.long])
    digest = hashlib.sha256(data.read_bytes()).hexdigest()[:16]
    counts = {kind: sum(1 for c in cases if c.kind is kind) for kind in CaseKind}
    notes = (
        "Khulasa offline Q&A reader: logistic ranker over sentences + answerability model.",
        "Written by `make train-qa`; do not edit by hand.",
        f"data {data.name} sha256:{digest}: {len(articles)} articles, "
        + ", ".join(f"{kind.value} {n}" for kind, n in counts.items() if n),
        f"{FOLDS}-fold cross-validation by article, threshold set on the other folds: "
        + ", ".join(f"{kind.value} {100 * rate:.1f}%" for kind, rate in figures.items()),
        f"hard_negative cases whose answer's words are gone from the text "
        f"({result.answer_gone_cases} of {counts[CaseKind.HARD_NEGATIVE]}): "
        f"{100 * result.answer_gone:.1f}% abstain",
        f"the same cases with {DISTRACTORS} other articles appended "
        + ("(also trained on): " if train_on_long else "(measured only): ")
        + ", ".join(f"{kind.value} {100 * rate:.1f}%" for kind, rate in long_figures.items()),
        f"threshold {threshold:.3f}: the most cautious within {100 * TOLERANCE:.1f} points of the best mean of "
        "the three rates on out-of-fold probabilities",
    )
    weights = ReaderWeights(final.version, final.ranker, final.answerer, threshold, notes)
    out.write_text(format_weights(weights), encoding="utf-8")
    return figures, long_figures, result.answer_gone


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="ARCD-shaped JSON lines")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    parser.add_argument(
        "--train-lengthened",
        action="store_true",
        help="also train and calibrate on the cases with other articles appended",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    figures, long_figures, answer_gone = run(args.data, args.out, args.train_lengthened)
    print(f"{'':<16}{'article':>8}{'lengthened':>12}")
    for kind, rate in figures.items():
        print(f"{kind.value:<16}{100 * rate:7.1f}%{100 * long_figures.get(kind, 0.0):11.1f}%")
    print(
        f"{'  answer gone':<16}{100 * answer_gone:7.1f}%  (hard negatives without the answer's words)"
    )
    print(f"weights written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
