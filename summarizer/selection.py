"""Select, then summarize: an over-long article becomes one window of its lead and best sentences.

The default long-input strategy of the seq2seq backends (ADR 010). XL-Sum's models were
trained on article heads cut to 512 tokens, so the model is given that shape: the lead
sentence, then the sentences the extractive ranker scores best, as many as fit the input
window, put back in article order. The ranker reads the whole article; the model runs once
per article whatever its length. `long_input: chunks` (see `chunking`) summarizes everything
instead, at one model call per window-sized chunk plus the reduce rounds.
"""

from __future__ import annotations

import logging

from summarizer.chunking import Seq2SeqEngine, collapse_whitespace, cut_words, generate_sorted
from summarizer.extractive import rank_sentences
from summarizer.text import split_sentences

logger = logging.getLogger(__name__)

_END_TOKEN = 1  # every seq2seq input carries one end token beside the text's own tokens


def select_text(
    text: str, engine: Seq2SeqEngine, max_input_tokens: int, title: str | None = None
) -> str:
    """The text itself when it fits the window, else its lead and best sentences that fit, in order."""
    whole = collapse_whitespace(text)
    budget = max(1, max_input_tokens - _END_TOKEN)
    if engine.count_tokens([whole])[0] <= budget:
        return whole
    sentences = [s for s in split_sentences(text) if collapse_whitespace(s.text)]
    counts = dict(
        zip(
            (s.index for s in sentences),
            engine.count_tokens([collapse_whitespace(s.text) for s in sentences]),
            strict=True,
        )
    )
    lead = sentences[0]
    order = [lead, *(s for s in rank_sentences(text, sentences, title) if s.index != lead.index)]
    chosen: list[int] = []  # sentence indices, best first
    used = 0
    for sentence in order:  # greedy: a shorter sentence further down may still fit
        if used + counts[sentence.index] <= budget:
            chosen.append(sentence.index)
            used += counts[sentence.index]
    if not chosen:  # even the lead is longer than the window: its first words, then
        words = collapse_whitespace(lead.text).split(" ")
        return next(cut_words(words, engine.count_tokens(words), budget))
    by_index = {s.index: collapse_whitespace(s.text) for s in sentences}
    selected = _joined(chosen, by_index)
    # sentence counts add up to the joined count give or take a piece at a seam: check, and
    # drop the lowest-ranked sentences while the joined text is still too long
    while len(chosen) > 1 and engine.count_tokens([selected])[0] > budget:
        chosen.pop()
        selected = _joined(chosen, by_index)
    logger.debug("selected %d of %d sentences (%d tokens)", len(chosen), len(sentences), used)
    return selected


def _joined(chosen: list[int], by_index: dict[int, str]) -> str:
    """The chosen sentences in article order."""
    return " ".join(by_index[index] for index in sorted(chosen))


def summarize_selected(
    texts: list[str],
    titles: list[str | None],
    engine: Seq2SeqEngine,
    max_input_tokens: int,
    batch_size: int,
) -> list[str]:
    """One summary per text from one model call each, in length-sorted batches, same order."""
    selected = [
        select_text(text, engine, max_input_tokens, title)
        for text, title in zip(texts, titles, strict=True)
    ]
    summaries = generate_sorted(
        selected, engine.count_tokens(selected), batch_size, engine.generate
    )
    return [collapse_whitespace(summary) for summary in summaries]
