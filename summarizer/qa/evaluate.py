"""Measures a Q&A backend the way the issue's held-out sets do, on ARCD-shaped JSON lines.

Each line is one article: `{"id", "title"?, "paragraphs": [text, ...], "qas": [{"id", "question",
"paragraph", "answers": [{"text", "start"}]}]}`. From it come four kinds of case:

- answerable: the whole article (paragraphs joined by blank lines); right when an evidence
  sentence overlaps the gold answer;
- hard negative: the same article without the answering paragraph; right when it abstains;
- off-article: the question asked of the next article in the file; right when it abstains;
- other language: a question whose script differs from the article's (an English question on an
  Arabic article); right when it is answered from the gold sentence or says `other_language`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from summarizer.errors import InputError
from summarizer.jsonl import read_records
from summarizer.text import detect_language
from summarizer.types import Article

from .types import Answer, QAOptions

PARAGRAPH_SEPARATOR = "\n\n"


class CaseKind(Enum):
    """What a case tests, and so what counts as right."""

    ANSWERABLE = "answerable"
    HARD_NEGATIVE = "hard_negative"
    OFF_ARTICLE = "off_article"
    OTHER_LANGUAGE = "other_language"


@dataclass(frozen=True, slots=True)
class QAItem:
    """One question of an article, with its answers' char spans in the joined article text."""

    id: str
    question: str
    paragraph: int
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class QAArticle:
    """An article as paragraphs, and the questions asked of it."""

    id: str
    title: str | None
    paragraphs: tuple[str, ...]
    items: tuple[QAItem, ...]

    @property
    def text(self) -> str:
        """The paragraphs joined into one article text."""
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class QACase:
    """One question put to one article text, and the gold spans when it answers."""

    kind: CaseKind
    question: str
    text: str
    article_id: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class QAReport:
    """Right and total per kind of case, for one backend."""

    backend: str
    right: dict[CaseKind, int] = field(default_factory=dict)
    total: dict[CaseKind, int] = field(default_factory=dict)

    def rate(self, kind: CaseKind) -> float | None:
        """The share right, or None when the data holds no case of that kind."""
        total = self.total.get(kind, 0)
        return self.right.get(kind, 0) / total if total else None


def _offsets(paragraphs: list[str]) -> list[int]:
    starts, position = [], 0
    for paragraph in paragraphs:
        starts.append(position)
        position += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return starts


def _span(paragraph: str, answer: dict, base: int) -> tuple[int, int] | None:
    """The answer's char span in the joined text; the offset is checked, else the text searched."""
    text = answer.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    start = answer.get("start")
    if not (isinstance(start, int) and paragraph[start : start + len(text)] == text):
        start = paragraph.find(text)
        if start < 0:
            return None
    return base + start, base + start + len(text)


def _parse_article(line: str, number: int) -> QAArticle:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"line {number}: not JSON ({error.msg})") from error
    paragraphs = record.get("paragraphs") if isinstance(record, dict) else None
    qas = record.get("qas") if isinstance(record, dict) else None
    if not (
        isinstance(paragraphs, list)
        and paragraphs
        and all(isinstance(p, str) for p in paragraphs)
        and isinstance(qas, list)
    ):
        raise InputError(f'line {number}: expected {{"paragraphs": [text, ...], "qas": [...]}}')
    starts = _offsets(paragraphs)
    items = []
    for qa in qas:
        if not isinstance(qa, dict) or not isinstance(qa.get("question"), str):
            raise InputError(f'line {number}: every qas entry needs a "question" string')
        index = qa.get("paragraph")
        if not isinstance(index, int) or not 0 <= index < len(paragraphs):
            raise InputError(f"line {number}: question {qa.get('id')!r} names no paragraph")
        spans = tuple(
            span
            for answer in qa.get("answers") or []
            if isinstance(answer, dict)
            and (span := _span(paragraphs[index], answer, starts[index])) is not None
        )
        items.append(QAItem(str(qa.get("id", len(items))), qa["question"].strip(), index, spans))
    title = record.get("title") if isinstance(record.get("title"), str) else None
    return QAArticle(str(record.get("id", number)), title, tuple(paragraphs), tuple(items))


