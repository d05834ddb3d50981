"""What one article says that another report of the same event would repeat.

Computed once per article: its content terms (stemmed, within one language), the Latin-script
names it mentions (brands and people keep their spelling across Arabic and English), the
amounts it quotes ("$1.8bn", "1.8 مليار", "10,000"), and a hashed bag of terms for finding
candidate stories fast without a model.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np

from summarizer.text import content_terms, detect_language, is_stopword, normalize

LEAD_CHARS = 600  # title plus the first sentences: where an event is named
EMBEDDED_LEAD_CHARS = 300  # the encoder's share: its cost grows with length, its gain does not
LEXICAL_DIM = 1024

# A number, with thousands separators or a decimal part, and an optional magnitude word after.
_AMOUNT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:[.,٫]\d+)?)\s*"
    r"(%|٪|percent|per cent|trillion|tn|billion|bn|b|million|mn|m|thousand|k|"
    r"تريليون|مليار|مليارات|مليون|ملايين|الف|الاف)?(?![\w])"
)
_MAGNITUDES = {
    "trillion": 1e12,
    "tn": 1e12,
    "تريليون": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "مليار": 1e9,
    "مليارات": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "مليون": 1e6,
    "ملايين": 1e6,
    "thousand": 1e3,
    "k": 1e3,
    "الف": 1e3,
    "الاف": 1e3,
}
_PERCENT = {"%", "٪", "percent", "per cent"}
_LATIN_NAME = re.compile(r"[a-z][a-z0-9]{2,}")


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One article as grouping sees it; `vector` is its stored embedding (None without a model)."""

    id: str
    title: str
    text: str
    language: str | None = None
    published: datetime | None = None
    source: str | None = None
    vector: np.ndarray | None = None

    def lead(self, chars: int = LEAD_CHARS) -> str:
        """Title and the opening `chars` of the text: the part that is compared."""
        heading = f"{self.title}\n" if self.title else ""
        return (heading + self.text)[: len(heading) + chars]

    def embedded_text(self) -> str:
        """What the sentence encoder reads: the title and the first sentence or two."""
        return self.lead(EMBEDDED_LEAD_CHARS)


@dataclass(frozen=True, slots=True)
class Profile:
    """The comparable signals of one article."""

    language: str
    terms: frozenset[str]
    names: frozenset[str]
    amounts: frozenset[float]
    lexical: np.ndarray  # unit-length hashed term counts, LEXICAL_DIM floats


def _round_amount(value: float) -> float:
    """Two significant digits: "€1.84 billion" and "€1.8bn" are the same amount."""
    if value == 0:
        return 0.0
    return float(f"{value:.2g}")


def amounts(text: str) -> frozenset[float]:
    """Quantities an event is told by: money, counts, shares; years and small counts skipped."""
    found = set()
    for digits, unit in _AMOUNT.findall(normalize(text)):
        if "," in digits and re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits):
            value = float(digits.replace(",", ""))
        else:
            value = float(digits.replace(",", ".").replace("٫", "."))
        if unit in _PERCENT:
            found.add(_round_amount(value) + 0.5e-3)  # a share never equals a count
        elif unit:
            found.add(_round_amount(value * _MAGNITUDES[unit]))
        elif value >= 100 and not (1900 <= value <= 2100 and value.is_integer()):
            found.add(_round_amount(value))
    return frozenset(found)


def names(text: str) -> frozenset[str]:
    """Latin-script words that are not function words: brand and people names in any language."""
    return frozenset(
        token
        for token in _LATIN_NAME.findall(normalize(text))
        if not is_stopword(token) and not token.isdigit()
    )


def _hashed(terms: list[str]) -> np.ndarray:
    vector = np.zeros(LEXICAL_DIM, dtype=np.float32)
    for term in terms:
        vector[zlib.crc32(term.encode("utf-8")) % LEXICAL_DIM] += 1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def profile(article: StoryArticle) -> Profile:
    """The article's signals, from its title and lead."""
    return _profile_of(article.lead(), article.language)


@lru_cache(maxsize=4096)
def _profile_of(lead: str, language: str | None) -> Profile:
    # Cached: the matcher reads an article's profile to match it and again to add it.
    terms = content_terms(lead)
    return Profile(
        language=language or detect_language(lead),
        terms=frozenset(terms),
        names=names(lead),
        amounts=amounts(lead),
        lexical=_hashed(terms),
    )


def term_cosine(left: frozenset[str], right: frozenset[str]) -> float:
    """Shared terms over the geometric mean of the two vocabularies (0 when either is empty)."""
    if not left or not right:
        return 0.0
    return len(left & right) / float(np.sqrt(len(left) * len(right)))


def overlap(left: frozenset, right: frozenset) -> float:
    """Shared items over the smaller set: a short report inside a long one still matches."""
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))
