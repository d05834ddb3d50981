"""The ct2 backend's trimmed output vocabulary, its cache, and its thread and GPU settings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from tokenizers import Tokenizer

from benchmarks.random_model import (
    TINY_SHAPE,
    mt5_config,
    piece_count,
    save_random_mt5,
    train_spiece,
)
from benchmarks.tokenizer import padded, with_words
from summarizer import ct2
from summarizer.ct2 import MARKER, VMAP, Ct2Summarizer, converted_dir, trimmed_dir
from summarizer.models import written_languages
from summarizer.types import Article, GenerationSettings, SummarizerOptions
from summarizer.vocabulary import covered_languages, piece_is_kept, scripts_for

RUSSIAN = "Москва объявила о новом спутнике связи.\n" * 3
ARABIC = "أعلنت الشركة عن نموذج جديد للذكاء الاصطناعي."
TEXTS = [ARABIC, "Chip makers reported strong demand for servers this quarter."]
COPIED = "▁Москва"


@pytest.fixture(scope="module")
def mixed_spiece(seed_text: str) -> bytes:
    """Arabic, English and Russian pieces, padded with pieces of other scripts."""
    lines = [*seed_text.splitlines(), *TEXTS, *RUSSIAN.splitlines()]
    spiece = with_words(train_spiece(lines, 700), lines, 40)
    return padded(spiece, piece_count(spiece) + 300)


def save_model(directory: Path, spiece: bytes, head: Any) -> Path:
    """A tiny random mT5 whose weights head(vocabulary, model) rewrites."""
    save_random_mt5(directory, spiece, mt5_config(piece_count(spiece), **TINY_SHAPE), "modern")
    from transformers import MT5ForConditionalGeneration

    model = MT5ForConditionalGeneration.from_pretrained(directory)
    pieces = Tokenizer.from_file(str(directory / "tokenizer.json")).get_vocab()
    with torch.no_grad():
        head(pieces, model)
    model.save_pretrained(directory)
    return directory


def dropped_ids(pieces: dict[str, int]) -> list[int]:
    """Ids of the pieces an Arabic/English summary may not use unless its input holds them."""
    scripts = scripts_for(["ar", "en"])
    return [i for piece, i in pieces.items() if not piece_is_kept(piece, scripts)]


class Spy:
    """Records every translate_batch call's keyword arguments and output pieces."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator
        self.calls: list[dict[str, Any]] = []

    def translate_batch(self, source: list[list[str]], **kwargs: Any) -> Any:
        results = self.translator.translate_batch(source, **kwargs)
        outputs = [result.hypotheses[0] for result in results]
        self.calls.append({**kwargs, "source": source, "outputs": outputs})
        return results


def run(model: Path, cache: Path, texts: list[str], **changes: Any) -> tuple[list[str], Spy]:
    """Summaries of texts through ct2 in float32, with the spy's record."""
    generation = changes.pop("generation")
    options = SummarizerOptions(
        model=str(model),
        backend="ct2",
        device="cpu",
        compute_type="float32",
        cache_dir=str(cache),
        generation=generation,
        **changes,
    )
    summarizer = Ct2Summarizer(options)
    engine, _ = summarizer.engine(str(model))
    spy = Spy(engine.translator)
    engine.translator = spy
    return [s.text for s in summarizer.summarize([Article(t) for t in texts])], spy


@pytest.mark.parametrize("beams", [1, 3])
def test_trimmed_generation_equals_full_when_the_full_output_used_kept_pieces(
    mixed_spiece, tmp_path, beams
) -> None:
    def silence_dropped(pieces: dict[str, int], model: Any) -> None:
        model.lm_head.weight[dropped_ids(pieces)] = 0.0  # a trained model gives them ~no mass

    model = save_model(tmp_path / "model", mixed_spiece, silence_dropped)
    settings = GenerationSettings(max_input_tokens=64, num_beams=beams, max_new_tokens=10)
    full, full_spy = run(
        model, tmp_path / "cache", TEXTS, generation=settings, output_vocabulary="full"
    )
    trimmed, trimmed_spy = run(model, tmp_path / "cache", TEXTS, generation=settings)
    assert [call["use_vmap"] for call in full_spy.calls] == [False]
    assert [call["use_vmap"] for call in trimmed_spy.calls] == [True]
    kept = scripts_for(["ar", "en"])
    for output, source in zip(
        full_spy.calls[0]["outputs"], full_spy.calls[0]["source"], strict=True
    ):
        assert all(piece_is_kept(p, kept) or p in source for p in output)  # the condition
    assert trimmed == full
    assert trimmed_spy.calls[0]["outputs"] == full_spy.calls[0]["outputs"]


