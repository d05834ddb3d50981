"""Offline answers: the article sentences that best match the question, or an honest abstention."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.text import Sentence, content_terms, is_boilerplate, normalize, script_language
from summarizer.types import Article

from .evidence import article_sentences, to_evidence
from .question import Intent, ParsedQuestion, resolve_follow_up
from .types import Answer, QAOptions, Turn

log = logging.getLogger(__name__)

BACKEND = "retrieval"
_K1, _B = 1.2, 0.75  # BM25's usual constants
# Light stemming misses plurals and suffixes (معلمات/معلمة); a shared prefix this long still matches.
_MIN_PREFIX = 3
_MAX_SUFFIX_GAP = 2
_CONJUNCTIONS = "وف"
_VERB_PREFIXES = "يتنا"
_MIN_STRIPPED_LENGTH = 3  # a prefix comes off only when three letters stay
_INTENT_BOOST = 0.5  # ranking bonus for a sentence that holds what the question word asks for
# Confidence kept when the sentence lacks what the question word asks for: a "how many" sentence
# without a number can hardly answer; a "who" sentence may name someone we cannot spot.
_MISSING_KIND_FACTORS = {Intent.NUMBER: 0.7, Intent.DATE: 0.7, Intent.PERSON: 0.85}
_SECOND_EVIDENCE_RATIO = 0.75  # a runner-up this close to the best is quoted too

_MONTHS = (
    "يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|"
    "كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|ايلول|تشرين|"
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_KIND_PATTERNS: dict[Intent, re.Pattern[str]] = {
    Intent.NUMBER: re.compile(
        r"\d|\b(?:الاف|الف|مليون|ملايين|مليار|مليارات|مئات|عشرات|"
        r"اثن\w*|ثلاث\w*|اربع\w*|خمس\w*|ست|سته|سبع\w*|ثماني\w*|تسع\w*|عشر\w*|"
        r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"hundreds?|thousands?|millions?|billions?|dozens?)\b"
    ),
    Intent.DATE: re.compile(rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b|(?:امس|yesterday|today)"),
    Intent.PERSON: re.compile(
        r"\b(?:مؤسس|موسس|اسس|الرئيس|مدير|رئيس|founder|founded|ceo|chief|president|director)\w*"
    ),
    Intent.PLACE: re.compile(
        r"\b(?:مدينه|عاصمه|مقر|ومقرها|مقرها|city|capital|headquarter\w*|based)\b"
    ),
    Intent.REASON: re.compile(r"(?:لان|بسبب|نظرا|بفضل|لكي|because|due to|thanks to|since|so that)"),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence with its ranking score and its calibrated confidence."""

    sentence: Sentence
    rank_score: float
    confidence: float


def _arabic_variants(term: str) -> set[str]:
    """The term plus its forms without a glued و/ف and a verb prefix (ويزن/يزن, يتفوق/تفوق)."""
    variants = {term}
    if script_language(term) != "ar":
        return variants
    for prefixes in (_CONJUNCTIONS, _VERB_PREFIXES):
        variants |= {
            variant[1:]
            for variant in variants
            if len(variant) > _MIN_STRIPPED_LENGTH and variant[0] in prefixes
        }
    return variants


def _prefix_match(first: str, second: str) -> bool:
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    return (
        len(shorter) >= _MIN_PREFIX
        and longer.startswith(shorter)
        and len(longer) - len(shorter) <= _MAX_SUFFIX_GAP
    )


def _matches(question_term: str, sentence_term: str) -> bool:
    question_forms = _arabic_variants(question_term)
    sentence_forms = _arabic_variants(sentence_term)
    return any(
        _prefix_match(first, second) for first in question_forms for second in sentence_forms
    )


def _term_frequency(term: str, sentence_terms: list[str]) -> int:
    return sum(_matches(term, candidate) for candidate in sentence_terms)


def _idf(sentences_with_term: int, total: int) -> float:
    return math.log(1.0 + (total - sentences_with_term + 0.5) / (sentences_with_term + 0.5))


def _has_kind(intent: Intent, sentence: Sentence) -> bool:
    pattern = _KIND_PATTERNS.get(intent)
    return bool(pattern and pattern.search(normalize(sentence.text)))


def rank(parsed: ParsedQuestion, sentences: Sequence[Sentence]) -> list[Candidate]:
    """BM25 over the sentences, boosted by answer kind; confidence is the IDF share of terms found."""
    bags = [content_terms(sentence.text) for sentence in sentences]
    average_length = sum(map(len, bags)) / len(bags) or 1.0
    frequencies = [[_term_frequency(term, bag) for term in parsed.terms] for bag in bags]
    idfs = [
        _idf(sum(1 for row in frequencies if row[column]), len(sentences))
        for column in range(len(parsed.terms))
    ]
    total_idf = sum(idfs)
    candidates = []
    for sentence, bag, row in zip(sentences, bags, frequencies, strict=True):
        norm = _K1 * (1 - _B + _B * len(bag) / average_length)
        bm25 = sum(idf * tf * (_K1 + 1) / (tf + norm) for idf, tf in zip(idfs, row, strict=True))
        if bm25 <= 0:
            continue
        coverage = sum(idf for idf, tf in zip(idfs, row, strict=True) if tf) / total_idf
        has_kind = _has_kind(parsed.intent, sentence)
        confidence = (
            coverage if has_kind else coverage * _MISSING_KIND_FACTORS.get(parsed.intent, 1.0)
        )
        boost = 1.0 + _INTENT_BOOST * has_kind
        candidates.append(Candidate(sentence, bm25 * boost, confidence))
    return sorted(
        candidates, key=lambda candidate: (-candidate.rank_score, candidate.sentence.index)
    )


def _answerable(sentences: list[Sentence]) -> list[Sentence]:
    """Page furniture (menus, comment forms) never answers; keep it only if nothing else is left."""
    content = [sentence for sentence in sentences if not is_boilerplate(sentence.text)]
    return content or sentences


def answer_by_retrieval(
    question: str, article: Article, history: Sequence[Turn], options: QAOptions
) -> Answer:
    """The best one or two sentences; abstains when the best one's confidence is under min_score."""
    parsed = resolve_follow_up(question, history)
    sentences = _answerable(article_sentences(article))
    candidates = rank(parsed, sentences) if parsed.terms else []
    if not candidates or candidates[0].confidence < options.min_score:
        best = candidates[0].confidence if candidates else 0.0
        log.debug("retrieval abstains: best confidence %.3f < %.3f", best, options.min_score)
        return Answer(text="", evidence=(), score=best, abstained=True, backend=BACKEND)
    top = candidates[0]
    chosen = [top] + [
        candidate
        for candidate in candidates[1 : options.max_evidence]
        if candidate.rank_score >= _SECOND_EVIDENCE_RATIO * top.rank_score
        and candidate.confidence >= options.min_score
    ]
    chosen.sort(key=lambda candidate: candidate.sentence.index)
    return Answer(
        text=top.sentence.text,
        evidence=tuple(to_evidence(candidate.sentence) for candidate in chosen),
        score=top.confidence,
        abstained=False,
        backend=BACKEND,
    )
