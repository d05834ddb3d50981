"""build_summarizer: explicit backends, and `auto`'s choice and its one-line fallback."""

from __future__ import annotations

import logging
import sys
import time

import pytest

from summarizer.backends import build_summarizer
from summarizer.errors import ModelUnavailableError
from summarizer.extractive import ExtractiveSummarizer
from summarizer.types import Article, SummarizerOptions

ARTICLE = Article(
    "أعلنت الشركة اليوم عن هاتف جديد. ويأتي الهاتف بمعالج أسرع. وتبدأ المبيعات الشهر المقبل.",
    title="هاتف جديد",
)
MISSING_HUB_MODEL = "khulasa-tests/model-that-is-not-cached"


def warnings_from(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    """WARNING messages one logger emitted."""
    return [
        r.getMessage() for r in caplog.records if r.name == logger and r.levelno == logging.WARNING
    ]


def test_auto_offline_without_the_model_falls_back_to_extractive_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        summarizer = build_summarizer(
            SummarizerOptions(model=MISSING_HUB_MODEL, cache_dir=str(tmp_path))
        )
    assert time.monotonic() - started < 5  # no network retries
    assert isinstance(summarizer, ExtractiveSummarizer)
    (warning,) = warnings_from(caplog, "summarizer.backends")
    assert "\n" not in warning
    assert f"huggingface-cli download {MISSING_HUB_MODEL}" in warning
    assert "pip install" in warning
    assert summarizer.summarize([ARTICLE])[0].text


def test_auto_prefers_ct2_for_a_local_model(tiny_models, tiny_options, tmp_path) -> None:
    summarizer = build_summarizer(tiny_options(tiny_models.modern, cache_dir=str(tmp_path)))
    assert summarizer.name == "ct2"


def test_auto_without_ctranslate2_uses_transformers(
    tiny_models, tiny_options, monkeypatch, caplog
) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # as if the [fast] extra were absent
    with caplog.at_level(logging.WARNING):
        summarizer = build_summarizer(tiny_options(tiny_models.modern))
    assert summarizer.name == "transformers"
    assert warnings_from(caplog, "summarizer.backends") == []


def test_auto_without_any_extra_says_how_to_install(monkeypatch, caplog, tiny_models) -> None:
    for module in ("ctranslate2", "torch"):
        monkeypatch.setitem(sys.modules, module, None)
    with caplog.at_level(logging.WARNING):
        summarizer = build_summarizer(SummarizerOptions(model=str(tiny_models.modern)))
    assert summarizer.name == "extractive"
    (warning,) = warnings_from(caplog, "summarizer.backends")
    assert "pip install 'khulasa[" in warning


@pytest.mark.parametrize("backend", ["transformers", "ct2"])
def test_explicit_backend_with_a_missing_directory_raises_one_line(backend, tmp_path) -> None:
    options = SummarizerOptions(
        backend=backend, model=str(tmp_path / "nowhere"), cache_dir=str(tmp_path)
    )
    with pytest.raises(ModelUnavailableError) as raised:
        build_summarizer(options)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("backend", ["transformers", "ct2"])
def test_explicit_backend_offline_with_an_uncached_hub_id_raises(
    backend, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    options = SummarizerOptions(backend=backend, model=MISSING_HUB_MODEL, cache_dir=str(tmp_path))
    with pytest.raises(ModelUnavailableError, match="huggingface-cli download"):
        build_summarizer(options)


def test_a_directory_without_weights_is_unavailable(tmp_path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelUnavailableError, match="weights"):
        build_summarizer(SummarizerOptions(backend="transformers", model=str(tmp_path)))


def test_explicit_extractive_needs_no_model() -> None:
    summarizer = build_summarizer(SummarizerOptions(backend="extractive", model="/does/not/exist"))
    assert summarizer.summarize([ARTICLE])[0].backend == "extractive"


def test_unknown_backend_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown summarizer backend"):
        build_summarizer(SummarizerOptions(backend="gpt"))  # type: ignore[arg-type]
