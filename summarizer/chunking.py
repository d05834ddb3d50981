"""Long articles summarized whole: token-aware chunking and a recursive reduce, for any seq2seq engine.

The ``long_input: chunks`` strategy of the ``transformers`` and ``ct2`` backends (the default,
``select``, lives in `summarizer.selection`; ADR 010 compares them):

0. (In the backends, before this module) an article longer than ``max_input_chars``
   (default 50,000 characters, a long feature) is cut at a word boundary with a warning:
   each chunk costs a model call, and a 2 MB paste would otherwise run for hours on a CPU.
1. Whitespace is collapsed, as XL-Sum was trained on.
2. A text that fits the model's input window (``max_input_tokens``, counting the end token)
   is summarized as is.
3. A longer text is split into sentence-aligned chunks that each fit: sentences are packed
   greedily in order; a single sentence longer than the window is cut at word boundaries.
   Nothing past the window is ever dropped.
4. Every chunk is summarized (all chunks of all texts go through the engine together, in
   length-sorted batches), and a text's chunk summaries are joined in order.
5. The joined summary is summarized again, recursively, until it fits in one window; the
   last round's summary is the text's summary. A round that does not shrink the text is cut
   short with a warning rather than looping.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Protocol

from summarizer.text import split_sentences

logger = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")
_END_TOKEN = 1  # every seq2seq input carries one end token beside the text's own tokens


class Seq2SeqEngine(Protocol):
    """What the chunker needs from a loaded model: token counts and one batch of generation."""

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts without special tokens, one per text."""
        ...

    def generate(self, texts: list[str]) -> list[str]:
        """Summaries of texts that each fit the input window, same order."""
        ...


def collapse_whitespace(text: str) -> str:
    """One space between words, as in XL-Sum's training data."""
    return _WHITESPACE.sub(" ", text).strip()


def _pieces(text: str) -> list[str]:
    """Sentences of text, whitespace collapsed, empty ones left out."""
    sentences = (collapse_whitespace(sentence.text) for sentence in split_sentences(text))
    return [sentence for sentence in sentences if sentence]


def cut_words(words: list[str], counts: list[int], budget: int) -> Iterator[str]:
    """Word-boundary pieces of an over-long sentence, each within budget tokens."""
    start, used = 0, 0
    for position, count in enumerate(counts):
        if used and used + count > budget:
            yield " ".join(words[start:position])
            start, used = position, 0
        used += count
    yield " ".join(words[start:])


def chunk_text(text: str, engine: Seq2SeqEngine, max_input_tokens: int) -> list[str]:
    """Sentence-aligned chunks of text that each fit max_input_tokens, together covering all of it."""
    budget = max(1, max_input_tokens - _END_TOKEN)
    sentences = _pieces(text)
    counts = engine.count_tokens(sentences)
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence, count in zip(sentences, counts, strict=True):
        if count > budget:
            words = sentence.split(" ")
            pieces = list(cut_words(words, engine.count_tokens(words), budget))
            sentence_parts = list(zip(pieces, engine.count_tokens(pieces), strict=True))
        else:
            sentence_parts = [(sentence, count)]
        for part, part_count in sentence_parts:
            if current and used + part_count > budget:
                chunks.append(" ".join(current))
                current, used = [], 0
            current.append(part)
            used += part_count
    if current:
        chunks.append(" ".join(current))
    return chunks


def generate_sorted(
    texts: list[str],
    lengths: list[int],
    batch_size: int,
    generate: Callable[[list[str]], list[str]],
) -> list[str]:
    """Generate in batches of similar length (less padding), results in the original order."""
    order = sorted(range(len(texts)), key=lambda position: lengths[position], reverse=True)
    results: list[str] = [""] * len(texts)
    for start in range(0, len(order), max(1, batch_size)):
        batch = order[start : start + batch_size]
        for position, output in zip(batch, generate([texts[p] for p in batch]), strict=True):
            results[position] = output
    return results


def summarize_texts(
    texts: list[str], engine: Seq2SeqEngine, max_input_tokens: int, batch_size: int
) -> list[str]:
    """Summaries of texts of any length, same order; see the module docstring for the strategy."""
    current = [collapse_whitespace(text) for text in texts]
    sizes = engine.count_tokens(current)
    results: list[str] = [""] * len(texts)
    pending = list(range(len(texts)))
    while pending:
        chunked = {
            position: (
                [current[position]]
                if sizes[position] + _END_TOKEN <= max_input_tokens
                else chunk_text(current[position], engine, max_input_tokens)
            )
            for position in pending
        }
        flat = [chunk for position in pending for chunk in chunked[position]]
        summaries = iter(
            generate_sorted(flat, engine.count_tokens(flat), batch_size, engine.generate)
        )
        next_pending = []
        for position in pending:
            parts = [next(summaries) for _ in chunked[position]]
            joined = collapse_whitespace(" ".join(parts))
            if len(parts) == 1:
                results[position] = joined
                continue
            (size,) = engine.count_tokens([joined])
            if size >= sizes[position]:
                logger.warning(
                    "chunk summaries of text %d did not shrink it (%d tokens); keeping them as its summary",
                    position,
                    size,
                )
                results[position] = joined
                continue
            logger.debug("text %d: %d chunks summarized into %d tokens", position, len(parts), size)
            current[position], sizes[position] = joined, size
            next_pending.append(position)
        pending = next_pending
    return results
