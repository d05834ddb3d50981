"""Ties answers back to article sentences: by char offset, or by a quote checked against the text."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from summarizer.errors import InputError
from summarizer.text import Sentence, is_boilerplate, normalize, split_sentences
from summarizer.types import Article

from .types import Evidence

# A quote must cover this share of the sentences it falls in, so a stray name is no citation.
MIN_QUOTE_COVERAGE = 0.5


def article_sentences(article: Article) -> list[Sentence]:
    """The article's sentences with offsets into `article.text`; an empty article is an input error."""
    sentences = [sentence for sentence in split_sentences(article.text) if sentence.text.strip()]
    if not sentences:
        raise InputError("the article has no text to answer from")
    return sentences


def candidate_sentences(article: Article) -> list[Sentence]:
    """Sentences that may answer: page furniture (menus, comment forms) only if nothing else is left."""
    sentences = article_sentences(article)
    content = [sentence for sentence in sentences if not is_boilerplate(sentence.text)]
    return content or sentences


def to_evidence(sentence: Sentence) -> Evidence:
    """The public form of one article sentence."""
    return Evidence(
        text=sentence.text, index=sentence.index, start=sentence.start, end=sentence.end
    )


def sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence:
    """The sentence holding a char offset of the article (the nearest one before it in a gap)."""
    starts = [sentence.start for sentence in sentences]
    position = max(bisect.bisect_right(starts, offset) - 1, 0)
    return sentences[position]


def _comparable(text: str) -> str:
    """Folded for comparison: diacritics and spelling variants by `normalize`, plus whitespace."""
    return " ".join(normalize(text).split())


def locate_quote(quote: str, sentences: Sequence[Sentence]) -> list[Sentence] | None:
    """The sentences a quote was copied from, or None when the article does not hold it verbatim."""
    target = _comparable(quote).strip(" .،,؛;:!?؟\"'«»")
    if not target:
        return None
    pieces = [_comparable(sentence.text) for sentence in sentences]
    joined = " ".join(pieces)
    found = joined.find(target)
    if found < 0:
        return None
    starts, position = [], 0
    for piece in pieces:
        starts.append(position)
        position += len(piece) + 1
    first = bisect.bisect_right(starts, found) - 1
    last = bisect.bisect_right(starts, found + len(target) - 1) - 1
    covered = sum(len(piece) for piece in pieces[first : last + 1])
    if len(target) < MIN_QUOTE_COVERAGE * covered:
        return None
    return list(sentences[first : last + 1])
