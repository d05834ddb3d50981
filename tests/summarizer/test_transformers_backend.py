"""The transformers backend on tiny random mT5 checkpoints: loading, batching, chunking, settings."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
import torch

from benchmarks.baseline import Baseline
from summarizer.errors import InputError, ModelUnavailableError
from summarizer.hf import TransformersSummarizer
from summarizer.types import Article, GenerationSettings

SHORT = [
    "Chip makers reported strong demand for servers this quarter.",
    "The new phone ships with a faster processor and a larger battery than last year's model did.",
    "Researchers released an open model.",
]


class GenerateSpy:
    """Wraps a model's generate: records inputs, settings and output ids, changes nothing."""

    def __init__(self, generate: Any) -> None:
        self.generate = generate
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        output = self.generate(**kwargs)
        self.calls.append({**kwargs, "output": output})
        return output


def spy_on(
    summarizer: TransformersSummarizer, model: str, monkeypatch: pytest.MonkeyPatch
) -> GenerateSpy:
    """Put a GenerateSpy on the shared loaded model for this test only."""
    engine, _ = summarizer.engine(model)
    spy = GenerateSpy(engine.loaded.model.generate)
    monkeypatch.setattr(engine.loaded.model, "generate", spy)
    return spy


@pytest.mark.parametrize("layout", ["legacy", "modern"])
def test_loads_both_checkpoint_layouts(tiny_models, tiny_options, layout: str) -> None:
    directory = getattr(tiny_models, layout)
    summaries = TransformersSummarizer(tiny_options(directory)).summarize([Article(SHORT[0])])
    assert len(summaries) == 1
    assert summaries[0].backend == "transformers"
    assert summaries[0].model == str(directory)
    assert summaries[0].language == "en"
    assert isinstance(summaries[0].text, str) and summaries[0].text


def test_model_is_loaded_once_per_process(tiny_models, tiny_options) -> None:
    first = TransformersSummarizer(tiny_options(tiny_models.modern))
    second = TransformersSummarizer(tiny_options(tiny_models.modern))
    model = str(tiny_models.modern)
    assert first.engine(model)[0].loaded is second.engine(model)[0].loaded


def test_batches_are_length_sorted_and_order_is_restored(
    tiny_models, tiny_options, monkeypatch
) -> None:
    options = tiny_options(tiny_models.modern, batch_size=2)
    options.generation = replace(options.generation, num_beams=1)
    summarizer = TransformersSummarizer(options)
    one_by_one = [summarizer.summarize([Article(text)])[0].text for text in SHORT]
    spy = spy_on(summarizer, str(tiny_models.modern), monkeypatch)
    batched = [summary.text for summary in summarizer.summarize([Article(text) for text in SHORT])]
    assert batched == one_by_one
    sizes = [call["input_ids"].shape[0] for call in spy.calls]
    lengths = [int(n) for call in spy.calls for n in call["attention_mask"].sum(dim=1)]
    assert sizes == [2, 1]
    assert lengths == sorted(lengths, reverse=True)


def test_generation_settings_reach_generate(tiny_models, tiny_options, monkeypatch) -> None:
    options = tiny_options(tiny_models.legacy)
    options.generation = GenerationSettings(
        max_input_tokens=64,
        num_beams=3,
        min_new_tokens=4,
        max_new_tokens=6,
        no_repeat_ngram_size=3,
        length_penalty=0.8,
    )
    summarizer = TransformersSummarizer(options)
    spy = spy_on(summarizer, str(tiny_models.legacy), monkeypatch)
    summarizer.summarize([Article(SHORT[1])])
    (call,) = spy.calls
    assert {k: call[k] for k in ("num_beams", "min_new_tokens", "max_new_tokens")} == {
        "num_beams": 3,
        "min_new_tokens": 4,
        "max_new_tokens": 6,
    }
    assert (call["no_repeat_ngram_size"], call["length_penalty"]) == (3, 0.8)
    assert 4 <= call["output"].shape[1] - 1 <= 6  # less the decoder start token


def test_xlsum_defaults_cap_the_summary_at_max_length(
    tiny_models, tiny_options, monkeypatch
) -> None:
    summarizer = TransformersSummarizer(tiny_options(tiny_models.legacy))  # max_length=12
    spy = spy_on(summarizer, str(tiny_models.legacy), monkeypatch)
    summarizer.summarize([Article(SHORT[0])])
    assert spy.calls[0]["max_new_tokens"] == 11
    assert spy.calls[0]["output"].shape[1] <= 12


def test_in_chunks_mode_a_long_article_reaches_the_model_in_chunks(
    tiny_models, tiny_options, seed_text, monkeypatch
) -> None:
    summarizer = TransformersSummarizer(tiny_options(tiny_models.modern, long_input="chunks"))
    spy = spy_on(summarizer, str(tiny_models.modern), monkeypatch)
    (summary,) = summarizer.summarize([Article(seed_text)])
    tokenizer = summarizer.engine(str(tiny_models.modern))[0].loaded.tokenizer
    rows = [
        (ids, mask)
        for call in spy.calls
        for ids, mask in zip(call["input_ids"], call["attention_mask"], strict=True)
    ]
    assert all(int(mask.sum()) <= 64 for _, mask in rows)
    seen = Counter(
        word for ids, _ in rows for word in tokenizer.decode(ids, skip_special_tokens=True).split()
    )
    article = tokenizer.decode(
        tokenizer(" ".join(seed_text.split())).input_ids, skip_special_tokens=True
    )
    assert not Counter(article.split()) - seen  # every word of the article reached generate
    chunks_needed = len(tokenizer(seed_text).input_ids) // 63
    assert len(rows) > chunks_needed  # chunk summaries, then at least one reduce round
    assert summary.text


