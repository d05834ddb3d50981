"""Offline answers: the learned reader's best sentences, or an honest abstention with its reason."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from summarizer.text import detect_language
from summarizer.types import Article

from .evidence import candidate_sentences, to_evidence
from .question import ParsedQuestion, resolve_follow_up
from .reader import Ranked, Reading, load_weights, read
from .terms import same_term, words
from .types import Answer, QAOptions, Turn

log = logging.getLogger(__name__)

BACKEND = "retrieval"
# A runner-up this close to the best (in the ranker's softmax) is quoted too.
SECOND_EVIDENCE_RATIO = 0.5
# A question in another script than the article is answered only from what both write the same
# way (names in Latin letters, numbers), and only when at least this share of its terms is such.
SHARED_TERMS_SHARE = 0.5


def choose_evidence(reading: Reading, options: QAOptions) -> list[Ranked]:
    """The best sentence, plus runners-up nearly as likely, up to max_evidence, in article order."""
    top = reading.candidates[0]
    chosen = [top] + [
        candidate
        for candidate in reading.candidates[1 : options.max_evidence]
        if candidate.probability >= SECOND_EVIDENCE_RATIO * top.probability
    ]
    return sorted(chosen, key=lambda candidate: candidate.sentence.index)


def min_score(options: QAOptions) -> float:
    """The configured threshold, or the one calibrated with the shipped weights."""
    return load_weights().threshold if options.min_score is None else options.min_score


def _languages_differ(question: str, article: Article) -> bool:
    asked = detect_language(question)
    written = article.language or detect_language(article.text)
    return "und" not in (asked, written) and asked != written


def _shared_only(parsed: ParsedQuestion, article_words: frozenset[str]) -> ParsedQuestion | None:
    """The question cut down to the terms the article writes the same way, if enough of them."""
    shared = tuple(
        term for term in parsed.terms if any(same_term(term, word) for word in article_words)
    )
    if not shared or len(shared) < SHARED_TERMS_SHARE * len(parsed.terms):
        return None
    focus = parsed.focus if parsed.focus in shared else None
    return ParsedQuestion(terms=shared, intent=parsed.intent, focus=focus)


def _abstain(score: float, reason: str) -> Answer:
    return Answer(
        text="",
        evidence=(),
        score=score,
        abstained=True,
        backend=BACKEND,
        reason=reason,  # type: ignore[arg-type]
    )


def answer_by_retrieval(
    question: str, article: Article, history: Sequence[Turn], options: QAOptions
) -> Answer:
    """The best one or two sentences; abstains when the reader's probability is under min_score."""
    parsed = resolve_follow_up(question, history)
    sentences = candidate_sentences(article)
    threshold = min_score(options)
    other_language = _languages_differ(question, article)
    if other_language:
        article_words = frozenset(word for s in sentences for word in words(s.text))
        shared = _shared_only(parsed, article_words)
        if shared is None:
            log.debug("retrieval: the question's language differs and shares too little")
            return _abstain(0.0, "other_language")
        parsed = shared
    reading = read(parsed, question, sentences)
    if not reading.candidates or reading.probability < threshold:
        log.debug("retrieval abstains: probability %.3f < %.3f", reading.probability, threshold)
        reason = "other_language" if other_language else "not_in_article"
        return _abstain(reading.probability, reason)
    chosen = choose_evidence(reading, options)
    return Answer(
        text=reading.candidates[0].sentence.text,
        evidence=tuple(to_evidence(candidate.sentence) for candidate in chosen),
        score=reading.probability,
        abstained=False,
        backend=BACKEND,
    )
