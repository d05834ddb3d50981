"""The story matcher: which story of the window a new article reports, or none.

Stories live in numpy matrices of summed member vectors, so finding the few candidates for an
article is one matrix product over every story in the window, whatever their number. Only those
candidates are compared member by member, and always with the story as a whole (its centroid,
its least similar member, every member's terms and amounts): a story is never reached through
one nearest member, so unrelated events cannot link up through a third.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from .model import FEATURES, Calibration, StoryWeights, shipped_weights
from .signals import Profile, StoryArticle, overlap, profile, term_cosine

DEFAULT_WINDOW = timedelta(days=3)
CANDIDATES = 8  # stories compared in full per article
COMPARED_MEMBERS = 50  # the latest members of a long story stand for it
_INITIAL_ROWS = 256


@dataclass(frozen=True, slots=True)
class Candidate:
    """A story the article might join, with the features the pair model scores."""

    story_id: str
    features: np.ndarray
    cross: bool = False  # the story has no member in the article's language


@dataclass(frozen=True, slots=True)
class Match:
    """The story an article joins and the model's probability that it reports the same event."""

    story_id: str
    probability: float


@dataclass(slots=True)
class _Member:
    article: StoryArticle
    profile: Profile


@dataclass(slots=True)
class _Story:
    id: str
    row: int
    members: list[_Member] = field(default_factory=list)
    first: datetime | None = None
    latest: datetime | None = None
    amounts: set[float] = field(default_factory=set)


