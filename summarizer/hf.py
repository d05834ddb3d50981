"""The `transformers` backend: any seq2seq checkpoint (mT5 XL-Sum by default) via AutoModelForSeq2SeqLM."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

from summarizer.models import (
    RoutedSeq2SeqSummarizer,
    load_once,
    locate_model,
    require_modules,
    routed_models,
)
from summarizer.types import GenerationSettings, SummarizerOptions

logger = logging.getLogger(__name__)


def resolve_device(device: str) -> str:
    """The torch device for "auto" | "cpu" | "cuda": CUDA when present, else CPU."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def new_token_limits(settings: GenerationSettings) -> tuple[int | None, int]:
    """(min, max) new tokens: explicit values win, else XL-Sum's max_length less the start token."""
    maximum = (
        settings.max_new_tokens if settings.max_new_tokens is not None else settings.max_length - 1
    )
    return settings.min_new_tokens, maximum


def generate_kwargs(settings: GenerationSettings) -> dict[str, Any]:
    """Keyword arguments for `generate`, XL-Sum's settings unless overridden."""
    minimum, maximum = new_token_limits(settings)
    kwargs: dict[str, Any] = {
        "num_beams": settings.num_beams,
        "max_new_tokens": maximum,
        "no_repeat_ngram_size": settings.no_repeat_ngram_size,
    }
    if settings.num_beams > 1:  # greedy search has no length penalty; transformers warns
        kwargs["length_penalty"] = settings.length_penalty
    if minimum is not None:
        kwargs["min_new_tokens"] = minimum
    return kwargs


def load_tokenizer(source: str, revision: str | None = None, local_files_only: bool = False) -> Any:
    """The model's tokenizer (tokenizer.json, or spiece.model converted on load)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(
        source, revision=revision, local_files_only=local_files_only
    )


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A tokenizer and a ready seq2seq model on its device."""

    tokenizer: Any
    model: Any
    device: str


def load_model(source: str, options: SummarizerOptions, device: str) -> LoadedModel:
    """Load tokenizer and weights from a directory or hub id; int8-quantize Linear layers on request."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    tokenizer = load_tokenizer(source, options.revision, options.local_files_only)
    model = AutoModelForSeq2SeqLM.from_pretrained(
        source, revision=options.revision, local_files_only=options.local_files_only
    )
    model.eval()
    if options.quantize and device == "cpu":
        with (
            warnings.catch_warnings()
        ):  # torch.ao.quantization is deprecated yet still the fastest here
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            model = torch.ao.quantization.quantize_dynamic(
                model,
                {torch.nn.Linear},
                dtype=torch.qint8,
                inplace=True,  # one copy in memory
            )
    elif options.quantize:
        logger.warning(
            "int8 dynamic quantization runs on CPU only; keeping %s in full precision", device
        )
    logger.info(
        "loaded %s on %s (quantized: %s)", source, device, options.quantize and device == "cpu"
    )
    return LoadedModel(tokenizer, model.to(device), device)


class TransformersEngine:
    """Token counting and batched generation for one loaded model."""

    def __init__(self, loaded: LoadedModel, settings: GenerationSettings) -> None:
        self.loaded = loaded
        self.settings = settings

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts without the end token."""
        if not texts:
            return []
        encoded = self.loaded.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def generate(self, texts: list[str]) -> list[str]:
        """One padded batch through `generate` under inference mode."""
        import torch

        tokenizer = self.loaded.tokenizer
        inputs = tokenizer(
            texts,
            return_tensors="pt",
            padding=True,
            truncation=True,  # a safety net only: the chunker keeps inputs within the window
            max_length=self.settings.max_input_tokens,
        ).to(self.loaded.device)
        with torch.inference_mode():
            output = self.loaded.model.generate(**inputs, **generate_kwargs(self.settings))
        return tokenizer.batch_decode(
            output, skip_special_tokens=True, clean_up_tokenization_spaces=False
        )


class TransformersSummarizer(RoutedSeq2SeqSummarizer):
    """Abstractive summaries from a transformers seq2seq model; models load once per process."""

    name = "transformers"

    def __init__(self, options: SummarizerOptions) -> None:
        require_modules("hf", "torch", "transformers", "sentencepiece")
        super().__init__(options)
        self.device = resolve_device(options.device)
        self.sources = {
            model: locate_model(model, options.revision, options.local_files_only)
            for model in routed_models(options)
        }
        if options.threads:
            import torch

            torch.set_num_threads(options.threads)

    def engine(self, model: str) -> tuple[TransformersEngine, str]:
        """The shared loaded model for model, on this summarizer's device."""
        source = self.sources.get(model) or locate_model(
            model, self.options.revision, self.options.local_files_only
        )
        key = ("transformers", source, self.options.revision, self.device, self.options.quantize)
        loaded = load_once(key, lambda: load_model(source, self.options, self.device))
        return TransformersEngine(loaded, self.options.generation), self.name
