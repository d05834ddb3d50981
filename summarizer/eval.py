"""ROUGE that sees Arabic words: scores a backend against reference summaries, beside Lead-N."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rouge_score import rouge_scorer

from .errors import InputError
from .jsonl import read_records
from .text import clean_text, script_language, split_sentences, stem, tokenize
from .types import Article, Summarizer

log = logging.getLogger(__name__)

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
_LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}
_BATCH = 8

Scores = dict[str, float]


class ArabicRougeTokenizer:
    """Normalized word tokens (rouge_score's own tokenizer keeps only [a-z0-9])."""

    def __init__(self, use_stemmer: bool = False) -> None:
        self.use_stemmer = use_stemmer

    def tokenize(self, text: str) -> list[str]:
        """Tokens as ROUGE counts them, stemmed per script when asked."""
        tokens = tokenize(text)
        if self.use_stemmer:
            return [stem(token, script_language(token)) for token in tokens]
        return tokens


@dataclass(frozen=True, slots=True)
class EvalPair:
    """An article and the summaries people wrote for it."""

    id: str
    text: str
    references: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Mean ROUGE F1 of a backend and of the Lead-N baseline, unstemmed and stemmed."""

    backend: str
    count: int
    lead_sentences: int
    system: Scores
    lead: Scores
    system_stemmed: Scores
    lead_stemmed: Scores


def parse_text_record(line: str) -> dict[str, Any]:
    """One JSON-lines object with a "text" string: eval pairs and the CLI's batch input alike."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON ({error.msg})") from error
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise InputError('expected an object with a "text" string')
    return record


def _parse_pair(line: str, number: int) -> EvalPair:
    try:
        record = parse_text_record(line)
    except InputError as error:
        raise InputError(f"line {number}: {error}") from error
    references = record.get("summaries", [record.get("summary")])
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise InputError(f'line {number}: expected "summary" or "summaries" with strings')
    return EvalPair(
        str(record.get("id", number)), record["text"], tuple(references), record.get("title")
    )


def load_pairs(path: str | Path) -> list[EvalPair]:
    """Pairs from JSON lines `{"text", "summary"}` or `{"text", "summaries": [...]}`."""
    return read_records(path, _parse_pair, "pairs")


def rouge_f1(prediction: str, references: Sequence[str], use_stemmer: bool = False) -> Scores:
    """ROUGE-1/2/L F1 of one prediction, averaged over its references."""
    scorer = _scorer(use_stemmer)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for reference in references:
        for rouge_type, score in scorer.score(reference, prediction).items():
            totals[rouge_type] += score.fmeasure
    return {rouge_type: total / len(references) for rouge_type, total in totals.items()}


def _scorer(use_stemmer: bool) -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(
        list(ROUGE_TYPES), tokenizer=ArabicRougeTokenizer(use_stemmer=use_stemmer)
    )


def lead_summary(text: str, sentences: int = 3) -> str:
    """The first sentences of the article: the baseline any news summarizer must beat."""
    return " ".join(sentence.text for sentence in split_sentences(clean_text(text))[:sentences])


def _mean(rows: Iterable[Scores]) -> Scores:
    rows = list(rows)
    return {
        rouge_type: sum(row[rouge_type] for row in rows) / len(rows) for rouge_type in ROUGE_TYPES
    }


def _summaries(summarizer: Summarizer, pairs: list[EvalPair]) -> list[str]:
    texts: list[str] = []
    for start in range(0, len(pairs), _BATCH):
        batch = pairs[start : start + _BATCH]
        articles = [Article(text=pair.text, title=pair.title, id=pair.id) for pair in batch]
        texts.extend(summary.text for summary in summarizer.summarize(articles))
    return texts


def evaluate(summarizer: Summarizer, pairs: list[EvalPair], lead_sentences: int = 3) -> EvalReport:
    """Scores the backend's summaries and the Lead-N baseline on the same pairs."""
    predictions = _summaries(summarizer, pairs)
    leads = [lead_summary(pair.text, lead_sentences) for pair in pairs]

    def mean_scores(texts: list[str], use_stemmer: bool) -> Scores:
        return _mean(
            rouge_f1(t, p.references, use_stemmer) for t, p in zip(texts, pairs, strict=True)
        )

    return EvalReport(
        backend=summarizer.name,
        count=len(pairs),
        lead_sentences=lead_sentences,
        system=mean_scores(predictions, False),
        lead=mean_scores(leads, False),
        system_stemmed=mean_scores(predictions, True),
        lead_stemmed=mean_scores(leads, True),
    )


def format_report(report: EvalReport) -> str:
    """A small table, F1 ×100 with one decimal, backend beside Lead-N."""
    lead = f"lead-{report.lead_sentences}"
    rows = (
        (report.backend, report.system),
        (lead, report.lead),
        (f"{report.backend} (stemmed)", report.system_stemmed),
        (f"{lead} (stemmed)", report.lead_stemmed),
    )
    width = max(len(name) for name, _ in rows) + 2
    header = "".join(f"{_LABELS[t]:>9}" for t in ROUGE_TYPES)
    lines = [f"ROUGE F1 x100 on {report.count} articles", f"{'':<{width}}{header}"]
    lines += [
        f"{name:<{width}}" + "".join(f"{100 * s[t]:>9.1f}" for t in ROUGE_TYPES) for name, s in rows
    ]
    return "\n".join(lines)
