"""Pairwise scores of a grouping, and the shipped calibration's file form."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.errors import ModelUnavailableError
from summarizer.stories.evaluate import evaluate_grouping, format_story_report
from summarizer.stories.model import (
    FEATURES,
    Calibration,
    StoryWeights,
    fit_logistic,
    format_weights,
    parse_weights,
    shipped_weights,
)


def test_pairwise_scores_count_true_pairs_misses_and_wrong_merges():
    stories = {"a": "s1", "b": "s1", "c": "s1", "d": "s2", "e": "s3"}
    events = {"a": "x", "b": "x", "c": "y", "d": "x", "e": "z"}
    languages = {"a": "en", "b": "ar", "c": "en", "d": "ar", "e": "en"}
    report = evaluate_grouping(stories, events, languages)
    # grouped pairs: ab (x, true), ac, bc (wrong); same-event pairs: ab, ad, bd
    assert (report.predicted_pairs, report.gold_pairs, report.true_pairs) == (3, 3, 1)
    assert report.precision == pytest.approx(1 / 3) and report.recall == pytest.approx(1 / 3)
    # cross-language same-event pairs: ab (en-ar), ad (en-ar); bd is ar-ar
    assert (report.cross_language_true, report.cross_language_gold) == (1, 2)
    assert set(report.wrong_merges) == {("a", "c"), ("b", "c")}
    text = format_story_report(report)
    assert "pairs merged across different events: 2" in text and "a + c" in text


def test_all_singletons_are_precise_and_recall_nothing():
    report = evaluate_grouping({"a": "a", "b": "b"}, {"a": "x", "b": "x"}, {"a": "en", "b": "en"})
    assert report.precision == 1.0 and report.recall == 0.0 and report.f1 == 0.0


def test_logistic_fit_separates_a_clear_signal():
    rng = np.random.default_rng(0)
    signal = rng.uniform(0, 1, 400)
    features = np.column_stack([np.ones(400), signal])
    labels = (signal > 0.5).astype(float)
    coefficients = fit_logistic(features, labels, l2=0.1)
    assert coefficients[1] > 5 and -coefficients[0] / coefficients[1] == pytest.approx(
        0.5, abs=0.05
    )


def test_weights_round_trip_and_refuse_other_features():
    calibration = Calibration(tuple(float(index) for index in range(len(FEATURES))), 0.6, 0.4)
    weights = StoryWeights("v1", {"embeddings": calibration, "lexical": calibration}, ("note",))
    assert parse_weights(format_weights(weights)) == weights
    with pytest.raises(ModelUnavailableError):
        parse_weights(format_weights(weights).replace("embeddings gap", "embeddings other"))


def test_shipped_weights_point_the_right_way():
    weights = shipped_weights()
    assert set(weights.calibrations) == {"embeddings", "lexical"}
    for mode, calibration in weights.calibrations.items():
        coefficient = dict(zip(FEATURES, calibration.coefficients, strict=True))
        assert 0 < calibration.threshold < 1 and 0 < calibration.threshold_for(cross=True) < 1
        assert coefficient["lex_max"] > 0 and coefficient["amounts_conflict"] < 0, mode
    assert weights.calibrations["embeddings"].coefficients[FEATURES.index("emb_centroid")] > 0
