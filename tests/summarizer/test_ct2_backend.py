"""The ct2 backend on tiny random checkpoints: conversion, caching, fallback, agreement with transformers."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from transformers import LongT5Config, LongT5ForConditionalGeneration

from benchmarks.baseline import Baseline
from benchmarks.random_model import piece_count, write_legacy_tokenizer
from summarizer import ct2
from summarizer.ct2 import MARKER, VMAP, Ct2Summarizer, is_converted
from summarizer.errors import ModelUnavailableError
from summarizer.types import Article, GenerationSettings, SummarizerOptions

TEXTS = [
    "Chip makers reported strong demand for servers this quarter.",
    "The new phone ships with a faster processor and a larger battery.",
    "أعلنت الشركة عن نموذج جديد للذكاء الاصطناعي.",
]
NEAR_TIE = 1e-3


def cached_entries(cache: Path) -> list[str]:
    """Names in the cache directory (temp dirs included)."""
    return sorted(path.name for path in cache.iterdir()) if cache.exists() else []


@pytest.mark.parametrize("layout", ["legacy", "modern"])
def test_converts_both_layouts_and_summarizes_int8(
    tiny_models, tiny_options, tmp_path, layout
) -> None:
    options = tiny_options(getattr(tiny_models, layout), backend="ct2", cache_dir=str(tmp_path))
    summarizer = Ct2Summarizer(options)
    summaries = summarizer.summarize([Article(text) for text in TEXTS])
    assert [s.backend for s in summaries] == ["ct2"] * 3
    assert all(isinstance(s.text, str) and s.text.strip() for s in summaries)
    base = summarizer.target(str(getattr(tiny_models, layout)))
    # one finished conversion and its trimmed-vocabulary twin, no temp dirs
    entry, trimmed = cached_entries(tmp_path)
    assert entry == base.name and trimmed.startswith(f"{base.name}-vocab-")
    assert is_converted(tmp_path / entry) and is_converted(tmp_path / trimmed)
    assert json.loads((tmp_path / entry / MARKER).read_text())["quantization"] == "int8"
    assert (tmp_path / trimmed / VMAP).is_file() and not (tmp_path / entry / VMAP).exists()


def test_second_load_converts_nothing(tiny_models, tiny_options, tmp_path, monkeypatch) -> None:
    options = tiny_options(tiny_models.modern, backend="ct2", cache_dir=str(tmp_path))
    first = Ct2Summarizer(options).summarize([Article(TEXTS[0])])
    marker = next(tmp_path.glob(f"*/{MARKER}"))
    written = marker.stat().st_mtime_ns
    conversions: list[Any] = []
    real_convert = ct2.convert
    monkeypatch.setattr(ct2, "convert", lambda *a: conversions.append(a) or real_convert(*a))
    second = Ct2Summarizer(options)
    assert second.summarize([Article(TEXTS[0])]) == first
    assert conversions == []
    assert second.sources == {}  # a cached conversion needs no source model at all
    assert marker.stat().st_mtime_ns == written


def test_a_half_written_cache_is_replaced(tiny_models, tiny_options, tmp_path) -> None:
    options = tiny_options(tiny_models.legacy, backend="ct2", cache_dir=str(tmp_path))
    summarizer = Ct2Summarizer(options)
    target = summarizer.target(str(tiny_models.legacy))
    target.mkdir(parents=True)
    (target / "model.bin").write_bytes(b"truncated")  # no marker: an interrupted conversion
    assert summarizer.summarize([Article(TEXTS[1])])[0].backend == "ct2"
    assert is_converted(target)
    entries = cached_entries(tmp_path)
    assert entries[0] == target.name and all(e.startswith(target.name) for e in entries)


def test_a_corrupted_cached_model_is_converted_again(
    tiny_models, tiny_options, tmp_path, caplog
) -> None:
    options = tiny_options(tiny_models.modern, backend="ct2", cache_dir=str(tmp_path))
    target = Ct2Summarizer(options).target(str(tiny_models.modern))
    Ct2Summarizer(options).summarize([Article(TEXTS[0])])
    (target / "model.bin").write_bytes(b"garbage")
    options.threads = (os.cpu_count() or 1) + 1  # another key: the process-wide cache cannot answer
    ct2_summaries = Ct2Summarizer(options).summarize
    with caplog.at_level(logging.WARNING, logger="summarizer.ct2"):
        assert ct2_summaries([Article(TEXTS[0])])[0].backend == "ct2"
    assert len(caplog.records) == 1 and "converting it again" in caplog.records[0].getMessage()
    assert (target / "model.bin").stat().st_size > len(b"garbage")


def test_unsupported_architecture_falls_back_to_transformers(tiny_spiece, tmp_path, caplog) -> None:
    directory = tmp_path / "longt5"
    config = LongT5Config(
        vocab_size=piece_count(tiny_spiece),
        d_model=16,
        d_kv=4,
        d_ff=32,
        num_layers=1,
        num_heads=2,
        decoder_start_token_id=0,
        pad_token_id=0,
        eos_token_id=1,
    )
    LongT5ForConditionalGeneration(config).save_pretrained(directory)
    write_legacy_tokenizer(directory, tiny_spiece)
    cache = tmp_path / "cache"
    settings = GenerationSettings(max_input_tokens=64, num_beams=1, max_length=8)
    options = SummarizerOptions(
        model=str(directory), backend="ct2", device="cpu", cache_dir=str(cache), generation=settings
    )
    summarizer = Ct2Summarizer(options)
    with caplog.at_level(logging.WARNING, logger="summarizer.ct2"):
        summaries = summarizer.summarize([Article(TEXTS[0]), Article(TEXTS[1])])
    assert [s.backend for s in summaries] == ["transformers", "transformers"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "summarizer.ct2"]
    assert len(warnings) == 1 and "transformers backend" in warnings[0]
    assert "LongT5Config" in warnings[0] and "\n" not in warnings[0]
    assert cached_entries(cache) == []  # nothing half-written left behind


def test_a_full_disk_leaves_no_cache_and_falls_back(
    tiny_models, tiny_options, tmp_path, monkeypatch, caplog
) -> None:
    from ctranslate2.converters import TransformersConverter

    def fill_the_disk(self: Any, output_dir: str, **_: Any) -> str:
        (Path(output_dir) / "model.bin").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TransformersConverter, "convert", fill_the_disk)
    cache = tmp_path / "cache"
    options = tiny_options(tiny_models.modern, backend="ct2", cache_dir=str(cache))
    with caplog.at_level(logging.WARNING, logger="summarizer.ct2"):
        (summary,) = Ct2Summarizer(options).summarize([Article(TEXTS[0])])
    assert summary.backend == "transformers" and summary.text
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "summarizer.ct2"]
    assert "No space left on device" in warning and "transformers backend" in warning
    assert cached_entries(cache) == []


def test_nonexistent_directory_is_model_unavailable(tmp_path, tiny_options) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        Ct2Summarizer(tiny_options(tmp_path / "missing", backend="ct2", cache_dir=str(tmp_path)))


def test_runs_from_the_cache_without_torch(tiny_models, tiny_options, tmp_path) -> None:
    options = tiny_options(tiny_models.legacy, backend="ct2", cache_dir=str(tmp_path))
    Ct2Summarizer(options).summarize([Article(TEXTS[0])])
    script = (
        "import sys\n"
        "from summarizer.ct2 import Ct2Summarizer\n"
        "from summarizer.types import Article, SummarizerOptions\n"
        f"options = SummarizerOptions(model={str(tiny_models.legacy)!r}, device='cpu', cache_dir={str(tmp_path)!r})\n"
        "summary = Ct2Summarizer(options).summarize([Article('Chip makers reported demand.')])[0]\n"
        "print(summary.backend, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["ct2", "False", "False"]


class TranslatorSpy:
    """Delegates to a CTranslate2 Translator and keeps every result by its source tokens."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator
        self.results: dict[tuple[str, ...], Any] = {}
        self.settings: list[dict[str, Any]] = []

    def translate_batch(self, source: list[list[str]], **kwargs: Any) -> Any:
        results = self.translator.translate_batch(source, **kwargs)
        self.results.update(zip(map(tuple, source), results, strict=True))
        self.settings.append(kwargs)
        return results


