"""A realistic stand-in for mT5's tokenizer, built from text the project ships: no download.

A Unigram SentencePiece model is trained on the Arabic and English of `seeds/`, the test
fixtures and the bot's message catalogs (27k characters: too little for long pieces, so the
corpus's most frequent words join as whole-word pieces, scored by frequency), which makes
Arabic news about 3.6 characters a token as with mT5's own tokenizer (the seed article is
about 1,000 tokens); then it is padded to mT5's 250,112 pieces
with pieces of the other scripts its 101-language vocabulary mixes in. The padding's make-up
is a stated assumption (PADDING_SHARES), not a copy of mT5's: a fifth of the vocabulary is
pure-ASCII Latin pieces (English-looking fragments of the Latin-script languages), which a
trimmed Arabic output vocabulary keeps, so the benchmark does not flatter the trim.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks.random_model import train_spiece

MT5_VOCAB = 250_112
TRAINED_PIECES = 8_000  # an upper bound: the small corpus yields about 1,200
FREQUENT_WORDS = 600  # whole-word pieces: 3.6 characters a token on the seed article
CORPUS = ("seeds/*.txt", "tests/fixtures/**/*.txt", "tests/fixtures/**/*.json")
CORPUS += ("tests/fixtures/**/*.xml", "tests/fixtures/**/*.html", "bot/i18n/*.json")
_TAG = re.compile(r"<[^>]+>")
_SPACE_MARK = "\u2581"

# letters of each padding script (inclusive code point ranges) and its share of the padding
_ASCII = ((0x61, 0x7A),)
_ACCENTED = ((0xE0, 0xFF), (0x101, 0x17F), (0x1EA1, 0x1EF9))
SCRIPT_LETTERS: dict[str, tuple[tuple[int, int], ...]] = {
    "latin_ascii": _ASCII,
    "latin_accented": _ACCENTED,
    "cyrillic": ((0x430, 0x44F), (0x456, 0x457)),
    "greek": ((0x3B1, 0x3C9),),
    "hebrew": ((0x5D0, 0x5EA),),
    "devanagari": ((0x905, 0x939), (0x93E, 0x94C)),
    "bengali": ((0x985, 0x9B9),),
    "tamil": ((0xB85, 0xBB9),),
    "telugu": ((0xC05, 0xC39),),
    "thai": ((0xE01, 0xE30),),
    "georgian": ((0x10D0, 0x10F0),),
    "armenian": ((0x561, 0x586),),
    "ethiopic": ((0x1200, 0x1248),),
    "hangul": ((0xAC00, 0xD7A3),),
    "kana": ((0x3041, 0x3096), (0x30A1, 0x30FA)),
    "han": ((0x4E00, 0x9FFF),),
}
PADDING_SHARES = {
    "latin_ascii": 0.21,
    "latin_accented": 0.16,
    "cyrillic": 0.12,
    "han": 0.14,
    "hangul": 0.04,
    "kana": 0.03,
    "greek": 0.03,
    "hebrew": 0.02,
    "devanagari": 0.05,
    "bengali": 0.03,
    "tamil": 0.03,
    "telugu": 0.03,
    "thai": 0.04,
    "georgian": 0.03,
    "armenian": 0.02,
    "ethiopic": 0.02,
}


def corpus_lines(root: Path) -> list[str]:
    """Lines of natural text from the shipped files (tags and JSON structure removed)."""
    lines: list[str] = []
    for pattern in CORPUS:
        for path in sorted(root.glob(pattern)):
            raw = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".json":
                texts = list(_strings(json.loads(raw)))
            else:
                texts = [_TAG.sub(" ", raw) if path.suffix in {".xml", ".html"} else raw]
            lines += [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    return lines


def _strings(value: object) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _padding_piece(rng: random.Random, script: str) -> str:
    """A random word or word-piece of script, as a SentencePiece vocabulary holds them."""
    ranges = SCRIPT_LETTERS[script]
    length = rng.choice((1, 2, 2, 3, 3, 4, 5, 6) if script not in {"han", "hangul"} else (1, 2))
    letters = []
    for _ in range(length):
        low, high = rng.choice(ranges)
        letters.append(chr(rng.randint(low, high)))
    if script == "latin_accented":  # mostly ASCII letters around at least one accented one
        letters = [chr(rng.randint(0x61, 0x7A)) for _ in range(length)]
        low, high = rng.choice(ranges)
        letters[rng.randrange(length)] = chr(rng.randint(low, high))
    return (_SPACE_MARK if rng.random() < 0.5 else "") + "".join(letters)


def _model(spiece: bytes):  # noqa: ANN202 - a generated protobuf class
    from sentencepiece import sentencepiece_model_pb2

    model = sentencepiece_model_pb2.ModelProto()
    model.ParseFromString(spiece)
    return model


def with_words(spiece: bytes, lines: list[str], count: int = FREQUENT_WORDS) -> bytes:
    """spiece plus the count most frequent words of lines as whole-word pieces."""
    model = _model(spiece)
    seen = {piece.piece for piece in model.pieces}
    words = Counter(word for line in lines for word in line.split())
    total = sum(words.values())
    for word, frequency in words.most_common(count):
        if _SPACE_MARK + word not in seen:
            piece = model.pieces.add()
            piece.piece = _SPACE_MARK + word
            piece.score = math.log(frequency / total)
            piece.type = piece.NORMAL
    return model.SerializeToString()


def padded(spiece: bytes, size: int = MT5_VOCAB, seed: int = 0) -> bytes:
    """spiece with pieces of other scripts appended until it holds size pieces."""
    model = _model(spiece)
    seen = {piece.piece for piece in model.pieces}
    floor = min(piece.score for piece in model.pieces if piece.type == piece.NORMAL)
    rng = random.Random(seed)
    scripts, weights = zip(*PADDING_SHARES.items(), strict=True)
    while len(model.pieces) < size:
        candidate = _padding_piece(rng, rng.choices(scripts, weights)[0])
        if candidate in seen:
            continue
        seen.add(candidate)
        piece = model.pieces.add()
        piece.piece = candidate
        piece.score = floor - 1.0 - len(model.pieces) * 1e-5  # rarer than any trained piece
        piece.type = piece.NORMAL
    return model.SerializeToString()


def realistic_spiece(root: Path, size: int = MT5_VOCAB) -> bytes:
    """The Arabic/English Unigram model trained on the shipped text, padded to size pieces."""
    lines = corpus_lines(root)
    return padded(with_words(train_spiece(lines, TRAINED_PIECES), lines), size)
