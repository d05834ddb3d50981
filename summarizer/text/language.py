"""Guessing a text's language from its script, which is all a news summarizer needs to pick tools."""

from __future__ import annotations

import re

_SAMPLE_CHARS = 20_000
_ARABIC_SHARE = 0.3  # Arabic news is full of Latin brand names; a third of the letters is plenty

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ar", re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")),
    ("en", re.compile("[A-Za-z\u00c0-\u024f]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("ja", re.compile("[\u3040-\u30ff]")),
    ("ko", re.compile("[\uac00-\ud7af]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
)


def script_language(token: str) -> str:
    """The language whose script the token's first letter belongs to, or "und"."""
    for language, pattern in _SCRIPTS:
        if pattern.match(token):
            return language
    return "und"


def detect_language(text: str) -> str:
    """ISO 639-1 guess from letter counts per script; "und" when there are no letters."""
    sample = text[:_SAMPLE_CHARS]
    counts = {language: len(pattern.findall(sample)) for language, pattern in _SCRIPTS}
    total = sum(counts.values())
    if total == 0:
        return "und"
    if counts["ar"] / total >= _ARABIC_SHARE:
        return "ar"
    if counts["ja"]:  # Japanese mixes kana with Han characters
        return "ja"
    return max(counts, key=lambda language: counts[language])