def load_qa_articles(path: str | Path) -> list[QAArticle]:
    """Articles and their questions from ARCD-shaped JSON lines."""
    return read_records(path, _parse_article, "articles")


def _without_paragraph(article: QAArticle, index: int) -> str:
    """The article with the answering paragraph (and any verbatim repeat of it) removed."""
    removed = article.paragraphs[index]
    return PARAGRAPH_SEPARATOR.join(p for p in article.paragraphs if p != removed)


def build_cases(articles: list[QAArticle]) -> list[QACase]:
    """The four kinds of case, deterministically: off-article questions go to the next article."""
    cases = []
    for position, article in enumerate(articles):
        language = detect_language(article.text)
        other = articles[(position + 1) % len(articles)] if len(articles) > 1 else None
        for item in article.items:
            if not item.spans:
                continue
            if detect_language(item.question) != language:
                cases.append(
                    QACase(
                        CaseKind.OTHER_LANGUAGE, item.question, article.text, article.id, item.spans
                    )
                )
                continue
            cases.append(
                QACase(CaseKind.ANSWERABLE, item.question, article.text, article.id, item.spans)
            )
            rest = _without_paragraph(article, item.paragraph)
            if rest.strip():
                cases.append(QACase(CaseKind.HARD_NEGATIVE, item.question, rest, article.id))
            if other is not None:
                cases.append(QACase(CaseKind.OFF_ARTICLE, item.question, other.text, other.id))
    return cases


def quotes_gold(answer: Answer, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether an evidence sentence overlaps a gold answer span."""
    return any(
        evidence.start < end and start < evidence.end
        for evidence in answer.evidence
        for start, end in spans
    )


def is_right(case: QACase, answer: Answer) -> bool:
    """The verdict for one case, by its kind."""
    if case.kind is CaseKind.ANSWERABLE:
        return not answer.abstained and quotes_gold(answer, case.spans)
    if case.kind is CaseKind.OTHER_LANGUAGE:
        if answer.abstained:
            return answer.reason == "other_language"
        return quotes_gold(answer, case.spans)
    return answer.abstained


Answerer = Callable[[str, Article, QAOptions], Answer]


def evaluate_qa(cases: list[QACase], answerer: Answerer, options: QAOptions) -> QAReport:
    """Runs every case through the answerer and counts the right ones per kind."""
    report = QAReport(backend=options.backend)
    for case in cases:
        result = answerer(case.question, Article(text=case.text, id=case.article_id), options)
        report.backend = result.backend
        report.total[case.kind] = report.total.get(case.kind, 0) + 1
        report.right[case.kind] = report.right.get(case.kind, 0) + int(is_right(case, result))
    return report


_LABELS = {
    CaseKind.ANSWERABLE: "answerable, right sentence quoted",
    CaseKind.HARD_NEGATIVE: "answering paragraph removed, abstains",
    CaseKind.OFF_ARTICLE: "question from another article, abstains",
    CaseKind.OTHER_LANGUAGE: "other-language question, right or told so",
}


def format_qa_report(report: QAReport) -> str:
    """One line per kind: the share right and the counts; n/a when the data has no such case."""
    width = max(map(len, _LABELS.values())) + 2
    lines = [f"Q&A backend {report.backend}"]
    for kind, label in _LABELS.items():
        rate = report.rate(kind)
        if rate is None:
            lines.append(f"{label:<{width}}{'n/a':>7}  (no such questions in the data)")
        else:
            counts = f"{report.right.get(kind, 0)}/{report.total[kind]}"
            lines.append(f"{label:<{width}}{100 * rate:>6.1f}%  ({counts})")
    return "\n".join(lines)
