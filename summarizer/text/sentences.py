"""Sentence splitting that knows Arabic punctuation and keeps numbers, URLs and quotes whole."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence and where it sits in the original text (offsets into that text)."""

    text: str
    start: int
    end: int
    index: int


_TERMINATORS = ".!?؟؛…。！？"
_CLOSERS = "\"'»”’)]}"
_QUOTE_PAIRS = {"«": "»", "“": "”", '"': '"'}
_QUOTE_LOOKAHEAD = 600  # an opening quote without a nearby closer is a typo, not a quotation
_WRAP_MIN_LINE = 40
_WRAP_SHARE = 0.5
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")

_CANDIDATES = re.compile("[\n" + re.escape(_TERMINATORS) + '«»“”"]')

# Periods before a space that still do not end a sentence. (A period followed by anything but
# a space or an Arabic letter never ends one, which keeps URLs, e-mails and 2.5 whole.)
_ABBREVIATIONS = (
    "mr|mrs|ms|dr|prof|sr|jr|st|mt|vs|inc|ltd|corp|fig|approx|dept|gov|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_PROTECTED = re.compile(
    "|".join(
        (
            r"\b(?:[A-Za-z]\.){2,}",  # dotted acronyms: U.S., e.g., i.e.
            rf"(?i:\b(?:{_ABBREVIATIONS})\.)",  # Dr., Inc., Jan.
            r"\b[A-Z]\.(?=\s+[A-Z])",  # initials: J. Smith
            r"(?<!\w)(?:أ\.د|د|أ|م)\.(?=\s*[\u0621-\u064a])(?<!\d\sم\.)",  # د. أحمد, not 2020 م.
            r"(?m:^[ \t]*(?:\d{1,3}|[\u0660-\u0669]{1,3}|[a-zA-Z])[.)](?=\s))",  # numbered lists
        )
    )
)


def _protected_positions(text: str) -> set[int]:
    positions: set[int] = set()
    for match in _PROTECTED.finditer(text):
        start = match.start()
        positions.update(start + offset for offset, char in enumerate(match.group()) if char == ".")
    return positions


def _ends_here(text: str, position: int, after: int) -> bool:
    """A period ends a sentence only before a space, the end, or (unspaced Arabic) a letter."""
    if text[position] != "." or after >= len(text) or text[after].isspace():
        return True
    return bool(
        _ARABIC_LETTER.match(text[after]) and position and _ARABIC_LETTER.match(text[position - 1])
    )


def _closes_line(line: str) -> bool:
    """Whether a wrapped line ends its sentence (or introduces a list).

    A closing quote or bracket alone does not: wrapping often falls right after a quoted
    name («سابك»), and only a terminator before the closers ends the sentence.
    """
    if line.endswith(":"):
        return True
    body = line.rstrip(_CLOSERS)
    return bool(body) and body[-1] in _TERMINATORS


def _wrapped_line_breaks(text: str) -> set[int]:
    """Line breaks of hard-wrapped text (fixed-width lines cut mid-sentence) that are no break.

    A text counts as wrapped when most of its long lines run on into the next line without
    closing punctuation; then only those run-on breaks are ignored, headings stay separate.
    """
    run_on: set[int] = set()
    long_lines = 0
    offset = 0
    lines = text.split("\n")
    for line, following in zip(lines, lines[1:], strict=False):
        offset += len(line) + 1
        stripped = line.strip()
        if len(stripped) < _WRAP_MIN_LINE:
            continue
        long_lines += 1
        if following.strip() and not _closes_line(stripped):
            run_on.add(offset - 1)
    return run_on if long_lines >= 3 and len(run_on) >= _WRAP_SHARE * long_lines else set()


def _quote_closes(text: str, opener: str, position: int) -> bool:
    window = text[position + 1 : position + 1 + _QUOTE_LOOKAHEAD].split("\n", 1)[0]
    return _QUOTE_PAIRS[opener] in window


class _Splitter:
    """One pass over the candidate characters, collecting trimmed sentence spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences: list[Sentence] = []
        self.start = 0

    def emit(self, end: int) -> None:
        raw = self.text[self.start : end]
        stripped = raw.strip()
        if any(char.isalnum() for char in stripped):
            begin = self.start + (len(raw) - len(raw.lstrip()))
            self.sentences.append(
                Sentence(stripped, begin, begin + len(stripped), len(self.sentences))
            )
        self.start = end

    def split(self) -> list[Sentence]:
        text = self.text
        protected = _protected_positions(text)
        soft_breaks = _wrapped_line_breaks(text)
        open_quotes: list[str] = []
        resume = 0
        for match in _CANDIDATES.finditer(text):
            position, char = match.start(), match.group()
            if position < resume:
                continue
            if char == "\n" and position in soft_breaks:
                continue
            if char == "\n":
                open_quotes.clear()
                self.emit(position)
            elif open_quotes and char == _QUOTE_PAIRS[open_quotes[-1]]:
                open_quotes.pop()
            elif char in _QUOTE_PAIRS:
                if _quote_closes(text, char, position):
                    open_quotes.append(char)
            elif char in _TERMINATORS and not open_quotes and position not in protected:
                after = position + 1
                while after < len(text) and text[after] in _TERMINATORS:
                    after += 1
                while after < len(text) and text[after] in _CLOSERS:
                    after += 1
                if _ends_here(text, position, after):
                    self.emit(after)
                    resume = after
        self.emit(len(text))
        return self.sentences


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in text order; line breaks and . ! ? ؟ ؛ … end them, the Arabic comma does not."""
    return _Splitter(text).split()
