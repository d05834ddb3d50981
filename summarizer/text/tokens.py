"""Word tokens, stopwords and light stemming: the vocabulary that similarity scores compare."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import snowballstemmer
import stopwordsiso

from .language import script_language
from .normalize import normalize

_WORD = re.compile(r"[^\W_]+")
_STEMMED_LANGUAGES = {"ar": "arabic", "en": "english"}
# Snowball leaves a conjunction glued to the article (والشركات); drop it first.
_CONJUNCTION_BEFORE_ARTICLE = re.compile("^[وف](?=ال..)")
# normalize() folds ta marbuta into ha; Snowball only strips the feminine ending as ة, and
# stripping a final ه (a pronoun) instead is harmless for matching.
_FINAL_HA = re.compile("ه$")
_local = threading.local()


def tokenize(text: str) -> list[str]:
    """Normalized word tokens (Arabic, Latin, digits, any other letters); punctuation dropped."""
    return _WORD.findall(normalize(text))


def _stemmer(algorithm: str) -> snowballstemmer.Stemmer:
    # Snowball stemmers keep state while stemming, so each thread gets its own.
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return stemmers[algorithm]


@lru_cache(maxsize=200_000)
def stem(token: str, language: str) -> str:
    """Light stem of a normalized token; tokens of languages without a stemmer come back as is."""
    algorithm = _STEMMED_LANGUAGES.get(language)
    if algorithm is None or token.isdigit():
        return token
    if language == "ar":
        token = _FINAL_HA.sub("ة", _CONJUNCTION_BEFORE_ARTICLE.sub("", token))
    return normalize(_stemmer(algorithm).stemWord(token)) or token


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    words = stopwordsiso.stopwords(["ar", "en"])
    return frozenset(token for word in words for token in tokenize(word))


def is_stopword(token: str) -> bool:
    """Whether a normalized token is a function word in Arabic or English."""
    return token in _stopwords()


def content_terms(text: str) -> list[str]:
    """Stemmed content words in text order: what two sentences must share to be similar."""
    return [
        stem(token, script_language(token))
        for token in tokenize(text)
        if not is_stopword(token) and (len(token) > 1 or token.isdigit())
    ]
