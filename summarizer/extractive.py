"""The embedded default backend: picks the sentences a person would, by a small learned scorer."""

from __future__ import annotations

import itertools
import logging
import math
from collections import Counter
from dataclasses import dataclass

from .errors import InputError
from .extractive_scorer import ScorerWeights, SentenceSignals, feature_vector, load_weights, score
from .text import clean_text, content_terms, detect_language, is_boilerplate, split_sentences
from .text.sentences import Sentence
from .types import Article, SummarizerOptions, Summary

log = logging.getLogger(__name__)

MODEL_NAME = "textrank-lead-v1"  # the hand-weighted formula
LEARNED_MODEL_NAME = "learned-lead"  # + the shipped scorer's version
_MAX_CANDIDATES = 300  # centrality is quadratic at worst; news leads sit in the first sentences
_PAGERANK_DAMPING = 0.85
_PAGERANK_ITERATIONS = 30
_ELLIPSIS = "…"
_HEADING_TERMS = 10  # content words; a complete statement without a full stop has more
_CLOSING = set('.!?؟؛…:»”")。！？')


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts: round values tuned on Arabic news (EASC dev half)."""

    centrality: float = 0.7
    position: float = 1.0
    title: float = 0.5
    position_decay: float = 0.5  # position prior = 1 / (1 + rank) ** decay
    redundancy: float = 0.5  # MMR: how much similarity to picked sentences costs
    duplicate_similarity: float = 0.6  # at or above this a sentence repeats one already picked
    full_sentence_terms: int = 10  # content words of a complete statement; fewer scale down


@dataclass(slots=True)
class _Candidate:
    sentence: Sentence
    terms: Counter[str]
    rank: int  # position among the candidates, 0 = lead
    score: float = 0.0


Vector = dict[str, float]
Graph = list[dict[int, float]]  # sparse similarity: graph[i][j] for sentences sharing a word


def _tf_idf_vectors(term_lists: list[Counter[str]], extra: Counter[str]) -> list[Vector]:
    """Unit TF-IDF vectors; idf comes from the article's own sentences (plus the title's)."""
    document_counts = Counter(term for terms in term_lists for term in terms)
    total = len(term_lists)
    vectors = []
    for terms in [*term_lists, *([extra] if extra else [])]:
        weights = {t: n * math.log(1 + total / document_counts.get(t, 1)) for t, n in terms.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({term: weight / norm for term, weight in weights.items()})
    return vectors


def _cosine(left: Vector, right: Vector) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(weight * right[term] for term, weight in left.items() if term in right)


def _similarity_graph(vectors: list[Vector]) -> Graph:
    """Pairwise cosine over an inverted index, so only sentences that share a word cost work."""
    postings: dict[str, list[tuple[int, float]]] = {}
    graph: Graph = [{} for _ in vectors]
    for i, vector in enumerate(vectors):
        for term, weight in vector.items():
            for j, other_weight in postings.get(term, ()):
                graph[i][j] = graph[j][i] = graph[i].get(j, 0.0) + weight * other_weight
            postings.setdefault(term, []).append((i, weight))
    return graph


def _pagerank(graph: Graph) -> list[float]:
    """Centrality of each sentence in the weighted similarity graph (TextRank)."""
    size = len(graph)
    out_weight = [sum(edges.values()) or 1.0 for edges in graph]
    ranks = [1.0 / size] * size
    for _ in range(_PAGERANK_ITERATIONS):
        ranks = [
            (1 - _PAGERANK_DAMPING) / size
            + _PAGERANK_DAMPING * sum(w * ranks[j] / out_weight[j] for j, w in edges.items())
            for edges in graph
        ]
    return ranks


@dataclass(frozen=True, slots=True)
class Scored:
    """An article's candidate sentences with their features, scores and similarity graph."""

    sentences: list[Sentence]
    features: list[tuple[float, ...]]
    scores: list[float]
    graph: Graph


def _paragraph_starts(text: str, sentences: list[Sentence]) -> list[bool]:
    """Whether each sentence opens a line of the text (a paragraph of an extracted article)."""
    return [
        index == 0 or "\n" in text[sentences[index - 1].end : sentence.start]
        for index, sentence in enumerate(sentences)
    ]