def test_a_copied_input_piece_of_another_script_still_comes_out(mixed_spiece, tmp_path) -> None:
    def favour_the_name(pieces: dict[str, int], model: Any) -> None:
        # One feature (dimension 1) is large in every embedding, so it dominates the decoder's
        # state, and the decoder's output keeps only it: each piece's logit is then its own
        # value of that feature (mT5's head shares the embedding matrix in transformers 5).
        norm = model.decoder.final_layer_norm.weight
        norm.zero_()
        norm[1] = 1.0
        generator = torch.Generator().manual_seed(0)
        feature = 50.0 - torch.rand(len(pieces), generator=generator)
        feature[pieces[COPIED]] = 51.0  # the name wins every step, unless it is not a candidate
        for matrix in (model.shared, model.encoder.embed_tokens, model.decoder.embed_tokens):
            matrix.weight[: len(pieces), 1] = feature
        model.lm_head.weight[: len(pieces), 1] = feature

    model = save_model(tmp_path / "model", mixed_spiece, favour_the_name)
    settings = GenerationSettings(
        max_input_tokens=64, num_beams=1, min_new_tokens=8, max_new_tokens=8, no_repeat_ngram_size=0
    )
    quoting = f"{ARABIC} وقالت Москва إنها ستشارك."
    texts = [quoting, ARABIC]
    full, full_spy = run(
        model,
        tmp_path / "cache",
        texts,
        generation=settings,
        output_vocabulary="full",
        batch_size=1,
    )
    trimmed, trimmed_spy = run(model, tmp_path / "cache", texts, generation=settings, batch_size=1)
    outputs = {tuple(c["source"][0]): c["outputs"][0] for c in full_spy.calls}
    restricted = {tuple(c["source"][0]): c["outputs"][0] for c in trimmed_spy.calls}
    assert all(COPIED in output for output in outputs.values())  # unrestricted: the name, always
    assert [COPIED in source for source in restricted] == [True, False]
    quoted, plain = restricted
    assert restricted[quoted] == outputs[quoted]  # in the input: it survives the trim
    assert COPIED not in restricted[plain]  # not in the input: the trim holds it back
    assert "Москва" in trimmed[0] and "Москва" not in trimmed[1]


def test_the_trim_cache_is_keyed_by_model_revision_and_kept_set(tmp_path) -> None:
    base = converted_dir(tmp_path, "org/model", "v1", "int8")
    arabic, russian = ["<pad>", "▁أبل"], ["<pad>", "▁Москва"]
    assert trimmed_dir(base, arabic) == trimmed_dir(base, list(arabic))
    assert trimmed_dir(base, arabic) != trimmed_dir(base, russian)
    others = [
        converted_dir(tmp_path, "org/other", "v1", "int8"),
        converted_dir(tmp_path, "org/model", "v2", "int8"),
    ]
    names = {trimmed_dir(b, arabic).name for b in [base, *others]}
    assert len(names) == 3


def test_each_output_language_gets_its_own_trim_and_a_second_load_rebuilds_none(
    tiny_models, tiny_options, tmp_path, monkeypatch
) -> None:
    model = str(tiny_models.modern)

    def trims(language: str) -> Path:
        options = tiny_options(model, backend="ct2", cache_dir=str(tmp_path))
        options.output_languages = {model: language}
        Ct2Summarizer(options).summarize([Article(ARABIC)])
        wanted = sorted(scripts_for([language]) or ())
        markers = tmp_path.glob(f"*-vocab-*/{MARKER}")
        (marker,) = [m for m in markers if json.loads(m.read_text())["scripts"] == wanted]
        return marker

    built: list[Any] = []
    real = ct2.vmap_lines
    monkeypatch.setattr(ct2, "vmap_lines", lambda *a: built.append(a) or real(*a))
    arabic, russian = trims("ar"), trims("ru")
    assert arabic != russian and len(built) == 2
    assert (tmp_path / arabic.parent.name / VMAP).is_file()
    trims("ar")
    assert len(built) == 2  # cached: nothing written again


