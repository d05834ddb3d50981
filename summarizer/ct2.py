"""The `ct2` backend: the same seq2seq models converted once to CTranslate2, int8 on CPU, no torch at run time."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from summarizer.chunking import Seq2SeqEngine
from summarizer.ct2_tokenizer import SPIECE, load_tokenizer_file
from summarizer.hf import TransformersSummarizer, load_tokenizer, new_token_limits
from summarizer.models import (
    RoutedSeq2SeqSummarizer,
    load_once,
    locate_model,
    require_modules,
    routed_models,
    written_languages,
)
from summarizer.text import detect_language
from summarizer.types import GenerationSettings, SummarizerOptions
from summarizer.vocabulary import (
    covered_languages,
    kept_digest,
    kept_pieces,
    scripts_for,
    vmap_lines,
)

logger = logging.getLogger(__name__)

# Written last: a directory without it is not a finished conversion.
MARKER = "khulasa-converted.json"
_TEMP_PREFIX = ".converting-"
VMAP = "vmap.txt"  # the name CTranslate2 looks for beside model.bin
_VOCABULARIES = ("shared_vocabulary.json", "target_vocabulary.json")
_SPECIALS = ("<pad>", "</s>", "<unk>", "<s>")
# trimmed_for of a model whose summary language the routing fixes: trim whatever the input
ALL_LANGUAGES: frozenset[str] = frozenset({"*"})
_REASON_CHARS = 160  # converter errors list every supported architecture; a log line needs less
# What a failed conversion raises: unsupported architecture, unreadable weights, disk full.
CONVERSION_ERRORS = (ValueError, NotImplementedError, KeyError, OSError, RuntimeError)


class ConversionError(RuntimeError):
    """A model could not be converted to CTranslate2; the caller falls back to transformers."""


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/khulasa/ct2, or ~/.cache/khulasa/ct2."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "khulasa" / "ct2"


def resolve_device(device: str) -> str:
    """The CTranslate2 device for "auto" | "cpu" | "cuda": CUDA when a GPU is visible."""
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def compute_type(options: SummarizerOptions, device: str) -> str:
    """The requested compute type, else int8 on CPU and int8_float16 on CUDA."""
    return options.compute_type or ("int8" if device == "cpu" else "int8_float16")


def converted_dir(cache_dir: Path, model: str, revision: str | None, quantization: str) -> Path:
    """Where the conversion of (model, revision, quantization) lives in the cache."""
    identity = (
        str(Path(model).expanduser().resolve()) if Path(model).expanduser().is_dir() else model
    )
    digest = hashlib.sha256(f"{identity}\0{revision}\0{quantization}".encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model.strip("/.~"))[-60:]
    return cache_dir / f"{slug}-{quantization}-{digest}"


def is_converted(directory: Path) -> bool:
    """True for a finished conversion: marker, weights and tokenizer all present."""
    return all((directory / name).is_file() for name in (MARKER, "model.bin", "tokenizer.json"))


def convert(model: str, source: str, revision: str | None, quantization: str, target: Path) -> Path:
    """Convert source into target atomically: build in a temp dir beside it, then rename."""
    from ctranslate2.converters import TransformersConverter

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=target.parent))
    try:
        TransformersConverter(source, revision=revision).convert(
            str(work), quantization=quantization, force=True
        )
        load_tokenizer(source, revision).save_pretrained(str(work))  # the cache needs nothing else
        if (Path(source) / SPIECE).is_file():  # a leaner run-time tokenizer (ct2_tokenizer)
            shutil.copy2(Path(source) / SPIECE, work / SPIECE)
        marker = {"model": model, "revision": revision, "quantization": quantization}
        (work / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        if target.exists():  # an unfinished or corrupted earlier attempt
            shutil.rmtree(target)
        work.rename(target)
    except CONVERSION_ERRORS as error:
        reason = (str(error).splitlines() or [""])[0][:_REASON_CHARS]
        raise ConversionError(f"{type(error).__name__}: {reason}") from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("converted %s to CTranslate2 (%s) in %s", model, quantization, target)
    return target


def _ct2_vocabulary(directory: Path) -> list[str]:
    """The converted model's target vocabulary, id order (what a vocabulary map must name)."""
    for name in _VOCABULARIES:
        if (directory / name).is_file():
            return json.loads((directory / name).read_text(encoding="utf-8"))
    raise OSError(f"no vocabulary file in {directory}")


def trimmed_dir(base: Path, kept: list[str]) -> Path:
    """Where base's conversion with a vocabulary map of kept lives: keyed by model, revision,
    quantization (all in base's name) and the kept set."""
    return base.parent / f"{base.name}-vocab-{kept_digest(kept)}"


