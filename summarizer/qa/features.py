"""What the offline reader sees of a (question, sentence) pair: a short vector of match signals.

The same code builds the training rows (`summarizer.training.qa`) and the rows scored at run time,
so a feature can never mean one thing in training and another in production.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.text import Sentence, normalize

from .question import Intent, ParsedQuestion
from .terms import evidence_terms, is_life_event, same_root, same_term, words

_K1, _B = 1.2, 0.75  # BM25's usual constants
_FOCUS_WEIGHT = 2.0  # the noun a "how many" question counts outweighs the words around it
_FRAME_WEIGHT = 0.5  # a word naming the kind of answer ("اسم", "جنسية") is weak evidence
_COUNT_WINDOW = 3  # "1.2 million customers": the number may sit up to three words before the noun
_SHORT_SENTENCE_WORDS = 6

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
    "امس|غدا|اليوم|المقبل|القادم|الماضي|صباح|مساء|القرن|قرن|"
    "yesterday|today|tomorrow|tonight|ago|century|next (?:week|month|year)|last (?:week|month|year)"
)
_NUMBER_WORDS = (
    "الاف|الف|مليون|ملايين|مليار|مليارات|مئات|عشرات|مائه|ماءه|مئه|"
    r"اثن\w*|ثلاث\w*|اربع\w*|خمس\w*|ست|سته|سبع\w*|ثماني\w*|تسع\w*|عشر\w*|"
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    "hundreds?|thousands?|millions?|billions?|dozens?"
)
# A number token: digits standing alone (not the 9 of aster9) or a number word.
NUMBER_TOKEN = re.compile(rf"\d[\d\w]*|(?:{_NUMBER_WORDS})")
# Matched against a sentence's normalized words, joined by single spaces.
KIND_PATTERNS: dict[Intent, re.Pattern[str]] = {
    Intent.NUMBER: re.compile(rf"\b(?:\d|(?:{_NUMBER_WORDS})\b)"),
    Intent.DATE: re.compile(
        rf"\b(?:1[0-9]|20)\d\d\b|\b\d{{3,4}} ?م\b|\b(?:{_MONTHS})\b|(?:{_WEEKDAYS}|{_RELATIVE_TIMES})\b"
        r"|\b\d{3,4}\b"
    ),
    Intent.PERSON: re.compile(
        r"\b(?:مؤسس|موسس|اسس|الرئيس|مدير|رئيس|الملك|الامير|الشيخ|الدكتور|بن|ابن|ابو|"
        r"founder|founded|ceo|chief|president|director|king|prince|mr|dr)\w*"
    ),
    Intent.PLACE: re.compile(
        r"\b(?:مدينه|عاصمه|مقر|ومقرها|مقرها|بمدينه|محافظه|ولايه|دوله|منطقه|جنوب|شمال|شرق|غرب|"
        r"city|capital|headquarter\w*|based|north|south|east|west|province|state)\b"
    ),
    Intent.REASON: re.compile(
        r"(?:لان|بسبب|نظرا|بفضل|لكي|نتيجه|جعل|ادي الي|لذلك|because|due to|thanks to|since|so that|result)"
    ),
}
# "(11 ديسمبر 1911 - 30 أغسطس 2006)", "(مواليد 1965)": a life's dates say when one was born or died.
_LIFESPAN = re.compile(
    r"\([^()]{0,40}?(?:\d{3,4}[^()]{0,40}?[-–][^()]{0,40}?\d{3,4}|مواليد|born)[^()]*\)"
)
_INTENTS = (Intent.NUMBER, Intent.DATE, Intent.PERSON, Intent.PLACE, Intent.REASON)

# Per-sentence features, in the order the weights file lists them.
SENTENCE_FEATURES = (
    "bias",
    "coverage",  # IDF share of the question's terms the sentence holds
    "coverage_sq",
    "window_coverage",  # ... the sentence with its neighbours (a pronoun points back)
    "previous_coverage",
    "bm25_relative",  # BM25 over the best sentence's BM25 in the article
    "bm25_absolute",  # BM25 over the most a sentence could score for this question
    "matched_share",  # share of terms found, unweighted
    "missing_rare",  # the rarest missing term's IDF share: a rare word left out is telling
    "proximity",  # matched terms per word of the shortest span that holds them
    "adjacent_pairs",  # question word pairs found next to each other
    "exact_names",  # the question's names and numbers written the same in the sentence
    "kind_match",  # the sentence holds what the question word asks for (a number, a date...)
    "kind_missing",  # it asks for a number or a date and the sentence has none
    "counted",  # a number stands right before the noun a "how many" question counts
    "novel_share",  # share of the sentence's words that are new: an answer adds something
    "first",  # the article's first sentence
    "position",  # 1 / (1 + index)
    "short",  # a fragment of few words
    "log_length",
    "rank_top",  # the best BM25 sentence
    "specific_coverage",  # IDF share of the question's specific (non-topic) terms held
    "specific_window",  # ... by the sentence with its neighbours
    "related_coverage",  # coverage counting words of the same root (تشخيص for يشخص)
    "related_specific_window",  # specific_window counting them
)
# A term in the article's first sentence or in this share of its sentences is its topic: every
# sentence about the topic holds it, so it says little about which one answers.
_TOPIC_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """One candidate sentence with its feature vector and the coverage numbers reused downstream."""

    sentence: Sentence
    values: tuple[float, ...]
    coverage: float
    bm25: float


@dataclass(frozen=True, slots=True)
class ArticleMatch:
    """What the whole article shares with the question, beside the per-sentence rows."""

    rows: list[SentenceRow]
    article_coverage: float  # IDF share of terms found anywhere in the article
    article_matched_share: float
    term_count: int
    specific_count: int = 0  # question terms that are not the article's topic
    article_specific: float = 0.0  # IDF share of those found anywhere in the article


def _idf(with_term: int, total: int) -> float:
    return math.log(1.0 + (total - with_term + 0.5) / (with_term + 0.5))


def has_kind(intent: Intent, sentence_words: Sequence[str], asked: frozenset[str]) -> bool:
    """Whether the sentence holds the kind of answer asked for, beyond words the reader wrote."""
    pattern = KIND_PATTERNS.get(intent)
    if pattern is None:
        return False
    return bool(pattern.search(" ".join(word for word in sentence_words if word not in asked)))


def counts(focus: str, sentence_words: Sequence[str]) -> bool:
    """Whether a number stands just before the counted noun: "24 cores", "671 مليار معلمة"."""
    return any(
        same_term(focus, word)
        and any(
            NUMBER_TOKEN.fullmatch(before)
            for before in sentence_words[max(0, at - _COUNT_WINDOW) : at]
        )
        for at, word in enumerate(sentence_words)
    )


def _exact_tokens(question: str) -> frozenset[str]:
    """Names and numbers as written: Latin words with a capital or a digit, and numbers."""
    raw = re.findall(r"[^\W_]+", question)
    kept = {
        token.lower()
        for token in raw
        if any(char.isdigit() for char in token) or (token[:1].isupper() and token.isascii())
    }
    return frozenset(word for token in kept for word in words(token))


def _proximity(positions: list[list[int]]) -> float:
    """Matched terms over the length of the shortest word span holding one match of each."""
    found = [sorted(p) for p in positions if p]
    if len(found) < 2:
        return 1.0 if found else 0.0
    events = sorted((position, term) for term, plist in enumerate(found) for position in plist)
    need, have, best, left = len(found), {}, math.inf, 0
    for position, term in events:
        have[term] = have.get(term, 0) + 1
        while len(have) == need:
            best = min(best, position - events[left][0] + 1)
            left_term = events[left][1]
            have[left_term] -= 1
            if not have[left_term]:
                del have[left_term]
            left += 1
    return need / best


def _around(found: Sequence[Sequence[object]], at: int) -> list[bool]:
    """Per term, whether the sentence at `at` or a neighbour holds it (a pronoun points back)."""
    near = found[max(at - 1, 0) : at + 2]
    return [any(row[column] for row in near) for column in range(len(found[at]))]


def match_article(
    parsed: ParsedQuestion, question: str, sentences: Sequence[Sentence]
) -> ArticleMatch:
    """Feature rows for every sentence; sentences that share no term with the question get none."""
    texts = [words(sentence.text) for sentence in sentences]
    bags = [evidence_terms(" ".join(text)) for text in texts]
    terms = parsed.terms
    hits = [
        [[at for at, word in enumerate(bag) if same_term(term, word)] for term in terms]
        for bag in bags
    ]
    life_terms = [is_life_event(term) for term in terms]
    # only a birth or death question looks for a life's dates
    lifespans = (
        [bool(_LIFESPAN.search(normalize(sentence.text))) for sentence in sentences]
        if any(life_terms)
        else [False] * len(sentences)
    )
    # the same word, a birth or death beside a life's dates, or (looked for only where the word
    # is not) one of the same root
    related = [
        [
            bool(positions) or (life and lifespan) or any(same_root(term, word) for word in bag)
            for term, positions, life in zip(terms, row, life_terms, strict=True)
        ]
        for bag, row, lifespan in zip(bags, hits, lifespans, strict=True)
    ]
    total = len(sentences)
    frame = parsed.frame
    weights = [
        _FOCUS_WEIGHT if term == parsed.focus else _FRAME_WEIGHT if term in frame else 1.0
        for term in terms
    ]
    idfs = [
        weight * _idf(sum(1 for row in hits if row[column]), total)
        for column, weight in enumerate(weights)
    ]
    total_idf = sum(idfs) or 1.0
    average_length = sum(map(len, bags)) / max(total, 1) or 1.0
    found_anywhere = [any(row[column] for row in hits) for column in range(len(terms))]
    article_coverage = sum(idf for idf, found in zip(idfs, found_anywhere, strict=True) if found)
    asked = frozenset(term for term in terms if any(char.isdigit() for char in term))
    exact = _exact_tokens(question)
    term_set = set(terms)

    def covered(found: Sequence[object]) -> float:
        """IDF share of the terms found (a term's positions, or a flag)."""
        return sum(idf for idf, hit in zip(idfs, found, strict=True) if hit) / total_idf

    coverages = [covered(row) for row in hits]
    bm25s = []
    for bag, row in zip(bags, hits, strict=True):
        norm = _K1 * (1 - _B + _B * len(bag) / average_length)
        bm25s.append(
            sum(
                idf * len(p) * (_K1 + 1) / (len(p) + norm) for idf, p in zip(idfs, row, strict=True)
            )
        )
    best_bm25 = max(bm25s, default=0.0) or 1.0
    most_bm25 = sum(idf * (_K1 + 1) / (1 + _K1) for idf in idfs) or 1.0
    top_index = max(range(total), key=lambda i: (bm25s[i], -i)) if total else -1
    pairs = list(zip(terms, terms[1:], strict=False))
    # Topic terms (in the first sentence or in many) and frame words are never specific.
    topic = (
        [
            terms[column] in frame
            or bool(hits[0][column])
            or sum(1 for row in hits if row[column]) >= _TOPIC_SHARE * total
            for column in range(len(terms))
        ]
        if total
        else []
    )
    specific_idf = sum(idf for idf, is_topic in zip(idfs, topic, strict=True) if not is_topic)

    def specific(found: Sequence[bool]) -> float:
        if not specific_idf:
            return 0.0
        return (
            sum(
                idf
                for idf, is_topic, hit in zip(idfs, topic, found, strict=True)
                if hit and not is_topic
            )
            / specific_idf
        )

    rows = []
    for i, (sentence, text, bag, row) in enumerate(zip(sentences, texts, bags, hits, strict=True)):
        if bm25s[i] <= 0 and not any(related[i]):
            continue
        window = _around(hits, i)
        related_window = _around(related, i)
        previous = coverages[i - 1] if i else 0.0
        missing = [idf for idf, positions in zip(idfs, row, strict=True) if not positions]
        matched = sum(1 for positions in row if positions)
        adjacent = sum(
            1
            for first, second in pairs
            if any(
                abs(a - b) <= 2 for a in row[terms.index(first)] for b in row[terms.index(second)]
            )
        )
        kind = has_kind(parsed.intent, text, asked)
        new_words = [
            word
            for word in bag
            if word not in term_set and not any(same_term(word, t) for t in terms)
        ]
        values = (
            1.0,
            coverages[i],
            coverages[i] ** 2,
            covered(window),
            previous,
            bm25s[i] / best_bm25,
            min(bm25s[i] / most_bm25, 1.5),
            matched / len(terms),
            max(missing, default=0.0) / max(idfs),
            _proximity(row),
            adjacent / len(pairs) if pairs else 0.0,
            (len(exact & set(text)) / len(exact)) if exact else 0.0,
            float(kind),
            float(parsed.intent in (Intent.NUMBER, Intent.DATE) and not kind),
            float(parsed.focus is not None and counts(parsed.focus, text)),
            len(new_words) / len(bag) if bag else 0.0,
            float(sentence.index == sentences[0].index),
            1.0 / (1.0 + i),
            float(len(text) < _SHORT_SENTENCE_WORDS),
            math.log1p(len(text)) / 4.0,
            float(i == top_index),
            specific([bool(positions) for positions in row]),
            specific(window),
            covered(related[i]),
            specific(related_window),
        )
        rows.append(SentenceRow(sentence, values, coverages[i], bm25s[i]))
    return ArticleMatch(
        rows=rows,
        article_coverage=article_coverage / total_idf,
        article_matched_share=sum(found_anywhere) / len(terms) if terms else 0.0,
        term_count=len(terms),
        specific_count=sum(1 for is_topic in topic if not is_topic),
        article_specific=specific(found_anywhere),
    )


# Features of the article's best sentence and its rivals, for "does the article answer at all?"
ANSWER_FEATURES = (
    "bias",
    "top_probability",  # the ranker's softmax share of the best sentence
    "top_score",  # its linear score
    "margin",  # best minus runner-up linear score
    "top_coverage",
    "top_window_coverage",
    "top_missing_rare",
    "top_kind_match",
    "top_kind_missing",
    "top_exact_names",
    "article_coverage",
    "article_matched_share",
    "few_terms",  # one or two terms: little to go on
    "top_specific",
    "top_specific_window",
    "article_specific",
    "no_specific_terms",  # every term is the topic's: "what is X?"
    "top_related_coverage",
    "top_related_specific_window",
    *(f"intent_{intent.value}" for intent in _INTENTS),
)


def answer_values(
    match: ArticleMatch, scores: Sequence[float], probabilities: Sequence[float], intent: Intent
) -> tuple[float, ...]:
    """The answerability vector, from the ranked rows (`scores` aligned with `match.rows`)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], match.rows[i].sentence.index))
    top = match.rows[order[0]].values
    runner_up = scores[order[1]] if len(order) > 1 else scores[order[0]] - 4.0
    column = SENTENCE_FEATURES.index
    return (
        1.0,
        probabilities[order[0]],
        scores[order[0]] / 4.0,
        min(scores[order[0]] - runner_up, 8.0) / 4.0,
        top[column("coverage")],
        top[column("window_coverage")],
        top[column("missing_rare")],
        top[column("kind_match")],
        top[column("kind_missing")],
        top[column("exact_names")],
        match.article_coverage,
        match.article_matched_share,
        float(match.term_count <= 2),
        top[column("specific_coverage")],
        top[column("specific_window")],
        match.article_specific,
        float(match.specific_count == 0),
        top[column("related_coverage")],
        top[column("related_specific_window")],
        *(float(intent is each) for each in _INTENTS),
    )
