"""The learned offline reader: shipped weights, calibrated threshold, reasons, other languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import ModelUnavailableError
from summarizer.qa import QAOptions, answer
from summarizer.qa.reader import format_weights, load_weights, parse_weights, sigmoid, softmax
from summarizer.qa.retrieval import min_score
from summarizer.text import parse_article_file
from summarizer.types import Article

ROOT = Path(__file__).resolve().parents[2]
OTHER_LANGUAGE = json.loads(
    (ROOT / "tests/fixtures/qa/other_language.json").read_text(encoding="utf-8")
)
WEIGHTS = ROOT / "summarizer/qa/reader_weights.txt"


def load_article(relative_path: str) -> Article:
    title, body = parse_article_file((ROOT / relative_path).read_text(encoding="utf-8"))
    return Article(text=body, title=title)


def test_shipped_weights_load_with_their_threshold_and_provenance() -> None:
    weights = load_weights()
    assert weights.version == "v1"
    assert 0.0 < weights.threshold < 1.0
    assert min_score(QAOptions()) == weights.threshold
    assert min_score(QAOptions(min_score=0.9)) == 0.9
    assert any("cross-validation" in note for note in weights.notes)


def test_weights_round_trip_through_their_text_form() -> None:
    weights = load_weights()
    again = parse_weights(format_weights(weights))
    assert again.ranker == weights.ranker and again.answerer == weights.answerer
    assert again.threshold == pytest.approx(weights.threshold, abs=1e-4)


def test_weights_for_other_features_are_refused() -> None:
    text = WEIGHTS.read_text(encoding="utf-8").replace("ranker coverage ", "ranker covered ")
    with pytest.raises(ModelUnavailableError, match="other features"):
        parse_weights(text)
    with pytest.raises(ModelUnavailableError, match="not 'khulasa-qa-reader 1'"):
        parse_weights("format something-else 1\n")


def test_probability_helpers_stay_finite() -> None:
    assert sigmoid(-1000.0) == pytest.approx(0.0) and sigmoid(1000.0) == pytest.approx(1.0)
    assert sum(softmax([1000.0, 999.0, -5.0])) == pytest.approx(1.0)


def test_score_is_a_probability_the_threshold_applies_to() -> None:
    article = load_article("tests/fixtures/qa/en_chip.txt")
    result = answer("How many cores does the processor have?", article)
    assert not result.abstained and result.reason is None
    assert min_score(QAOptions()) <= result.score <= 1.0


def test_an_abstention_says_the_article_does_not_say() -> None:
    result = answer(
        "Who won the football world cup?", load_article("tests/fixtures/qa/en_chip.txt")
    )
    assert result.abstained and result.reason == "not_in_article"


def test_a_question_in_another_language_is_told_so() -> None:
    result = answer("Who founded the company?", load_article("seeds/000_9ae386f161d82b4b.txt"))
    assert result.abstained and result.reason == "other_language"
    assert result.evidence == ()


def test_shared_names_answer_a_question_in_another_language() -> None:
    result = answer("When did OpenAI release O1?", load_article("seeds/000_9ae386f161d82b4b.txt"))
    assert not result.abstained
    assert "أطلقته OpenAI في ديسمبر" in " ".join(e.text for e in result.evidence)


def _right_or_honest(case: dict) -> bool:
    result = answer(case["question"], load_article(case["article"]))
    if result.abstained:
        return result.reason == "other_language"
    quoted = " ".join(evidence.text for evidence in result.evidence)
    return case["evidence"] is not None and case["evidence"] in quoted


def test_other_language_questions_are_answered_right_or_told_honestly() -> None:
    outcomes = [_right_or_honest(case) for case in OTHER_LANGUAGE]
    assert len(outcomes) >= 15
    assert sum(outcomes) / len(outcomes) >= 0.9


def test_the_other_language_reason_is_not_used_within_one_language() -> None:
    article = load_article("tests/fixtures/qa/ar_factory.txt")
    assert answer("من هو وزير الصناعة؟", article).reason == "not_in_article"