def trim(base: Path, scripts: frozenset[str]) -> Path:
    """base's conversion restricted to scripts (plus each batch's input pieces), made once.

    The trimmed directory links to base's weights and adds `vmap.txt`; it is built in a temp
    dir and renamed, like a conversion, so a crash leaves nothing half-written.
    """
    vocabulary = _ct2_vocabulary(base)
    known = load_tokenizer_file(base).get_vocab()
    kept = kept_pieces(vocabulary, known, scripts, _SPECIALS)
    target = trimmed_dir(base, kept)
    if is_converted(target) and (target / VMAP).is_file():
        return target
    work = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=base.parent))
    try:
        for item in base.iterdir():
            if item.name not in (MARKER, VMAP):
                _link(item, work / item.name)
        with (work / VMAP).open("w", encoding="utf-8") as stream:
            stream.writelines(line + "\n" for line in vmap_lines(vocabulary, kept))
        marker = {"base": base.name, "scripts": sorted(scripts), "kept": len(kept)}
        (work / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info(
        "output vocabulary of %s trimmed to %d of %d pieces (%s) in %s",
        base.name,
        len(kept),
        len(vocabulary),
        ", ".join(sorted(scripts)),
        target,
    )
    return target


def _link(source: Path, link: Path) -> None:
    """A symlink to source, or a copy where the filesystem has none."""
    try:
        link.symlink_to(source.resolve())
    except OSError:
        shutil.copy2(source, link)


class Ct2Engine:
    """Token counting with the saved tokenizer, generation with a CTranslate2 Translator."""

    def __init__(
        self,
        translator: Any,
        tokenizer: Any,
        settings: GenerationSettings,
        trimmed_for: frozenset[str] | None = None,
        inter_threads: int = 1,
        max_batch: int = 0,
    ) -> None:
        self.translator = translator
        # a `tokenizers.Tokenizer` or its SentencePiece stand-in: no transformers, so no torch
        self.tokenizer = tokenizer
        self.settings = settings
        # languages the trimmed vocabulary writes; None = the translator has no vocabulary map
        self.trimmed_for = trimmed_for
        self.inter_threads = inter_threads
        self.max_batch = max_batch  # articles decoded together (0: the whole call)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts without the end token."""
        return [
            len(encoding.ids)
            for encoding in self.tokenizer.encode_batch(texts, add_special_tokens=False)
        ]

    def source_tokens(self, texts: list[str]) -> list[list[str]]:
        """Input pieces with the end token, cut to the input window keeping the end token."""
        limit = self.settings.max_input_tokens
        pieces = [encoding.tokens for encoding in self.tokenizer.encode_batch(texts)]
        return [
            tokens if len(tokens) <= limit else tokens[: limit - 1] + tokens[-1:]
            for tokens in pieces
        ]

    def use_vmap(self, texts: list[str]) -> bool:
        """Trim this batch's output when the model has a map and every text is in a kept language."""
        if self.trimmed_for is None:
            return False
        return self.trimmed_for is ALL_LANGUAGES or all(
            detect_language(text) in self.trimmed_for for text in texts
        )

    def generate(self, texts: list[str]) -> list[str]:
        """One batch through `translate_batch` with the transformers backend's settings."""
        minimum, maximum = new_token_limits(self.settings)
        results = self.translator.translate_batch(
            self.source_tokens(texts),
            beam_size=self.settings.num_beams,
            max_input_length=self.settings.max_input_tokens,
            max_decoding_length=maximum,
            min_decoding_length=minimum or 0,
            no_repeat_ngram_size=self.settings.no_repeat_ngram_size,
            length_penalty=self.settings.length_penalty,
            use_vmap=self.use_vmap(texts),
            max_batch_size=self.sub_batch(len(texts)),
        )
        return [self.decode(result.hypotheses[0]) for result in results]

    def sub_batch(self, size: int) -> int:
        """Articles per CTranslate2 sub-batch: max_batch, and a share per worker (0: all)."""
        share = -(-size // self.inter_threads) if self.inter_threads > 1 else size
        return min(share, self.max_batch) if self.max_batch else share

    def decode(self, tokens: list[str]) -> str:
        """Text of output pieces; padding pieces beyond the tokenizer's vocabulary are dropped."""
        ids = [self.tokenizer.token_to_id(token) for token in tokens]
        return self.tokenizer.decode([i for i in ids if i is not None], skip_special_tokens=True)


def load_translator(
    directory: Path, device: str, compute: str, threads: int, inter_threads: int = 1
) -> tuple[Any, Any]:
    """A Translator and its tokenizer from a converted directory (no torch needed).

    On CPU the cores are shared: inter_threads workers of threads // inter_threads each.
    """
    import ctranslate2

    translator = ctranslate2.Translator(
        str(directory),
        device=device,
        compute_type=compute,
        inter_threads=inter_threads,
        intra_threads=max(1, threads // inter_threads) if device == "cpu" else threads,
    )
    return translator, load_tokenizer_file(directory)


class Ct2Summarizer(RoutedSeq2SeqSummarizer):
    """Abstractive summaries through CTranslate2; a model that will not convert runs on transformers."""

    name = "ct2"

    def __init__(self, options: SummarizerOptions) -> None:
        require_modules("fast", "ctranslate2", "tokenizers")
        super().__init__(options)
        self.device = resolve_device(options.device)
        self.compute_type = compute_type(options, self.device)
        self.threads = options.threads or os.cpu_count() or 1
        self.inter = max(1, min(options.inter_threads, self.threads))
        self.cpu_batch = options.ct2_cpu_batch_size
        self.cache_dir = (
            Path(options.cache_dir).expanduser() if options.cache_dir else default_cache_dir()
        )
        self.sources: dict[str, str] = {
            model: locate_model(model, options.revision, options.local_files_only)
            for model in routed_models(options)
            if not is_converted(self.target(model))
        }
        if self.sources:  # conversion runs the model through torch once
            require_modules("hf", "torch", "transformers", "sentencepiece")
        self._engines: dict[str, tuple[Seq2SeqEngine, str]] = {}

    def target(self, model: str) -> Path:
        """The cache directory of this model's conversion."""
        return converted_dir(self.cache_dir, model, self.options.revision, self.compute_type)

    def _converted(self, model: str) -> Path:
        """The model's converted directory, converting it first when the cache lacks it."""
        target = self.target(model)
        if is_converted(target):
            return target
        source = self.sources.get(model) or locate_model(
            model, self.options.revision, self.options.local_files_only
        )
        return convert(model, source, self.options.revision, self.compute_type, target)

    def trimmed_scripts(self, model: str) -> tuple[frozenset[str] | None, bool]:
        """The scripts model's output is trimmed to (None: full vocabulary), and whether always."""
        if self.options.output_vocabulary == "full":
            return None, False
        languages, fixed = written_languages(model, self.options)
        return scripts_for(languages), fixed

    def _trimmed_for(self, model: str, target: Path) -> frozenset[str] | None:
        """The languages the loaded model's vocabulary map serves (see Ct2Engine.use_vmap)."""
        scripts, fixed = self.trimmed_scripts(model)
        if scripts is None or not (target / VMAP).is_file():
            return None
        return ALL_LANGUAGES if fixed else covered_languages(scripts)

    def _prepared(self, model: str, base: Path) -> Path:
        """base, or its trimmed-vocabulary twin when the output vocabulary is trimmed."""
        scripts, _ = self.trimmed_scripts(model)
        return base if scripts is None else trim(base, scripts)

    def _load(self, model: str) -> tuple[Path, Any, Any]:
        """Load the converted model, reconverting once when the cached copy will not load."""
        base = self._converted(model)

        def load(target: Path) -> tuple[Any, Any]:
            key = ("ct2", str(target), self.device, self.compute_type, self.threads, self.inter)
            return load_once(
                key,
                lambda: load_translator(
                    target, self.device, self.compute_type, self.threads, self.inter
                ),
            )

        try:
            target = self._prepared(model, base)
            return target, *load(target)
        except (RuntimeError, ValueError, OSError) as error:
            logger.warning(
                "cached CTranslate2 model %s does not load (%s); converting it again", base, error
            )
            for stale in base.parent.glob(f"{base.name}*"):  # the conversion and its trims
                shutil.rmtree(stale, ignore_errors=True)
            target = self._prepared(model, self._converted(model))
            return target, *load(target)

    def engine(self, model: str) -> tuple[Seq2SeqEngine, str]:
        """The CTranslate2 engine for model, or the transformers one when conversion fails."""
        if model not in self._engines:
            try:
                target, translator, tokenizer = self._load(model)
                engine = Ct2Engine(
                    translator,
                    tokenizer,
                    self.options.generation,
                    trimmed_for=self._trimmed_for(model, target),
                    inter_threads=self.inter,
                    max_batch=self.batch_size() if self.device == "cuda" else self.cpu_batch,
                )
                self._engines[model] = (engine, self.name)
            except ConversionError as error:
                logger.warning(
                    "cannot convert %s to CTranslate2 (%s); summarizing with the transformers backend instead",
                    model,
                    error,
                )
                self._engines[model] = TransformersSummarizer(self.options).engine(model)
        return self._engines[model]
