"""The embedded default backend: picks an article's central lead sentences, no model weights."""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

from .errors import InputError
from .text import clean_text, content_terms, detect_language, is_boilerplate, split_sentences
from .text.sentences import Sentence
from .types import Article, SummarizerOptions, Summary

log = logging.getLogger(__name__)

MODEL_NAME = "textrank-lead-v1"
_MAX_CANDIDATES = 300  # centrality is quadratic at worst; news leads sit in the first sentences
_PAGERANK_DAMPING = 0.85
_PAGERANK_ITERATIONS = 30
_ELLIPSIS = "…"


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


class ExtractiveSummarizer:
    """TextRank centrality plus a news lead prior, with redundancy control and a length budget."""

    name = "extractive"

    def __init__(self, options: SummarizerOptions | None = None, weights: Weights | None = None):
        options = options or SummarizerOptions(backend="extractive")
        self.sentences = options.sentences
        self.max_chars = options.max_chars
        self.weights = weights or Weights()
        self.model = MODEL_NAME

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
        picked = self._select(sentences, article.title)
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
            if not terms or is_boilerplate(sentence.text) or _repeats(terms, title_terms):
                continue
            candidates.append(_Candidate(sentence, terms, rank=len(candidates)))
        return candidates

    def _select(self, sentences: list[Sentence], title: str | None) -> list[Sentence]:
        title_terms = Counter(content_terms(title)) if title else Counter()
        candidates = self._candidates(sentences, set(title_terms))
        if not candidates:  # all furniture or all title: better the text itself than nothing
            return sentences[: self.sentences]
        vectors = _tf_idf_vectors([candidate.terms for candidate in candidates], title_terms)
        graph = _similarity_graph(vectors[: len(candidates)])
        title_vector = vectors[len(candidates)] if title_terms else None
        self._score(candidates, graph, vectors, title_vector)
        return self._pick(candidates, graph)

    def rank(self, sentences: list[Sentence], title: str | None = None) -> list[Sentence]:
        """Sentences best first by score; furniture and those past the candidate cap last."""
        title_terms = Counter(content_terms(title)) if title else Counter()
        candidates = self._candidates(sentences, set(title_terms))
        if not candidates:
            return list(sentences)
        vectors = _tf_idf_vectors([candidate.terms for candidate in candidates], title_terms)
        graph = _similarity_graph(vectors[: len(candidates)])
        title_vector = vectors[len(candidates)] if title_terms else None
        self._score(candidates, graph, vectors, title_vector)
        ranked = [c.sentence for c in sorted(candidates, key=lambda c: (-c.score, c.rank))]
        scored = {sentence.index for sentence in ranked}
        return ranked + [sentence for sentence in sentences if sentence.index not in scored]

    def _score(
        self,
        candidates: list[_Candidate],
        graph: Graph,
        vectors: list[Vector],
        title_vector: Vector | None,
    ) -> None:
        weights = self.weights
        centrality = _pagerank(graph)
        top = max(centrality)
        for candidate, rank, vector in zip(candidates, centrality, vectors, strict=False):
            score = weights.centrality * rank / top
            score += weights.position / (1 + candidate.rank) ** weights.position_decay
            if title_vector:
                score += weights.title * _cosine(vector, title_vector)
            candidate.score = score * _length_prior(candidate.terms, weights.full_sentence_terms)

    def _pick(self, candidates: list[_Candidate], graph: Graph) -> list[Sentence]:
        """Greedy MMR under the sentence and character budgets; article order on the way out."""
        weights = self.weights
        chosen: list[int] = []
        remaining = set(range(len(candidates)))
        length = 0
        while remaining and len(chosen) < self.sentences:
            best, best_value = -1, -math.inf
            for i in sorted(remaining):
                overlap = max((graph[i].get(j, 0.0) for j in chosen), default=0.0)
                value = candidates[i].score - weights.redundancy * overlap
                if overlap < weights.duplicate_similarity and value > best_value:
                    best, best_value = i, value
            if best < 0:
                break
            remaining.discard(best)
            extra = len(candidates[best].sentence.text) + (1 if chosen else 0)
            if self.max_chars is not None and chosen and length + extra > self.max_chars:
                continue
            chosen.append(best)
            length += extra
        return sorted((candidates[i].sentence for i in chosen), key=lambda s: s.index)


def _length_prior(terms: Counter[str], full: int) -> float:
    """Share of a complete statement's content a sentence carries, at most 1.

    Fragments (a dateline, a caption, half a wrapped line) say too little to stand in a
    summary, and each wasted slot of a 3-sentence budget costs a third of it; a smooth
    ramp rather than a cut-off keeps a short but central sentence in the running.
    """
    return min(1.0, sum(terms.values()) / full)


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


def rank_sentences(sentences: list[Sentence], title: str | None = None) -> list[Sentence]:
    """Sentences best first by the scores this backend picks from; unscored ones last, in order.

    The seq2seq backends call it to choose what of an over-long article the model reads.
    """
    return ExtractiveSummarizer().rank(sentences, title)
