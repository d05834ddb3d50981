"""Picking a backend: explicit names build that backend, `auto` takes the fastest that can run here."""

from __future__ import annotations

import logging
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


def _auto(options: SummarizerOptions) -> Summarizer:
    """ct2, else transformers, else extractive with one warning that says why and how to fix it."""
    reasons: list[str] = []
    for name in _AUTO_ORDER:
        try:
            return _BUILDERS[name](replace(options, backend=name))
        except BackendUnavailableError as error:
            reasons.append(f"{name}: {error}")
        except ModelUnavailableError as error:
            reasons.append(str(error))
            break  # both backends read the same model; the next cannot find it either
    models = routed_models(options)
    logger.warning(
        "summarizing extractively: no abstractive model is usable (%s); to enable one: "
        "pip install 'khulasa[hf,fast]' and %s",
        "; ".join(reasons),
        fetch_hint(models[0]) if models else "set summarizer.model",
    )
    return _extractive(options)


def build_summarizer(options: SummarizerOptions) -> Summarizer:
    """The backend options ask for; explicit backends raise when they cannot run, `auto` never does."""
    if options.backend == "auto":
        return _auto(options)
    if options.backend not in _BUILDERS:
        raise ValueError(f"unknown summarizer backend {options.backend!r}")
    return _BUILDERS[options.backend](options)
