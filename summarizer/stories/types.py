"""Plain data for story grouping that the config reads without loading numpy or a model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EmbeddingBackendName = Literal["auto", "bundled", "sentence-transformers", "openai", "none"]
EMBEDDING_BACKENDS: tuple[str, ...] = (
    "auto",
    "bundled",
    "sentence-transformers",
    "openai",
    "none",
)
DEFAULT_EMBEDDINGS_API_KEY_ENV = "KHULASA_EMBEDDINGS_API_KEY"


@dataclass(frozen=True, slots=True)
class EmbeddingOptions:
    """Picks and tunes the embedding backend; the bot maps its `embeddings:` config onto this."""

    backend: EmbeddingBackendName = "auto"
    model: str | None = None  # hub id or directory (sentence-transformers), model name (openai)
    base_url: str | None = None  # openai: e.g. http://127.0.0.1:11434/v1
    api_key_env: str = DEFAULT_EMBEDDINGS_API_KEY_ENV
    batch_size: int = 32
    timeout: float = 30.0
    device: str = "cpu"  # sentence-transformers: cpu | cuda
    local_files_only: bool = False
