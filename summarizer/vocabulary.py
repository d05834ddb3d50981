"""The trimmed output vocabulary: which pieces a summary in a given language may be written with.

mT5's 250,112 pieces cover 101 languages, yet an Arabic summary needs only Arabic-script,
Latin, digit and punctuation pieces; the LM head's projection onto the rest is about two
thirds of each decoder step. The ct2 backend writes the kept set as a CTranslate2 vocabulary
map (ADR 011): those pieces are always candidates, and every other piece is a candidate
exactly when the batch's input holds it, so a name copied from the article always survives.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping

# Inclusive code point ranges of the scripts a summary may be written in.
SCRIPT_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "arabic": (
        (0x0600, 0x06FF),  # Arabic (with Arabic-Indic digits and ، ؛ ؟)
        (0x0750, 0x077F),  # Arabic Supplement
        (0x0870, 0x08FF),  # Arabic Extended-B and -A
        (0xFB50, 0xFDFF),  # Presentation Forms-A
        (0xFE70, 0xFEFF),  # Presentation Forms-B
    ),
    "latin": ((0x0041, 0x005A), (0x0061, 0x007A)),  # English letters
    "latin_extended": ((0x00C0, 0x024F), (0x1E00, 0x1EFF)),  # é, ş, ư ...
    "cyrillic": ((0x0400, 0x052F),),
}
# Script-neutral characters every language uses: ASCII digits, punctuation and symbols,
# Latin-1 punctuation (« » ° ×), general punctuation (“ ” — …), currency signs.
NEUTRAL_RANGES = ((0x0020, 0x0040), (0x005B, 0x0060), (0x007B, 0x007E), (0x00A0, 0x00BF))
NEUTRAL_RANGES += ((0x00D7, 0x00D7), (0x00F7, 0x00F7), (0x2000, 0x206F), (0x20A0, 0x20CF))
SPACE_MARK = "\u2581"  # SentencePiece's word-start mark
# The scripts a summary in each language needs; Arabic and English news quote Latin names.
LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    "ar": frozenset({"arabic", "latin"}),
    "fa": frozenset({"arabic", "latin"}),
    "ur": frozenset({"arabic", "latin"}),
    "en": frozenset({"latin"}),
    "ru": frozenset({"cyrillic", "latin"}),
    **{
        language: frozenset({"latin", "latin_extended"})
        for language in ("fr", "de", "es", "it", "pt", "nl", "tr", "pl", "ro", "vi", "id")
    },
}
# Languages a model writes in when the config names none: the project's two.
DEFAULT_LANGUAGES = ("ar", "en")


def scripts_for(languages: Iterable[str]) -> frozenset[str] | None:
    """The scripts summaries in these languages need; None when one is unknown (keep all)."""
    scripts: set[str] = set()
    for language in languages:
        if language not in LANGUAGE_SCRIPTS:
            return None
        scripts |= LANGUAGE_SCRIPTS[language]
    return frozenset(scripts)


def covered_languages(scripts: frozenset[str]) -> frozenset[str]:
    """Languages (plus "und", no letters) whose summaries the kept scripts can write."""
    return frozenset(
        {"und", *(language for language, needs in LANGUAGE_SCRIPTS.items() if needs <= scripts)}
    )


@functools.lru_cache(maxsize=16)
def _kept_pattern(scripts: frozenset[str]) -> re.Pattern[str]:
    """A regex matching strings made only of neutral characters and the kept scripts."""
    ranges = [*NEUTRAL_RANGES, *(r for script in sorted(scripts) for r in SCRIPT_RANGES[script])]
    spans = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges)
    return re.compile(f"[{SPACE_MARK}{spans}]*")


def piece_is_kept(piece: str, scripts: frozenset[str]) -> bool:
    """True when every character of piece is neutral or of one of the kept scripts."""
    return _kept_pattern(scripts).fullmatch(piece) is not None


def kept_pieces(
    vocabulary: list[str],
    known: Mapping[str, int],
    scripts: frozenset[str],
    specials: Iterable[str],
) -> list[str]:
    """The pieces of vocabulary (in order) a summary may always use: kept scripts and specials.

    known is the tokenizer's own vocabulary: pieces the converter added past it (padding to
    a multiple of 8 or so) decode to nothing and are never kept.
    """
    special = set(specials)
    return [
        piece
        for piece in vocabulary
        if piece in special or (piece in known and piece_is_kept(piece, scripts))
    ]


def kept_digest(kept: list[str]) -> str:
    """A short stable name for a kept set, part of its cache key."""
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()[:12]


def vmap_lines(vocabulary: list[str], kept: list[str]) -> Iterable[str]:
    """CTranslate2 vocabulary map lines: the kept pieces always; any other piece when input holds it."""
    keep = set(kept)
    yield "\t" + " ".join(piece for piece in kept if _one_field(piece))
    for piece in vocabulary:
        if piece not in keep and _one_field(piece):
            yield f"{piece}\t{piece}"


def _one_field(piece: str) -> bool:
    """A piece the map's space- and tab-separated format can hold."""
    return bool(piece) and not any(char.isspace() for char in piece)