class ExtractiveSummarizer:
    """A learned sentence scorer over lead, centrality and title signals, then MMR under budgets.

    Passing `weights` without `scorer` keeps the hand-weighted formula of the first version.
    """

    name = "extractive"

    def __init__(
        self,
        options: SummarizerOptions | None = None,
        weights: Weights | None = None,
        scorer: ScorerWeights | None = None,
    ):
        options = options or SummarizerOptions(backend="extractive")
        self.sentences = options.sentences
        self.max_chars = options.max_chars
        self.weights = weights or Weights()
        self.scorer = scorer if scorer is not None or weights is not None else load_weights()
        self.model = f"{LEARNED_MODEL_NAME}-{self.scorer.version}" if self.scorer else MODEL_NAME

    def load(self) -> None:
        """Nothing to load: the scorer's weights were read with the options."""

    def summarize(self, articles: list[Article]) -> list[Summary]:
        """One summary per article, in order."""
        return [self._summarize_one(article) for article in articles]

    def _summarize_one(self, article: Article) -> Summary:
        text = clean_text(article.text)
        if not text:
            raise InputError("the article text is empty")
        sentences = split_sentences(text)
        if not sentences:
            raise InputError("the article has no sentences (only punctuation or symbols)")
        picked = self._select(text, sentences, article.title)
        summary_text = " ".join(sentence.text for sentence in picked)
        if self.max_chars is not None and len(summary_text) > self.max_chars:
            summary_text = _truncate(summary_text, self.max_chars)
        log.debug("extractive picked sentences %s of %d", [s.index for s in picked], len(sentences))
        return Summary(
            text=summary_text,
            backend=self.name,
            model=self.model,
            language=article.language or detect_language(text),
            sentence_indices=tuple(sentence.index for sentence in picked),
        )

    def _candidates(self, sentences: list[Sentence], title_terms: set[str]) -> list[_Candidate]:
        candidates: list[_Candidate] = []
        for sentence in sentences[:_MAX_CANDIDATES]:
            terms = Counter(content_terms(sentence.text))
            if (
                not terms
                or is_boilerplate(sentence.text)
                or _repeats(terms, title_terms)
                or _heading(sentence.text, terms)
            ):
                continue
            candidates.append(_Candidate(sentence, terms, rank=len(candidates)))
        return candidates

    def score_sentences(self, text: str, title: str | None = None) -> Scored | None:
        """Every candidate sentence of a cleaned text, scored; None when none is a candidate."""
        return self._scored(text, split_sentences(text), title)

    def _scored(self, text: str, sentences: list[Sentence], title: str | None) -> Scored | None:
        title_terms = Counter(content_terms(title)) if title else Counter()
        candidates = self._candidates(sentences, set(title_terms))
        if not candidates:
            return None
        vectors = _tf_idf_vectors([candidate.terms for candidate in candidates], title_terms)
        graph = _similarity_graph(vectors[: len(candidates)])
        title_vector = vectors[len(candidates)] if title_terms else None
        features = self._features(text, sentences, candidates, graph, vectors, title_vector)
        if self.scorer is not None:
            scores = [score(self.scorer, values) for values in features]
        else:
            scores = self._hand_scores(candidates, graph, vectors, title_vector)
        for candidate, value in zip(candidates, scores, strict=True):
            candidate.score = value
        return Scored([c.sentence for c in candidates], features, scores, graph)

    def _select(self, text: str, sentences: list[Sentence], title: str | None) -> list[Sentence]:
        scored = self._scored(text, sentences, title)
        if scored is None:  # all furniture or all title: better the text itself than nothing
            return sentences[: self.sentences]
        return self._pick(scored)

    def _features(
        self,
        text: str,
        sentences: list[Sentence],
        candidates: list[_Candidate],
        graph: Graph,
        vectors: list[Vector],
        title_vector: Vector | None,
    ) -> list[tuple[float, ...]]:
        centrality = _pagerank(graph)
        top = max(centrality) or 1.0
        starts = _paragraph_starts(text, sentences)
        paragraph_of = list(itertools.accumulate(int(start) for start in starts))
        centroid: Vector = {}
        for vector in vectors[: len(candidates)]:
            for term, weight in vector.items():
                centroid[term] = centroid.get(term, 0.0) + weight
        norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
        centroid = {term: weight / norm for term, weight in centroid.items()}
        first_paragraph = paragraph_of[candidates[0].sentence.index]
        return [
            feature_vector(
                SentenceSignals(
                    rank=candidate.rank,
                    candidates=len(candidates),
                    paragraph=paragraph_of[candidate.sentence.index] - first_paragraph,
                    paragraph_start=starts[candidate.sentence.index],
                    centrality=rank / top,
                    centroid=_cosine(vector, centroid),
                    title=_cosine(vector, title_vector) if title_vector else 0.0,
                    terms=sum(candidate.terms.values()),
                    has_digits=any(char.isdigit() for char in candidate.sentence.text),
                )
            )
            for candidate, rank, vector in zip(candidates, centrality, vectors, strict=False)
        ]

    def rank(
        self, text: str, sentences: list[Sentence], title: str | None = None
    ) -> list[Sentence]:
        """Sentences best first by score; furniture and those past the candidate cap last."""
        scored = self._scored(text, sentences, title)
        if scored is None:
            return list(sentences)
        order = sorted(range(len(scored.sentences)), key=lambda i: -scored.scores[i])
        ranked = [scored.sentences[i] for i in order]
        seen = {sentence.index for sentence in ranked}
        return ranked + [sentence for sentence in sentences if sentence.index not in seen]

    def _hand_scores(
        self,
        candidates: list[_Candidate],
        graph: Graph,
        vectors: list[Vector],
        title_vector: Vector | None,
    ) -> list[float]:
        weights = self.weights
        centrality = _pagerank(graph)
        top = max(centrality)
        scores = []
        for candidate, rank, vector in zip(candidates, centrality, vectors, strict=False):
            value = weights.centrality * rank / top
            value += weights.position / (1 + candidate.rank) ** weights.position_decay
            if title_vector:
                value += weights.title * _cosine(vector, title_vector)
            scores.append(value * _length_prior(candidate.terms, weights.full_sentence_terms))
        return scores

    def _pick(self, scored: Scored) -> list[Sentence]:
        """Greedy MMR under the sentence and character budgets; article order on the way out."""
        redundancy = self.scorer.redundancy if self.scorer else self.weights.redundancy
        chosen = pick(
            scored,
            self.sentences,
            redundancy,
            self.weights.duplicate_similarity,
            self.max_chars,
        )
        return sorted((scored.sentences[i] for i in chosen), key=lambda s: s.index)


