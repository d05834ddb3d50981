"""Plain data passed in and out of the summarizer library; nothing here knows of bots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

BackendName = Literal["auto", "extractive", "transformers", "ct2"]
# select: rank an over-long article's sentences, summarize the best that fit in one model call;
# chunks: summarize every window-sized chunk, then the joined chunk summaries (ADR 010)
LongInput = Literal["select", "chunks"]
# trimmed: the ct2 decoder may emit only the output language's scripts plus the input's own
# pieces; full: any piece of the vocabulary (ADR 011)
OutputVocabulary = Literal["trimmed", "full"]


@dataclass(frozen=True, slots=True)
class Article:
    """What a backend needs: the text, plus the title and language when known."""

    text: str
    title: str | None = None
    language: str | None = None  # ISO 639-1; detected from the script when None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary and its provenance, so stores can key on (article, model)."""

    text: str
    backend: str
    model: str
    language: str | None = None  # language the summary is written in
    sentence_indices: tuple[int, ...] = ()  # extractive only: positions in the article


@dataclass(slots=True)
class GenerationSettings:
    """Seq2seq generation settings; defaults are XL-Sum's."""

    max_input_tokens: int = 512
    num_beams: int = 4
    max_length: int = 84
    min_new_tokens: int | None = None
    max_new_tokens: int | None = None
    no_repeat_ngram_size: int = 2
    length_penalty: float = 0.6


@dataclass(slots=True)
class SummarizerOptions:
    """Everything that picks and tunes a backend; the bot maps its config onto this."""

    backend: BackendName = "auto"
    # CC BY-NC-SA 4.0: non-commercial only; AraBART fine-tunes (Apache-2.0) are permissive
    model: str = "csebuetnlp/mT5_multilingual_XLSum"
    # language -> model id/dir; "*" is the fallback for languages not listed
    language_models: dict[str, str] = field(default_factory=dict)
    # language the routed model writes in, when it differs from the article's (e.g. crossSum -> "ar")
    output_languages: dict[str, str] = field(default_factory=dict)
    sentences: int = 3
    max_chars: int | None = None
    # seq2seq backends read at most this much of an article (with a warning): with
    # long_input: chunks every 512-token chunk costs a model call, so a 2 MB paste would take
    # hours on a CPU; select only ranks it; None = no limit
    max_input_chars: int | None = 50_000
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    device: str = "auto"  # auto | cpu | cuda
    quantize: bool = False  # int8 dynamic quantization on CPU (transformers backend)
    batch_size: int = 8  # articles per model call on CPU
    cuda_batch_size: int = 32  # ... and on a GPU, where a wider batch is nearly free
    # ct2 on CPU decodes at most this many of a call's articles together: each costs about
    # 100 MB of attention cache (mT5-base, 512 tokens, 4 beams) and 2 run as fast as 8
    ct2_cpu_batch_size: int = 2
    local_files_only: bool = False
    revision: str | None = None
    cache_dir: str | None = None  # converted CTranslate2 models live here
    threads: int | None = None  # intra-op threads; None = the machine's cores
    # ct2: batches decoded side by side, each on threads / inter_threads cores (CPU)
    inter_threads: int = 1
    compute_type: str | None = None  # ct2 compute type; None = int8 on CPU, int8_float16 on CUDA
    long_input: LongInput = "select"
    output_vocabulary: OutputVocabulary = "trimmed"


class Summarizer(Protocol):
    """A backend: batch in, batch out, same order."""

    name: str

    def load(self) -> None:
        """Loads every model the options route to, so a long-lived process pays before its first job."""

    def summarize(self, articles: list[Article]) -> list[Summary]: ...