def test_float32_greedy_agrees_with_transformers_up_to_near_ties(
    tiny_models, tiny_options, tmp_path
) -> None:
    settings = GenerationSettings(
        max_input_tokens=64, num_beams=1, max_new_tokens=12, no_repeat_ngram_size=0
    )
    options = tiny_options(
        tiny_models.legacy, cache_dir=str(tmp_path), compute_type="float32", batch_size=1
    )
    options.generation = settings
    summarizer = Ct2Summarizer(options)
    engine, _ = summarizer.engine(str(tiny_models.legacy))
    spy = TranslatorSpy(engine.translator)
    engine.translator = spy
    summarizer.summarize([Article(text) for text in TEXTS])
    baseline = Baseline(str(tiny_models.legacy), {"num_beams": 1, "max_new_tokens": 12})
    assert len(spy.results) == len(TEXTS)
    for text in TEXTS:
        result = spy.results[tuple(engine.source_tokens([text])[0])]
        ours = [engine.tokenizer.token_to_id(token) for token in result.hypotheses[0]]
        out = baseline.token_ids(text, output_scores=True, return_dict_in_generate=True)
        theirs = [int(t) for t in out.sequences[0][1:] if int(t) != 1]
        gaps = [float(step[0].topk(2).values.diff().abs()) for step in out.scores]
        mismatch = next(
            (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), None
        )
        if mismatch is None:
            assert len(ours) == len(theirs) or min(gaps) < NEAR_TIE
        else:
            assert min(gaps[: mismatch + 1]) < NEAR_TIE, (text, ours, theirs)


def test_generation_settings_reach_translate_batch(tiny_models, tiny_options, tmp_path) -> None:
    options = tiny_options(tiny_models.legacy, cache_dir=str(tmp_path))
    options.generation = GenerationSettings(
        max_input_tokens=64,
        num_beams=3,
        min_new_tokens=4,
        max_new_tokens=6,
        no_repeat_ngram_size=3,
        length_penalty=0.8,
    )
    summarizer = Ct2Summarizer(options)
    engine, _ = summarizer.engine(str(tiny_models.legacy))
    spy = TranslatorSpy(engine.translator)
    engine.translator = spy
    summarizer.summarize([Article(TEXTS[1])])
    (settings,) = spy.settings
    assert {
        key: settings[key]
        for key in (
            "beam_size",
            "min_decoding_length",
            "max_decoding_length",
            "no_repeat_ngram_size",
            "length_penalty",
            "max_input_length",
        )
    } == {
        "beam_size": 3,
        "min_decoding_length": 4,
        "max_decoding_length": 6,
        "no_repeat_ngram_size": 3,
        "length_penalty": 0.8,
        "max_input_length": 64,
    }
    (result,) = spy.results.values()
    assert 4 <= len(result.hypotheses[0]) <= 6