def pick(
    scored: Scored,
    budget: int,
    redundancy: float,
    duplicate_similarity: float,
    max_chars: int | None = None,
) -> list[int]:
    """Greedy MMR: indices into `scored.sentences`, best first, under the two budgets."""
    chosen: list[int] = []
    remaining = set(range(len(scored.sentences)))
    length = 0
    graph = scored.graph
    while remaining and len(chosen) < budget:
        best, best_value = -1, -math.inf
        for i in sorted(remaining):
            overlap = max((graph[i].get(j, 0.0) for j in chosen), default=0.0)
            value = scored.scores[i] - redundancy * overlap
            if overlap < duplicate_similarity and value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        remaining.discard(best)
        extra = len(scored.sentences[best].text) + (1 if chosen else 0)
        if max_chars is not None and chosen and length + extra > max_chars:
            continue
        chosen.append(best)
        length += extra
    return chosen


def _length_prior(terms: Counter[str], full: int) -> float:
    """Share of a complete statement's content a sentence carries, at most 1.

    Fragments (a dateline, a caption, half a wrapped line) say too little to stand in a
    summary, and each wasted slot of a 3-sentence budget costs a third of it; a smooth
    ramp rather than a cut-off keeps a short but central sentence in the running.
    """
    return min(1.0, sum(terms.values()) / full)


def _heading(text: str, terms: Counter[str]) -> bool:
    """A short line without closing punctuation: a heading or a caption, not a statement.

    The learned scorer's lead signals would otherwise take a headline printed above the
    lead as the lead itself; the corpus it learned from has no headlines to warn it.
    """
    return sum(terms.values()) < _HEADING_TERMS and text.rstrip()[-1:] not in _CLOSING


def _repeats(terms: Counter[str], title_terms: set[str]) -> bool:
    """A body line that restates the title (pages often print it twice)."""
    if not title_terms:
        return False
    overlap = len(title_terms & set(terms))
    return overlap / max(len(title_terms), len(terms)) >= 0.8


def _truncate(text: str, limit: int) -> str:
    """Cut at a word boundary so a single long sentence still fits a character budget."""
    cut = text[: max(limit - len(_ELLIPSIS), 0)].rsplit(" ", 1)[0]
    return (cut.rstrip(" ،,;؛:") + _ELLIPSIS)[:limit]


def rank_sentences(
    text: str, sentences: list[Sentence], title: str | None = None
) -> list[Sentence]:
    """Sentences best first by the scores this backend picks from; unscored ones last, in order.

    The seq2seq backends call it to choose what of an over-long article the model reads.
    """
    return ExtractiveSummarizer().rank(text, sentences, title)
