"""Select, then summarize: what of a long article the model reads, and that it reads it once."""

from __future__ import annotations

from summarizer.extractive import rank_sentences
from summarizer.hf import TransformersSummarizer
from summarizer.selection import select_text, summarize_selected
from summarizer.text import split_sentences
from summarizer.types import Article
from tests.summarizer.test_chunking import WordEngine, sentences
from tests.summarizer.test_transformers_backend import spy_on

NEWS = (
    "أعلنت شركة أبل اليوم عن هاتف آيفون جديد بمعالج أسرع وبطارية أكبر. "
    "وقال متحدث باسم الشركة إن الهاتف يصل إلى المتاجر الشهر المقبل. "
    "الطقس كان مشمسا في المدينة. "
    "ويأتي هاتف آيفون الجديد بكاميرا محسنة ومعالج أسرع من الجيل السابق. "
    "وتتوقع أبل أن تزيد مبيعات الهاتف الجديد في الأسواق العربية. "
    "تابعونا على الشبكات الاجتماعية. "
)


def test_a_text_that_fits_is_left_whole() -> None:
    text = sentences(3, 4)
    assert select_text(text, WordEngine(), max_input_tokens=13) == text


def test_a_long_text_keeps_the_lead_and_the_best_ranked_sentences_in_order() -> None:
    engine = WordEngine()
    parts = [s.text.strip() for s in split_sentences(NEWS)]
    budget = sum(len(part.split()) for part in parts[:2]) + len(parts[3].split())
    selected = select_text(NEWS, engine, max_input_tokens=budget + 1)
    assert len(selected.split()) <= budget
    kept = [part for part in parts if part in selected]
    assert kept[0] == parts[0]  # the lead always
    assert selected == " ".join(kept)  # whole sentences, article order
    best = next(s.text.strip() for s in rank_sentences(NEWS, split_sentences(NEWS)) if s.index)
    assert best in kept and len(kept) < len(parts)
    assert engine.batches == []  # choosing costs no model call


def test_the_ranker_puts_the_filler_sentence_below_the_news() -> None:
    ranked = [s.text.strip() for s in rank_sentences(NEWS, split_sentences(NEWS))]
    assert ranked.index("الطقس كان مشمسا في المدينة.") > ranked.index(
        "ويأتي هاتف آيفون الجديد بكاميرا محسنة ومعالج أسرع من الجيل السابق."
    )


def test_a_text_without_sentence_ends_is_cut_at_words_to_the_window() -> None:
    text = " ".join(f"word{n}" for n in range(40))
    assert select_text(text, WordEngine(), max_input_tokens=11).split() == text.split()[:10]


def test_every_long_article_costs_exactly_one_model_input() -> None:
    engine = WordEngine()
    texts = [sentences(30, 6, tag=f"a{n}") for n in range(3)]
    summaries = summarize_selected(texts, [None] * 3, engine, 21, batch_size=2)
    assert [len(batch) for batch in engine.batches] == [2, 1]  # three inputs, no reduce rounds
    assert all(len(text.split()) <= 20 for batch in engine.batches for text in batch)
    assert [summary.split()[0] for summary in summaries] == ["a00x0", "a10x0", "a20x0"]  # leads


def test_the_transformers_backend_calls_the_model_once_per_long_article(
    tiny_models, tiny_options, seed_text, monkeypatch
) -> None:
    summarizer = TransformersSummarizer(tiny_options(tiny_models.modern))  # long_input: select
    spy = spy_on(summarizer, str(tiny_models.modern), monkeypatch)
    tokenizer = summarizer.engine(str(tiny_models.modern))[0].loaded.tokenizer
    assert len(tokenizer(seed_text).input_ids) > 3 * 64  # several windows long
    summaries = summarizer.summarize([Article(seed_text), Article(seed_text[::-1])])
    rows = [row for call in spy.calls for row in call["attention_mask"]]
    assert len(spy.calls) == 1 and len(rows) == 2  # one batch, one input per article
    assert all(int(mask.sum()) <= 64 for mask in rows)
    assert all(summary.text for summary in summaries)
