"""Chunking and the recursive reduce, with a word-counting engine standing in for a model."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from summarizer.chunking import chunk_text, generate_sorted, summarize_texts


class WordEngine:
    """One token per word; a summary is the first `keep` words; records every batch."""

    def __init__(self, keep: int = 3) -> None:
        self.keep = keep
        self.batches: list[list[str]] = []

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Words per text."""
        return [len(text.split()) for text in texts]

    def generate(self, texts: list[str]) -> list[str]:
        """The first words of each text."""
        self.batches.append(list(texts))
        return [" ".join(text.split()[: self.keep]) for text in texts]


def sentences(count: int, words: int, tag: str = "w") -> str:
    """count sentences of `words` distinct words each."""
    return " ".join(" ".join(f"{tag}{s}x{w}" for w in range(words)) + "." for s in range(count))


def test_chunks_fit_the_window_and_cover_every_word_in_order() -> None:
    text = sentences(12, 7)
    chunks = chunk_text(text, WordEngine(), max_input_tokens=20)
    assert len(chunks) > 1
    assert all(len(chunk.split()) <= 19 for chunk in chunks)  # one token is the end token
    assert " ".join(chunks).split() == text.split()


def test_chunks_end_on_sentence_boundaries() -> None:
    chunks = chunk_text(sentences(9, 5), WordEngine(), max_input_tokens=16)
    assert all(chunk.endswith(".") for chunk in chunks)


def test_an_overlong_sentence_is_cut_at_words_not_dropped() -> None:
    text = " ".join(f"word{n}" for n in range(50)) + "."
    chunks = chunk_text(text, WordEngine(), max_input_tokens=11)
    assert all(len(chunk.split()) <= 10 for chunk in chunks)
    assert " ".join(chunks).split() == text.split()


def test_generate_sorted_batches_by_length_and_restores_order() -> None:
    texts = ["a", "a b c d", "a b", "a b c d e f", "a b c"]
    batches: list[list[str]] = []

    def reverse(batch: list[str]) -> list[str]:
        batches.append(batch)
        return [text[::-1] for text in batch]

    lengths = [len(text.split()) for text in texts]
    assert generate_sorted(texts, lengths, 2, reverse) == [text[::-1] for text in texts]
    assert [len(batch) for batch in batches] == [2, 2, 1]
    flat = [len(text.split()) for batch in batches for text in batch]
    assert flat == sorted(flat, reverse=True)


def test_short_texts_go_through_once_and_keep_their_order() -> None:
    engine = WordEngine(keep=2)
    texts = ["one two three.", "four five six seven.", "eight nine."]
    assert summarize_texts(texts, engine, max_input_tokens=50, batch_size=8) == [
        "one two",
        "four five",
        "eight nine.",
    ]
    assert len(engine.batches) == 1


def test_long_text_is_reduced_recursively_until_it_fits() -> None:
    engine = WordEngine(keep=4)
    long_text = sentences(40, 6, tag="L")  # 240 words, window 20: 3 rounds
    summaries = summarize_texts(
        ["short text.", long_text], engine, max_input_tokens=20, batch_size=4
    )
    inputs = [text for batch in engine.batches for text in batch]
    seen = Counter(word for text in inputs for word in text.split())
    assert not Counter(long_text.split()) - seen  # every word reached the engine
    assert all(len(text.split()) <= 19 for text in inputs)
    assert summaries[0] == "short text."
    assert summaries[1] == "L0x0 L0x1 L0x2 L0x3"  # the reduce of the reduce, not 56 joined words


def test_whitespace_is_collapsed_before_the_model_sees_text() -> None:
    engine = WordEngine(keep=10)
    summarize_texts(["a\n\n  b\tc ."], engine, max_input_tokens=50, batch_size=1)
    assert engine.batches == [["a b c ."]]


def test_a_reduce_that_does_not_shrink_stops_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Echo(WordEngine):
        def generate(self, texts: list[str]) -> list[str]:
            self.batches.append(list(texts))
            return [text + " more" for text in texts]

    engine = Echo()
    with caplog.at_level(logging.WARNING, logger="summarizer.chunking"):
        summaries = summarize_texts([sentences(6, 5)], engine, max_input_tokens=12, batch_size=8)
    assert len(engine.batches) == 1
    assert "more" in summaries[0]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
