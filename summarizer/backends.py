"""Picking a backend: explicit names build that backend, `auto` takes the fastest that can run here."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from summarizer.errors import BackendUnavailableError, ModelUnavailableError
from summarizer.models import fetch_hint, routed_models
from summarizer.types import Summarizer, SummarizerOptions

logger = logging.getLogger(__name__)


def _extractive(options: SummarizerOptions) -> Summarizer:
    """The extractive backend, which needs no weights."""
    from summarizer.extractive import ExtractiveSummarizer

    return ExtractiveSummarizer(replace(options, backend="extractive"))


def _transformers(options: SummarizerOptions) -> Summarizer:
    """The transformers backend (the [hf] extra)."""
    from summarizer.hf import TransformersSummarizer

    return TransformersSummarizer(options)


def _ct2(options: SummarizerOptions) -> Summarizer:
    """The CTranslate2 backend (the [fast] extra)."""
    from summarizer.ct2 import Ct2Summarizer

    return Ct2Summarizer(options)


_BUILDERS = {"extractive": _extractive, "transformers": _transformers, "ct2": _ct2}
_AUTO_ORDER = ("ct2", "transformers")
_said: set[str] = set()
_said_lock = threading.Lock()


def _auto(options: SummarizerOptions) -> Summarizer:
    """ct2, else transformers, else extractive with one notice that says why and how to fix it."""
    reasons: list[str] = []
    missing_extras = False
    for name in _AUTO_ORDER:
        try:
            return _BUILDERS[name](replace(options, backend=name))
        except BackendUnavailableError as error:
            reasons.append(error.reason)
            missing_extras = True
        except ModelUnavailableError as error:
            reasons.append(error.reason)
            break  # both backends read the same model; the next cannot find it either
    _say_once(fallback_notice(reasons, routed_models(options), missing_extras))
    return _extractive(options)


def fallback_notice(reasons: list[str], models: list[str], missing_extras: bool) -> str:
    """`auto`'s one line: why no model runs here, and the commands that make one run."""
    steps = ["pip install 'khulasa[hf,fast]'"] if missing_extras else []
    steps += [fetch_hint(models[0])] if models else []
    return (
        f"no summarization model available ({'; '.join(dict.fromkeys(reasons))}); "
        f"using the extractive summarizer. To use the model: {' && '.join(steps)}"
    )


def _say_once(notice: str) -> None:
    """Warn once per process: a bot rebuilding its summarizer on reload need not repeat it."""
    with _said_lock:
        if notice in _said:
            return
        _said.add(notice)
    logger.warning("%s", notice)


def build_summarizer(options: SummarizerOptions) -> Summarizer:
    """The backend options ask for; explicit backends raise when they cannot run, `auto` never does."""
    if options.backend == "auto":
        return _auto(options)
    if options.backend not in _BUILDERS:
        raise ValueError(f"unknown summarizer backend {options.backend!r}")
    return _BUILDERS[options.backend](options)