def test_the_kept_scripts_follow_the_routed_output_language() -> None:
    options = SummarizerOptions(
        model="xlsum",
        language_models={"ar": "xlsum", "*": "crosssum"},
        output_languages={"crosssum": "ar"},
    )
    assert written_languages("crosssum", options) == (["ar"], True)
    assert written_languages("xlsum", options) == (["ar"], True)
    fallback = SummarizerOptions(model="xlsum")
    assert written_languages("xlsum", fallback) == (["ar", "en"], False)
    assert scripts_for(["ar", "en"]) == {"arabic", "latin"}
    assert scripts_for(["sw"]) is None  # unknown: the full vocabulary
    assert {"ar", "en", "und"} <= covered_languages(scripts_for(["ar", "en"]))
    assert "ru" not in covered_languages(scripts_for(["ar", "en"]))


@pytest.mark.parametrize(
    ("piece", "kept"),
    [
        ("▁أبل", True),
        ("▁Apple", True),
        ("٢٠٢٤", True),
        ("▁«", True),
        ("،", True),
        ("—", True),
        ("▁café", False),
        ("▁Москва", False),
        ("日本", False),
    ],
)
def test_arabic_summaries_keep_arabic_latin_digit_and_punctuation_pieces(piece, kept) -> None:
    assert piece_is_kept(piece, scripts_for(["ar"])) is kept


def test_a_batch_in_a_language_the_trim_cannot_write_uses_the_full_vocabulary(
    tiny_models, tiny_options, tmp_path
) -> None:
    options = tiny_options(tiny_models.legacy, backend="ct2", cache_dir=str(tmp_path), batch_size=1)
    summarizer = Ct2Summarizer(options)
    engine, _ = summarizer.engine(str(tiny_models.legacy))
    spy = Spy(engine.translator)
    engine.translator = spy
    summarizer.summarize([Article(ARABIC), Article("Москва объявила о новом спутнике.")])
    assert sorted(call["use_vmap"] for call in spy.calls) == [False, True]


class FakeTranslator:
    """Stands in for ctranslate2.Translator: keeps its settings, loads nothing."""

    made: list[dict[str, Any]] = []

    def __init__(self, path: str, **kwargs: Any) -> None:
        FakeTranslator.made.append({"path": path, **kwargs})


def test_cuda_uses_int8_float16_and_the_wide_batch(tiny_models, tmp_path, monkeypatch) -> None:
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "Translator", FakeTranslator)
    shutil.copy(tiny_models.modern / "tokenizer.json", tmp_path / "tokenizer.json")
    options = SummarizerOptions(device="cuda", threads=4)
    assert ct2.compute_type(options, "cuda") == "int8_float16"
    assert ct2.compute_type(SummarizerOptions(compute_type="bfloat16"), "cuda") == "bfloat16"
    assert ct2.compute_type(options, "cpu") == "int8"
    summarizer = Ct2Summarizer.__new__(Ct2Summarizer)  # no model lookup: settings only
    summarizer.options, summarizer.device = options, "cuda"
    assert summarizer.batch_size() == 32
    summarizer.device = "cpu"
    assert summarizer.batch_size() == 8
    FakeTranslator.made.clear()
    ct2.load_translator(tmp_path, "cuda", "int8_float16", 4)
    ct2.load_translator(tmp_path, "cpu", "int8", 4, inter_threads=2)
    gpu, cpu = FakeTranslator.made
    assert (gpu["device"], gpu["compute_type"]) == ("cuda", "int8_float16")
    assert (cpu["inter_threads"], cpu["intra_threads"]) == (2, 2)


def test_inter_threads_split_the_cores_and_the_batch(tiny_models, tiny_options, tmp_path) -> None:
    import ctranslate2

    options = tiny_options(
        tiny_models.legacy, backend="ct2", cache_dir=str(tmp_path), threads=2, inter_threads=2
    )
    summarizer = Ct2Summarizer(options)
    engine, _ = summarizer.engine(str(tiny_models.legacy))
    assert isinstance(engine.translator, ctranslate2.Translator)
    assert engine.translator.num_translators == 2
    spy = Spy(engine.translator)
    engine.translator = spy
    summarizer.summarize([Article(text) for text in [*TEXTS, ARABIC + " " + ARABIC]])
    assert [call["max_batch_size"] for call in spy.calls] == [2]
