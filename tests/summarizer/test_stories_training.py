"""Calibration: folds keep events whole, the overlay keeps each event's spacing, and a clear
signal is learned with no wrong merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from summarizer.stories.grouping import LabelledArticle
from summarizer.stories.signals import StoryArticle
from summarizer.training.stories import OVERLAY, OVERLAY_ORIGIN, calibrate, folds_by_event, overlaid

TOPICS = [
    ("Orbit launches a reusable rocket from its coastal pad", "rocket launch pad orbit"),
    ("Quartz bank reports record quarterly profit of $4.2bn", "bank profit quarter"),
    ("Lumen recalls 80,000 electric scooters over battery fires", "scooter recall battery"),
    ("Harbor city opens its first driverless tram line", "tram driverless city"),
    ("Nimbus cloud outage takes down shops and airlines for hours", "cloud outage airlines"),
    ("Vega studio buys a mobile game maker for $900m", "studio acquisition game"),
    ("Delta chipmaker opens a new factory with 3,000 jobs", "factory chips jobs"),
    ("Pine social app passes 50 million users in a week", "social app users"),
    ("Coral telecom fined €300m over data leak", "telecom fine leak"),
    ("Atlas robot maker raises $1.2bn in new funding", "robot funding raise"),
]


def labelled_items() -> list[LabelledArticle]:
    rng = np.random.default_rng(3)
    centers = rng.standard_normal((len(TOPICS), 32))
    items = []
    for event, (title, words) in enumerate(TOPICS):
        start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=event * 9)
        for copy in range(3):
            vector = centers[event] + 0.15 * rng.standard_normal(32)
            article = StoryArticle(
                id=f"e{event}-{copy}",
                title=title if copy != 1 else f"Report: {title.lower()}",
                text=f"Sources confirmed the news about the {words} on Monday.",
                language="en",
                published=start + timedelta(hours=3 * copy),
                vector=(vector / np.linalg.norm(vector)).astype(np.float32),
            )
            items.append(LabelledArticle(article, f"event-{event}"))
    return items


def test_folds_keep_every_event_whole():
    folds = folds_by_event(labelled_items())
    events_per_fold = [{item.event for item in fold} for fold in folds]
    assert all(events_per_fold)
    for index, events in enumerate(events_per_fold):
        for other in events_per_fold[index + 1 :]:
            assert events.isdisjoint(other)


def test_overlay_keeps_spacing_and_brings_events_together():
    moved = {item.article.id: item.article.published for item in overlaid(labelled_items())}
    assert moved["e4-2"] - moved["e4-0"] == timedelta(hours=6)
    assert all(OVERLAY_ORIGIN <= moved[f"e{e}-0"] <= OVERLAY_ORIGIN + OVERLAY for e in range(10))


def test_a_clear_signal_is_calibrated_without_wrong_merges():
    calibration, dense, real = calibrate(labelled_items(), embeddings=True)
    assert 0 < calibration.threshold < 1 and 0 < calibration.threshold_for(cross=True) < 1
    assert real.report.wrong_merges == () and dense.report.wrong_merges == ()
    assert real.report.recall == 1.0


def test_without_vectors_the_cross_language_threshold_is_the_threshold():
    calibration, dense, _ = calibrate(labelled_items(), embeddings=False)
    assert calibration.cross_threshold == calibration.threshold == dense.threshold
    assert dense.cross_threshold == dense.threshold
