"""Pairwise scores of a grouping against event labels.

Every pair of articles counts once: grouped together and of one event is a true pair; grouped
together across events is a wrong merge (what hides news from readers); of one event but apart
is a miss. Cross-language recall is the recall over the true pairs whose languages differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

LISTED_MERGES = 20


@dataclass(frozen=True, slots=True)
class StoryReport:
    """Pair counts and the rates made from them."""

    articles: int
    stories: int
    events: int
    predicted_pairs: int
    gold_pairs: int
    true_pairs: int
    cross_language_gold: int
    cross_language_true: int
    wrong_merges: tuple[tuple[str, str], ...]  # (id, id) grouped together across events

    @property
    def precision(self) -> float:
        return self.true_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_pairs / self.gold_pairs if self.gold_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def cross_language_recall(self) -> float:
        if not self.cross_language_gold:
            return 1.0
        return self.cross_language_true / self.cross_language_gold


def evaluate_pairs(
    ids: Sequence[str],
    together: Callable[[str, str], bool],
    events: Mapping[str, str],
    languages: Mapping[str, str],
    stories: int = 0,
) -> StoryReport:
    """Counts every pair of `ids`; `together(a, b)` says whether the grouping joined them."""
    predicted = true = gold = cross_gold = cross_true = 0
    merges = []
    for left, right in combinations(ids, 2):
        same_event = events[left] == events[right]
        cross = languages[left] != languages[right]
        joined = together(left, right)
        predicted += joined
        gold += same_event
        cross_gold += same_event and cross
        if joined and same_event:
            true += 1
            cross_true += cross
        elif joined:
            merges.append((left, right))
    return StoryReport(
        articles=len(ids),
        stories=stories,
        events=len({events[identifier] for identifier in ids}),
        predicted_pairs=predicted,
        gold_pairs=gold,
        true_pairs=true,
        cross_language_gold=cross_gold,
        cross_language_true=cross_true,
        wrong_merges=tuple(merges),
    )


def evaluate_grouping(
    stories: Mapping[str, str], events: Mapping[str, str], languages: Mapping[str, str]
) -> StoryReport:
    """Scores `stories` (id -> story) against `events` (id -> event); ids must match."""
    return evaluate_pairs(
        list(stories),
        lambda left, right: stories[left] == stories[right],
        events,
        languages,
        stories=len(set(stories.values())),
    )


def format_story_report(report: StoryReport) -> str:
    """The human-readable summary `khulasa eval-stories` prints."""
    lines = [
        f"articles: {report.articles}  events: {report.events}  stories: {report.stories}",
        f"pairwise precision: {report.precision:.3f}  "
        f"({report.true_pairs} of {report.predicted_pairs} grouped pairs)",
        f"pairwise recall: {report.recall:.3f}  "
        f"({report.true_pairs} of {report.gold_pairs} same-event pairs)",
        f"pairwise F1: {report.f1:.3f}",
        f"cross-language recall: {report.cross_language_recall:.3f}  "
        f"({report.cross_language_true} of {report.cross_language_gold} pairs)",
        f"pairs merged across different events: {len(report.wrong_merges)}",
    ]
    lines += [f"  {left} + {right}" for left, right in report.wrong_merges[:LISTED_MERGES]]
    if len(report.wrong_merges) > LISTED_MERGES:
        lines.append(f"  ... and {len(report.wrong_merges) - LISTED_MERGES} more")
    return "\n".join(lines)
