"""Finding seq2seq models (local dir, HF cache, hub), routing articles to them, loading each once."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from summarizer.chunking import Seq2SeqEngine, summarize_texts
from summarizer.errors import BackendUnavailableError, InputError, ModelUnavailableError
from summarizer.selection import summarize_selected
from summarizer.text import detect_language
from summarizer.types import Article, SummarizerOptions, Summary
from summarizer.vocabulary import DEFAULT_LANGUAGES

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "*"
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
HUB_TIMEOUT_S = 3.0  # a reachability probe, not a download: fail fast when offline
_TRUE = {"1", "true", "yes", "on"}
_NO_SUCH_MODEL = {401, 404}  # the hub answers 401 for repositories it will not name to strangers

T = TypeVar("T")
_loaded: dict[Hashable, object] = {}
_loaded_lock = threading.Lock()


def fetch_hint(model: str) -> str:
    """How a reader gets a model onto this machine for offline use and points Khulasa at it."""
    if _looks_like_path(model) or Path(model).expanduser().exists():
        return (
            f"put a seq2seq checkpoint (config.json and weights) in {model}, "
            "or set summarizer.model (or --model) to a hub id"
        )
    folder = f"models/{model.rsplit('/', 1)[-1]}"
    return (
        f"huggingface-cli download {model} --local-dir {folder}, "
        f"then set summarizer.model (or --model) to {folder}"
    )


def require_modules(extra: str, *modules: str) -> None:
    """Raise BackendUnavailableError when an optional extra is not installed."""
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed"
        raise BackendUnavailableError(
            f"{reason}; install it with: pip install 'khulasa[{extra}]'", reason=reason
        )


def hub_offline(local_files_only: bool = False) -> bool:
    """True when downloads are off by option or by HF_HUB_OFFLINE."""
    return local_files_only or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def has_weights(directory: Path) -> bool:
    """True when a directory holds transformers weights and a config."""
    return (directory / "config.json").is_file() and any(
        (directory / name).is_file() for name in WEIGHT_FILES
    )


def _looks_like_path(model: str) -> bool:
    """A hub id is `name` or `owner/name`; anything else, or `dir/name` under an existing dir, is a path."""
    return (
        model.startswith((".", "/", "~"))
        or model.count("/") > 1
        or "\\" in model
        or ("/" in model and Path(model).expanduser().parent.is_dir())
    )


def _cached_snapshot(model: str, revision: str | None) -> Path | None:
    """The HF cache's snapshot folder of a hub model when its weights are there, without network."""
    from huggingface_hub import try_to_load_from_cache

    for name in WEIGHT_FILES:
        found = try_to_load_from_cache(model, name, revision=revision)
        if isinstance(found, str):
            snapshot = Path(found).parent
            return snapshot if has_weights(snapshot) else None
    return None


def _hub_reachable(model: str, revision: str | None) -> str | None:
    """None when the hub serves the model's config, else why not (one short HEAD, no retries)."""
    import httpx
    from huggingface_hub import hf_hub_url
    from huggingface_hub.utils import build_hf_headers

    url = hf_hub_url(model, "config.json", revision=revision)
    try:
        response = httpx.head(
            url, headers=build_hf_headers(), timeout=HUB_TIMEOUT_S, follow_redirects=True
        )
    except httpx.HTTPError as error:
        logger.debug("hub probe for %s failed: %s: %s", model, type(error).__name__, error)
        return f"the hub is unreachable ({type(error).__name__})"
    if response.is_success:
        return None
    if response.status_code in _NO_SUCH_MODEL:
        return f"the hub has no public model by that name (HTTP {response.status_code})"
    return f"the hub answered HTTP {response.status_code}"


def _not_local(model: str, problem: str) -> ModelUnavailableError:
    """A hub model missing from the cache that cannot be fetched now, with how to fetch it."""
    reason = f"{model}: not in the local Hugging Face cache and {problem}"
    return ModelUnavailableError(
        f"model {reason}; fetch it with: {fetch_hint(model)}", reason=reason
    )


def locate_model(model: str, revision: str | None = None, local_files_only: bool = False) -> str:
    """A local directory with the model's weights, or the hub id when it can be downloaded."""
    require_modules("hf", "huggingface_hub")
    directory = Path(model).expanduser()
    if directory.is_dir():
        if has_weights(directory):
            return str(directory)
        raise ModelUnavailableError(f"model directory {model} holds no config.json and weights")
    if _looks_like_path(model):
        raise ModelUnavailableError(f"model directory {model} does not exist")
    try:
        snapshot = _cached_snapshot(model, revision)
    except ValueError as error:  # not a valid hub id either
        raise ModelUnavailableError(
            f"model {model} is neither a directory nor a hub id ({error})"
        ) from None
    if snapshot is not None:
        return str(snapshot)
    if hub_offline(local_files_only):
        raise _not_local(model, "downloads are off (HF_HUB_OFFLINE or local_files_only)")
    problem = _hub_reachable(model, revision)
    if problem:
        raise _not_local(model, problem)
    return model