def _seconds(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else math.nan


class StoryMatcher:
    """Stories of a time window; `assign` puts each new article into one of them or a new one.

    A story takes new articles for `window` after its first article: a later turn of the same
    affair ("Altman reinstated" days after "Altman fired") is news and gets its own story.
    With vectors (`embeddings=True`) any language can join any story; without, an article only
    joins stories that have members in its language and candidates come from hashed terms.
    Articles must arrive in publication order, as a live stream meets them.

    A store keeps its own story ids: `match(article)` names the story to join, or None; then
    `add(article, story_id)` with the stored story's id (any string, a new one included).
    `restore` reloads the window's stories at start; stories past the window are forgotten.
    """

    def __init__(
        self,
        embeddings: bool,
        window: timedelta = DEFAULT_WINDOW,
        weights: StoryWeights | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.embeddings = embeddings
        self.window = window
        mode = "embeddings" if embeddings else "lexical"
        self.calibration = calibration or (weights or shipped_weights()).calibrations[mode]
        self._stories: dict[str, _Story] = {}
        self._by_row: list[_Story] = []
        self._sums: np.ndarray | None = None  # story vector sums (rows) for retrieval
        self._opened = np.full(_INITIAL_ROWS, -np.inf)  # when each row's story began
        self._norms = np.ones(_INITIAL_ROWS, dtype=np.float32)  # of each row's sum, kept current
        self._now: datetime | None = None

    def __len__(self) -> int:
        return len(self._stories)

    # -- retrieval -------------------------------------------------------------------------

    def _key_vector(self, article: StoryArticle, signals: Profile) -> np.ndarray:
        if self.embeddings:
            if article.vector is None:
                raise ValueError(f"article {article.id} has no vector")
            return np.asarray(article.vector, dtype=np.float32)
        return signals.lexical

    def _cutoff(self, moment: datetime | None) -> float:
        if moment is None:
            return -np.inf
        return moment.timestamp() - self.window.total_seconds()

    def _compact(self) -> None:
        """Forgets the stories that left the window, so memory follows the window, not uptime."""
        assert self._sums is not None
        cutoff = self._cutoff(self._now)
        kept = [story for story in self._by_row if self._opened[story.row] >= cutoff]
        rows = [story.row for story in kept]
        size = len(self._sums)
        self._sums = np.vstack(
            [self._sums[rows], np.zeros((size - len(rows), self._sums.shape[1]), dtype=np.float32)]
        )
        self._opened = np.concatenate([self._opened[rows], np.full(size - len(rows), -np.inf)])
        self._norms = np.concatenate(
            [self._norms[rows], np.ones(size - len(rows), dtype=np.float32)]
        )
        self._stories = {story.id: story for story in kept}
        for row, story in enumerate(kept):
            story.row = row
        self._by_row = list(kept)

    def _ensure_rows(self, dim: int) -> None:
        if self._sums is None:
            self._sums = np.zeros((_INITIAL_ROWS, dim), dtype=np.float32)
        if len(self._by_row) < len(self._sums):
            return
        self._compact()
        if len(self._by_row) < 0.75 * len(self._sums):
            return
        grow = len(self._sums)
        self._sums = np.vstack([self._sums, np.zeros((grow, dim), dtype=np.float32)])
        self._opened = np.concatenate([self._opened, np.full(grow, -np.inf)])
        self._norms = np.concatenate([self._norms, np.ones(grow, dtype=np.float32)])

    def _retrieve(self, key: np.ndarray, moment: datetime | None) -> list[_Story]:
        rows = len(self._by_row)
        if rows == 0 or self._sums is None:
            return []
        scores = (self._sums[:rows] @ key) / self._norms[:rows]
        scores[self._opened[:rows] < self._cutoff(moment)] = -np.inf
        count = min(CANDIDATES, rows)
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        return [self._by_row[row] for row in top if np.isfinite(scores[row])]

    # -- features --------------------------------------------------------------------------

    def _features(self, article: StoryArticle, signals: Profile, story: _Story) -> np.ndarray:
        members = story.members[-COMPARED_MEMBERS:]
        values = dict.fromkeys(FEATURES, 0.0)
        values["bias"] = 1.0
        if self.embeddings and self._sums is not None:
            total = self._sums[story.row]
            vector = np.asarray(article.vector, dtype=np.float32)
            values["emb_centroid"] = float(total @ vector / (np.linalg.norm(total) or 1.0))
            values["emb_min"] = min(
                float(np.asarray(member.article.vector) @ vector) for member in members
            )
        total_lexical = np.sum([member.profile.lexical for member in members], axis=0)
        values["lex_centroid"] = float(
            total_lexical @ signals.lexical / (np.linalg.norm(total_lexical) or 1.0)
        )
        same = [member for member in members if member.profile.language == signals.language]
        values["same_language"] = len(same) / len(members)
        values["lex_max"] = max(
            (term_cosine(signals.terms, member.profile.terms) for member in same), default=0.0
        )
        values["names"] = max(overlap(signals.names, member.profile.names) for member in members)
        if signals.amounts and story.amounts:
            shared = bool(signals.amounts & story.amounts)
            values["amounts_shared"] = float(shared)
            values["amounts_conflict"] = float(not shared)
        if article.published is not None and story.latest is not None:
            values["gap"] = self._scaled_hours(article.published - story.latest)
        if article.published is not None and story.first is not None:
            values["age"] = self._scaled_hours(article.published - story.first)
        return np.array([values[name] for name in FEATURES], dtype=np.float64)

    def _scaled_hours(self, elapsed: timedelta) -> float:
        """Elapsed time as a share of the window, on a log scale (the first hours count most)."""
        hours = max(0.0, elapsed.total_seconds() / 3600)
        return min(1.0, math.log1p(hours) / math.log1p(self.window.total_seconds() / 3600))

    # -- public ----------------------------------------------------------------------------

    def candidates(self, article: StoryArticle) -> list[Candidate]:
        """The stories of the window the article could join, each with its pair features."""
        signals = profile(article)
        moment = article.published or self._now
        found = []
        for story in self._retrieve(self._key_vector(article, signals), moment):
            cross = not any(member.profile.language == signals.language for member in story.members)
            if cross and not self.embeddings:
                continue
            found.append(Candidate(story.id, self._features(article, signals, story), cross))
        return found

    def match(self, article: StoryArticle) -> Match | None:
        """The story this article reports, if the model is sure enough; nothing is changed.

        A story with no member in the article's language is held to the calibration's
        cross-language threshold: no shared term can count for it, only vectors, names and
        amounts.
        """
        found = self.candidates(article)
        if not found:
            return None
        probabilities = self.calibration.probability(np.vstack([c.features for c in found]))
        passing = [
            index
            for index, candidate in enumerate(found)
            if probabilities[index] >= self.calibration.threshold_for(candidate.cross)
        ]
        if not passing:
            return None
        best = max(passing, key=lambda index: probabilities[index])
        return Match(found[best].story_id, float(probabilities[best]))

    def add(self, article: StoryArticle, story_id: str | None = None) -> str:
        """Adds the article to a story (a new one, named after the article, when None)."""
        signals = profile(article)
        key = self._key_vector(article, signals)
        story = self._stories.get(story_id) if story_id is not None else None
        if story is None:
            self._ensure_rows(len(key))
            story = _Story(id=story_id or article.id, row=len(self._by_row))
            self._stories[story.id] = story
            self._by_row.append(story)
        assert self._sums is not None
        self._sums[story.row] += key
        self._norms[story.row] = float(np.linalg.norm(self._sums[story.row])) or 1.0
        story.members.append(_Member(article, signals))
        story.amounts |= signals.amounts
        if article.published is not None:
            if story.latest is None or article.published > story.latest:
                story.latest = article.published
            if story.first is None or article.published < story.first:
                story.first = article.published
            if self._now is None or article.published > self._now:
                self._now = article.published
        self._opened[story.row] = _seconds(story.first) if story.first else np.inf
        return story.id

    def assign(self, article: StoryArticle) -> str:
        """Matches the article and adds it: the id of the story it joined or started."""
        found = self.match(article)
        return self.add(article, found.story_id if found else None)

    def restore(self, story_id: str, articles: Iterable[StoryArticle]) -> None:
        """Reloads a stored story (its articles oldest first), e.g. when the bot starts."""
        for article in articles:
            self.add(article, story_id)
