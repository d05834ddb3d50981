"""Platform-neutral text helpers: split long text at natural boundaries, keep Arabic right-to-left.

Limits are not here: each adapter passes its own `max_len` (and, for Telegram, a UTF-16 length).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from bot.i18n import t

Length = Callable[[str], int]

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LINE = re.compile(r"\n\s*")
_SENTENCE = re.compile(r"(?<=[.!?؟…。])[\"'»”)\]]*\s+")
_WORD = re.compile(r"\s+")
_LEVELS = (_PARAGRAPH, _LINE, _SENTENCE, _WORD)

RLM = "\u200f"
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z]")
_LINK = re.compile(r"\S+://\S+")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts message limits in."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, max_len: int, length: Length = len) -> list[str]:
    """Chunks of at most `max_len`: cut between paragraphs, then lines, sentences, then words."""
    if max_len <= 0:
        raise ValueError("max_len must be positive")
    text = text.strip()
    if not text:
        return []
    return [chunk for chunk in _split(text, max_len, length, 0) if chunk]


def _split(text: str, max_len: int, length: Length, level: int) -> Iterator[str]:
    if length(text) <= max_len:
        yield text.strip()
        return
    if level == len(_LEVELS):
        yield from _hard_cut(text, max_len, length)
        return
    current = ""
    for piece in _pieces(text, _LEVELS[level]):
        if length((current + piece).rstrip()) <= max_len:
            current += piece
            continue
        if current.strip():
            yield current.strip()
        if length(piece.rstrip()) <= max_len:
            current = piece
        else:
            yield from _split(piece.strip(), max_len, length, level + 1)
            current = ""
    if current.strip():
        yield current.strip()


def _pieces(text: str, separator: re.Pattern[str]) -> Iterator[str]:
    """Consecutive slices of `text`, each ending with the separator that follows it."""
    start = 0
    for match in separator.finditer(text):
        if match.end() > start:
            yield text[start : match.end()]
            start = match.end()
    if start < len(text):
        yield text[start:]


def _hard_cut(word: str, max_len: int, length: Length) -> Iterator[str]:
    """A single word longer than the limit: cut by characters (never inside a code point)."""
    current = ""
    for char in word:
        if current and length(current + char) > max_len:
            yield current
            current = ""
        current += char
    if current:
        yield current


def truncate_at_sentence(text: str, max_len: int, length: Length = len, ellipsis: str = "…") -> str:
    """The longest run of whole sentences that fits; a word-cut with an ellipsis when none does."""
    text = text.strip()
    if length(text) <= max_len:
        return text
    kept = ""
    for sentence in _pieces(text, _SENTENCE):
        if length((kept + sentence).rstrip()) > max_len:
            break
        kept += sentence
    if kept.strip():
        return kept.strip()
    words = ""
    for word in _pieces(text, _WORD):
        if length((words + word).rstrip() + ellipsis) > max_len:
            break
        words += word
    head = words.rstrip() or next(_hard_cut(text, max_len - length(ellipsis), length), "")
    return head + ellipsis


def is_arabic(text: str) -> bool:
    """Mostly Arabic script: more Arabic letters than Latin ones, links not counted."""
    text = _LINK.sub("", text)
    arabic = len(_ARABIC.findall(text))
    return arabic > 0 and arabic >= len(_LATIN.findall(text))


def rtl_paragraph(text: str) -> str:
    """Prefixes each Arabic line with RLM so it reads right-to-left even if it starts Latin or a digit."""
    return "\n".join(
        RLM + line if line.strip() and is_arabic(line) and not line.startswith(RLM) else line
        for line in text.split("\n")
    )


def sources_line(
    items: Sequence[str],
    language: str,
    max_listed: int | None = None,
    fits: Callable[[str], bool] = lambda line: True,
) -> str:
    """A story post's «also:» line: the first `max_listed` sources, "+N more" past them.

    `items` are the story's other sources, each already rendered by the adapter (escaped and
    linked its own way); `fits` says whether a line still fits the adapter's room. Fewer are
    listed, and the count grows, until the line fits; "" when no line fits or there is none.
    `max_listed` None lists as many as fit.
    """
    if not items:
        return ""
    most = len(items) if max_listed is None else min(max_listed, len(items))
    for listed in range(most, -1, -1):
        line = _sources_line(items[:listed], len(items) - listed, language)
        if fits(line):
            return line
    return ""


def _sources_line(listed: Sequence[str], more: int, language: str) -> str:
    if not listed:
        return t("post.also_count", language, count=more)
    sources = t("post.also_separator", language).join(listed)
    if not more:
        return t("post.also", language, sources=sources)
    return t("post.also_more", language, sources=sources, count=more)


def quote_text(text: str, source: str, language: str) -> str:
    """A quoted sentence, then «— source: X» on its own line when its source is known."""
    if not source.strip():
        return text
    return f"{text}\n{t('answer.quote_source', language, source=source.strip())}"