def load_once(key: Hashable, load: Callable[[], T]) -> T:
    """The process-wide instance for key, loading it on first use (models are big)."""
    with _loaded_lock:
        if key not in _loaded:
            _loaded[key] = load()
        return _loaded[key]  # type: ignore[return-value]


def routed_models(options: SummarizerOptions) -> list[str]:
    """Every model the routing can pick, the default model only when no "*" route replaces it."""
    models = list(dict.fromkeys(options.language_models.values()))
    if FALLBACK_LANGUAGE not in options.language_models and options.model not in models:
        models.append(options.model)
    return models


def route(language: str, options: SummarizerOptions) -> tuple[str, str]:
    """(model, language the summary is written in) for an article in language.

    `output_languages` is looked up by model id first, then by the routing key (the language
    or "*"); without an entry the summary is in the article's language.
    """
    key = language if language in options.language_models else FALLBACK_LANGUAGE
    model = options.language_models.get(key, options.model)
    written = options.output_languages.get(model) or options.output_languages.get(key) or language
    return model, written


def written_languages(model: str, options: SummarizerOptions) -> tuple[list[str], bool]:
    """The languages model's summaries are written in, and whether the routing fixes them.

    False when the model is the fallback with no `output_languages` entry: it then writes in
    each article's language, assumed to be one of the project's (Arabic, English).
    """
    if model in options.output_languages:
        return [options.output_languages[model]], True
    keys = [key for key, routed in options.language_models.items() if routed == model]
    if model == options.model and FALLBACK_LANGUAGE not in options.language_models:
        keys.append(FALLBACK_LANGUAGE)
    languages: list[str] = []
    fixed = True
    for key in keys:
        if key in options.output_languages:
            languages.append(options.output_languages[key])
        elif key == FALLBACK_LANGUAGE:
            languages.extend(DEFAULT_LANGUAGES)
            fixed = False
        else:
            languages.append(key)
    return list(dict.fromkeys(languages)), fixed


class RoutedSeq2SeqSummarizer(ABC):
    """A seq2seq backend: routes articles to models by language; long ones selected or chunked."""

    name: str
    device: str = "cpu"

    def __init__(self, options: SummarizerOptions) -> None:
        self.options = options

    def batch_size(self) -> int:
        """Articles per model call: `cuda_batch_size` on a GPU, else `batch_size`."""
        return self.options.cuda_batch_size if self.device == "cuda" else self.options.batch_size

    @abstractmethod
    def engine(self, model: str) -> tuple[Seq2SeqEngine, str]:
        """The loaded engine for model and the backend name that actually runs it."""

    def load(self) -> None:
        """Loads (converting first where needed) the engine of every model the options route to."""
        for model in routed_models(self.options):
            self.engine(model)

    def summarize(self, articles: list[Article]) -> list[Summary]:
        """One summary per article, same order; articles sharing a model are batched together."""
        groups: dict[str, list[int]] = {}
        written: list[str] = []
        for position, article in enumerate(articles):
            if not article.text.strip():
                raise InputError(f"article {article.id or position} has no text to summarize")
            model, language = route(article.language or detect_language(article.text), self.options)
            groups.setdefault(model, []).append(position)
            written.append(language)
        summaries: list[Summary | None] = [None] * len(articles)
        window = self.options.generation.max_input_tokens
        for model, positions in groups.items():
            engine, backend = self.engine(model)
            inputs = [self._bounded(articles[p], p) for p in positions]
            if self.options.long_input == "chunks":
                texts = summarize_texts(inputs, engine, window, self.batch_size())
            else:
                titles = [articles[p].title for p in positions]
                texts = summarize_selected(inputs, titles, engine, window, self.batch_size())
            for position, text in zip(positions, texts, strict=True):
                summaries[position] = Summary(text, backend, model, written[position])
        return [summary for summary in summaries if summary is not None]

    def _bounded(self, article: Article, position: int) -> str:
        """The article's text, cut at a word boundary to max_input_chars with a warning."""
        limit = self.options.max_input_chars
        if limit is None or len(article.text) <= limit:
            return article.text
        logger.warning(
            "article %s is %d characters; summarizing its first %d (max_input_chars)",
            article.id or position,
            len(article.text),
            limit,
        )
        head = article.text[:limit]
        return head if article.text[limit].isspace() else head.rsplit(maxsplit=1)[0]
