"""Q&A evaluation data: ARCD-shaped lines become answerable, removed-paragraph and off-article cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.qa import Answer, Evidence
from summarizer.qa.evaluate import (
    CaseKind,
    QAReport,
    build_cases,
    format_qa_report,
    is_right,
    load_qa_articles,
)

FIRST = {
    "id": "a",
    "title": "t",
    "paragraphs": ["ولد العالم في القاهرة عام 1900.", "درس الفيزياء في باريس."],
    "qas": [
        {
            "id": "q1",
            "question": "أين درس الفيزياء؟",
            "paragraph": 1,
            "answers": [{"text": "باريس", "start": 15}],
        },
        {
            "id": "q2",
            "question": "Where did he study?",
            "paragraph": 1,
            "answers": [{"text": "باريس", "start": 0}],
        },
    ],
}
SECOND = {"id": "b", "paragraphs": ["نص آخر تماما عن الزراعة."], "qas": []}


def write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "qa.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_spans_point_into_the_joined_text_even_when_the_offset_is_wrong(tmp_path: Path) -> None:
    [article, _] = load_qa_articles(write(tmp_path, FIRST, SECOND))
    for item in article.items:
        [(start, end)] = item.spans
        assert article.text[start:end] == "باريس"


def test_cases_of_every_kind(tmp_path: Path) -> None:
    cases = build_cases(load_qa_articles(write(tmp_path, FIRST, SECOND)))
    kinds = [case.kind for case in cases]
    assert kinds == [
        CaseKind.ANSWERABLE,
        CaseKind.HARD_NEGATIVE,
        CaseKind.OFF_ARTICLE,
        CaseKind.OTHER_LANGUAGE,
    ]
    hard, off = cases[1], cases[2]
    assert "باريس" not in hard.text and "القاهرة" in hard.text
    assert off.text == SECOND["paragraphs"][0] and off.spans == ()


def test_verdicts_by_kind(tmp_path: Path) -> None:
    answerable, hard, _, other = build_cases(load_qa_articles(write(tmp_path, FIRST, SECOND)))
    start, end = answerable.spans[0]
    quote = Answer("x", (Evidence("x", 1, start - 3, end + 1),), 0.9, False, "retrieval")
    wrong = Answer("x", (Evidence("x", 0, 0, 5),), 0.9, False, "retrieval")
    abstained = Answer("", (), 0.1, True, "retrieval", "not_in_article")
    honest = Answer("", (), 0.0, True, "retrieval", "other_language")
    assert is_right(answerable, quote) and not is_right(answerable, wrong)
    assert not is_right(answerable, abstained)
    assert is_right(hard, abstained) and not is_right(hard, quote)
    assert is_right(other, honest) and not is_right(other, abstained) and is_right(other, quote)


def test_report_prints_rates_and_says_when_a_kind_is_missing() -> None:
    report = QAReport("retrieval", {CaseKind.ANSWERABLE: 3}, {CaseKind.ANSWERABLE: 4})
    text = format_qa_report(report)
    assert "75.0%  (3/4)" in text
    assert "n/a" in text.splitlines()[-1]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 1: not JSON"),
        ('{"paragraphs": "x", "qas": []}', "line 1: expected"),
        ('{"paragraphs": ["p"], "qas": [{"question": "q", "paragraph": 3}]}', "names no paragraph"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_qa_articles(write(tmp_path, line))
