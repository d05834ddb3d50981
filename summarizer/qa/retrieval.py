"""Offline answers: the article sentences that best match the question, or an honest abstention."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.text import Sentence, is_boilerplate
from summarizer.types import Article

from .evidence import article_sentences, to_evidence
from .question import Intent, ParsedQuestion, resolve_follow_up
from .terms import evidence_terms, same_term, words
from .types import Answer, QAOptions, Turn

log = logging.getLogger(__name__)

BACKEND = "retrieval"
_K1, _B = 1.2, 0.75  # BM25's usual constants
_INTENT_BOOST = 0.5  # ranking bonus for a sentence that holds what the question word asks for
_COUNTED_BOOST = 0.5  # and again when its number stands right before the counted noun ("24 cores")
_COUNT_WINDOW = 3  # "1.2 million customers": the number may sit up to three words before the noun
_FOCUS_WEIGHT = 2.0  # the noun a "how many" question counts outweighs the words around it
# Confidence kept when the sentence lacks what the question word asks for: a "how many" or "when"
# sentence without a number or a date cannot answer it; a "who" sentence may name someone we
# cannot spot. The date and number factors put a sentence without one below the default min_score.
_MISSING_KIND_FACTORS = {Intent.NUMBER: 0.6, Intent.DATE: 0.45, Intent.PERSON: 0.85}
_SECOND_EVIDENCE_RATIO = 0.75  # a runner-up this close to the best is quoted too

_MONTHS = (
    "يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|"
    "كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|ايلول|تشرين|"
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_WEEKDAYS = (
    "الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
_RELATIVE_TIMES = (
    "امس|غدا|اليوم|المقبل|القادم|الماضي|صباح|مساء|"
    "yesterday|today|tomorrow|tonight|ago|next (?:week|month|year)|last (?:week|month|year)"
)
_NUMBER_WORDS = (
    "الاف|الف|مليون|ملايين|مليار|مليارات|مئات|عشرات|"
    r"اثن\w*|ثلاث\w*|اربع\w*|خمس\w*|ست|سته|سبع\w*|ثماني\w*|تسع\w*|عشر\w*|"
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    "hundreds?|thousands?|millions?|billions?|dozens?"
)
# A number token: digits standing alone (not the 9 of aster9) or a number word.
_NUMBER_TOKEN = re.compile(rf"\d[\d\w]*|(?:{_NUMBER_WORDS})")
# Matched against a sentence's normalized words, joined by single spaces.
_KIND_PATTERNS: dict[Intent, re.Pattern[str]] = {
    Intent.NUMBER: re.compile(rf"\b(?:\d|(?:{_NUMBER_WORDS})\b)"),
    Intent.DATE: re.compile(
        rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b|(?:{_WEEKDAYS}|{_RELATIVE_TIMES})\b"
    ),
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


def _term_frequency(term: str, sentence_terms: list[str]) -> int:
    return sum(same_term(term, candidate) for candidate in sentence_terms)


def _idf(sentences_with_term: int, total: int) -> float:
    return math.log(1.0 + (total - sentences_with_term + 0.5) / (sentences_with_term + 0.5))


def _has_kind(intent: Intent, sentence_words: list[str], asked: frozenset[str]) -> bool:
    """Whether the sentence holds the kind of answer asked for, beyond numbers the reader wrote."""
    pattern = _KIND_PATTERNS.get(intent)
    if pattern is None:
        return False
    return bool(pattern.search(" ".join(word for word in sentence_words if word not in asked)))


def _counts(focus: str, sentence_words: list[str]) -> bool:
    """Whether a number stands just before the counted noun: "24 cores", "671 مليار معلمة"."""
    return any(
        same_term(focus, word)
        and any(
            _NUMBER_TOKEN.fullmatch(before)
            for before in sentence_words[max(0, at - _COUNT_WINDOW) : at]
        )
        for at, word in enumerate(sentence_words)
    )


def rank(parsed: ParsedQuestion, sentences: Sequence[Sentence]) -> list[Candidate]:
    """BM25 over the sentences, boosted by answer kind; confidence is the IDF share of terms found."""
    texts = [words(sentence.text) for sentence in sentences]
    bags = [evidence_terms(" ".join(text)) for text in texts]
    average_length = sum(map(len, bags)) / len(bags) or 1.0
    frequencies = [[_term_frequency(term, bag) for term in parsed.terms] for bag in bags]
    weights = [_FOCUS_WEIGHT if term == parsed.focus else 1.0 for term in parsed.terms]
    idfs = [
        weight * _idf(sum(1 for row in frequencies if row[column]), len(sentences))
        for column, weight in enumerate(weights)
    ]
    total_idf = sum(idfs)
    asked = frozenset(term for term in parsed.terms if any(char.isdigit() for char in term))
    candidates = []
    for sentence, text, bag, row in zip(sentences, texts, bags, frequencies, strict=True):
        norm = _K1 * (1 - _B + _B * len(bag) / average_length)
        bm25 = sum(idf * tf * (_K1 + 1) / (tf + norm) for idf, tf in zip(idfs, row, strict=True))
        if bm25 <= 0:
            continue
        coverage = sum(idf for idf, tf in zip(idfs, row, strict=True) if tf) / total_idf
        has_kind = _has_kind(parsed.intent, text, asked)
        confidence = (
            coverage if has_kind else coverage * _MISSING_KIND_FACTORS.get(parsed.intent, 1.0)
        )
        counted = parsed.focus is not None and _counts(parsed.focus, text)
        boost = 1.0 + _INTENT_BOOST * has_kind + _COUNTED_BOOST * counted
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