def test_int8_quantization_replaces_linear_layers(tiny_models, tiny_options) -> None:
    summarizer = TransformersSummarizer(tiny_options(tiny_models.modern, quantize=True))
    model = summarizer.engine(str(tiny_models.modern))[0].loaded.model
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules())
    assert not any(type(m) is torch.nn.Linear for m in model.modules())
    assert summarizer.summarize([Article(SHORT[0])])[0].text


def test_language_routing_picks_the_model_and_summary_language(tiny_models, tiny_options) -> None:
    options = tiny_options(
        tiny_models.legacy,
        language_models={"ar": str(tiny_models.legacy), "*": str(tiny_models.modern)},
        output_languages={"*": "ar"},
    )
    arabic, english = TransformersSummarizer(options).summarize(
        [Article("أعلنت الشركة عن هاتف جديد."), Article(SHORT[0], language="en")]
    )
    assert (arabic.model, arabic.language) == (str(tiny_models.legacy), "ar")
    assert (english.model, english.language) == (str(tiny_models.modern), "ar")


def test_load_readies_every_routed_model_before_the_first_article(
    tiny_models, tiny_options, monkeypatch
) -> None:
    import summarizer.hf
    import summarizer.models

    monkeypatch.setattr(summarizer.models, "_loaded", {})  # nothing loaded by earlier tests
    loads: list[str] = []
    real_load = summarizer.hf.load_model

    def counted(source: str, *args: Any) -> Any:
        loads.append(source)
        return real_load(source, *args)

    monkeypatch.setattr(summarizer.hf, "load_model", counted)
    options = tiny_options(
        tiny_models.legacy,
        language_models={"ar": str(tiny_models.legacy), "*": str(tiny_models.modern)},
    )
    backend = TransformersSummarizer(options)
    backend.load()
    assert sorted(loads) == sorted([str(tiny_models.legacy), str(tiny_models.modern)])
    backend.summarize([Article("أعلنت الشركة عن هاتف جديد."), Article(SHORT[0], language="en")])
    assert len(loads) == 2  # the articles found both models loaded


def test_nonexistent_directory_is_model_unavailable(tmp_path, tiny_options) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        TransformersSummarizer(tiny_options(tmp_path / "no-such-model"))


def test_greedy_ids_match_the_one_at_a_time_baseline(
    tiny_models, tiny_options, monkeypatch
) -> None:
    options = tiny_options(tiny_models.legacy, batch_size=3)
    options.generation = GenerationSettings(max_input_tokens=64, num_beams=1, max_new_tokens=10)
    summarizer = TransformersSummarizer(options)
    spy = spy_on(summarizer, str(tiny_models.legacy), monkeypatch)
    summarizer.summarize([Article(text) for text in SHORT])
    (call,) = spy.calls
    pad = summarizer.engine(str(tiny_models.legacy))[0].loaded.tokenizer.pad_token_id
    ours = {
        int(mask.sum()): [int(t) for t in ids[1:] if t != pad]
        for ids, mask in zip(call["output"], call["attention_mask"], strict=True)
    }
    baseline = Baseline(
        str(tiny_models.legacy), {"num_beams": 1, "max_new_tokens": 10, "no_repeat_ngram_size": 2}
    )
    for text in SHORT:
        expected = [int(t) for t in baseline.token_ids(text)[1:] if t != pad]
        assert ours[len(baseline.tokenizer(text).input_ids)] == expected


def test_an_empty_article_is_an_input_error(tiny_models, tiny_options) -> None:
    with pytest.raises(InputError):
        TransformersSummarizer(tiny_options(tiny_models.modern)).summarize([Article(" \n ")])


def test_an_over_long_article_is_cut_to_max_input_chars_with_a_warning(
    tiny_models, tiny_options, monkeypatch, caplog
) -> None:
    head, tail = SHORT[0], "Regulators asked cloud providers to explain their pricing."
    text = f"{head} {tail}"
    summarizer = TransformersSummarizer(
        tiny_options(tiny_models.modern, max_input_chars=len(head) + 5)
    )
    spy = spy_on(summarizer, str(tiny_models.modern), monkeypatch)
    tokenizer = summarizer.engine(str(tiny_models.modern))[0].loaded.tokenizer
    with caplog.at_level(logging.WARNING, logger="summarizer.models"):
        summarizer.summarize([Article(text, id="long")])
    (call,) = spy.calls
    seen = tokenizer.decode(call["input_ids"][0], skip_special_tokens=True)
    assert "Regulators" not in seen and "quarter" in seen  # cut at a word boundary
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "summarizer.models"]
    assert (
        warning
        == f"article long is {len(text)} characters; summarizing its first {len(head) + 5} (max_input_chars)"
    )


def test_without_a_limit_the_whole_article_is_read(tiny_models, tiny_options, monkeypatch) -> None:
    text = f"{SHORT[0]} Regulators asked cloud providers to explain their pricing."
    summarizer = TransformersSummarizer(
        tiny_options(tiny_models.modern, max_input_chars=None, long_input="chunks")
    )
    spy = spy_on(summarizer, str(tiny_models.modern), monkeypatch)
    tokenizer = summarizer.engine(str(tiny_models.modern))[0].loaded.tokenizer
    summarizer.summarize([Article(text)])
    assert "Regulators" in tokenizer.decode(spy.calls[0]["input_ids"][0], skip_special_tokens=True)
