"""build_summarizer: explicit backends, and `auto`'s choice and its one-line fallback."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from huggingface_hub import constants as hf_constants

from summarizer import backends
from summarizer.backends import build_summarizer
from summarizer.errors import ModelUnavailableError
from summarizer.extractive import ExtractiveSummarizer
from summarizer.types import Article, SummarizerOptions

ARTICLE = Article(
    "أعلنت الشركة اليوم عن هاتف جديد. ويأتي الهاتف بمعالج أسرع. وتبدأ المبيعات الشهر المقبل.",
    title="هاتف جديد",
)
MISSING_HUB_MODEL = "khulasa-tests/model-that-is-not-cached"


@pytest.fixture(autouse=True)
def fresh_notices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts in a process that has said no fallback notice yet."""
    monkeypatch.setattr(backends, "_said", set())


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
    assert warning.startswith("no summarization model available (")
    assert f"{MISSING_HUB_MODEL}: not in the local Hugging Face cache" in warning
    assert "using the extractive summarizer" in warning
    assert warning.count(f"huggingface-cli download {MISSING_HUB_MODEL}") == 1  # said once
    assert "pip install" not in warning  # the extras are installed here
    assert summarizer.summarize([ARTICLE])[0].text


def test_auto_says_its_notice_once_per_process(monkeypatch, caplog, tmp_path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    options = SummarizerOptions(model=MISSING_HUB_MODEL, cache_dir=str(tmp_path))
    with caplog.at_level(logging.WARNING):
        first, second = build_summarizer(options), build_summarizer(options)
    assert first.name == second.name == "extractive"
    assert len(warnings_from(caplog, "summarizer.backends")) == 1


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
    assert "ctranslate2" in warning and "torch" in warning and "not installed" in warning
    assert "To use the model: pip install 'khulasa[hf,fast]' && " in warning
    assert "\n" not in warning


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


def test_local_files_only_never_asks_the_hub(fake_hub, tmp_path, caplog) -> None:
    fake_hub.status = 200  # the hub would serve it: only the option keeps us off it
    options = SummarizerOptions(model=MISSING_HUB_MODEL, local_files_only=True)
    with caplog.at_level(logging.WARNING):
        assert build_summarizer(options).name == "extractive"
    (warning,) = warnings_from(caplog, "summarizer.backends")
    assert "downloads are off (HF_HUB_OFFLINE or local_files_only)" in warning


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


class _HubAnswering(BaseHTTPRequestHandler):
    """A stand-in hub that answers every probe with one status code."""

    status = 401

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads the summarizer's messages, not the server's."""


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_HubAnswering]]:
    """The hub's URL template pointed at a server on 127.0.0.1; set `.status` to choose its answer."""
    handler = type("Hub", (_HubAnswering,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    template = (
        f"http://127.0.0.1:{server.server_port}/{{repo_id}}/resolve/{{revision}}/{{filename}}"
    )
    monkeypatch.setattr(hf_constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    yield handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [401, 404])
def test_a_hub_id_the_hub_does_not_know_is_one_clear_line(fake_hub, status, tmp_path) -> None:
    fake_hub.status = status
    options = SummarizerOptions(
        backend="transformers", model=MISSING_HUB_MODEL, cache_dir=str(tmp_path)
    )
    with pytest.raises(ModelUnavailableError) as raised:
        build_summarizer(options)
    message = str(raised.value)
    assert f"the hub has no public model by that name (HTTP {status})" in message
    assert "\n" not in message


def test_an_unreachable_hub_makes_auto_fall_back_quickly(monkeypatch, caplog) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused at once
    port = closed.getsockname()[1]
    template = f"http://127.0.0.1:{port}/{{repo_id}}/resolve/{{revision}}/{{filename}}"
    monkeypatch.setattr(hf_constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    started = time.monotonic()
    with closed, caplog.at_level(logging.WARNING):
        summarizer = build_summarizer(SummarizerOptions(model=MISSING_HUB_MODEL))
    assert time.monotonic() - started < 5
    assert summarizer.name == "extractive"
    (warning,) = warnings_from(caplog, "summarizer.backends")
    assert (
        "not in the local Hugging Face cache and the hub is unreachable (ConnectError)" in warning
    )


def test_dir_slash_name_under_an_existing_directory_is_a_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    options = SummarizerOptions(backend="transformers", model="models/mT5_multilingual_XLSum")
    with pytest.raises(
        ModelUnavailableError, match="directory models/mT5_multilingual_XLSum does not exist"
    ):
        build_summarizer(options)
