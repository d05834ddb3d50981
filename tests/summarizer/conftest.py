"""Tiny random mT5 checkpoints (both directory layouts) shared by the seq2seq backend tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.random_model import (
    TINY_SHAPE,
    mt5_config,
    piece_count,
    save_random_mt5,
    train_spiece,
)
from summarizer.types import GenerationSettings, SummarizerOptions

ROOT = Path(__file__).resolve().parents[2]
SEED_ARTICLE = ROOT / "seeds" / "000_9ae386f161d82b4b.txt"
ENGLISH = (
    "Chip makers reported strong demand for servers this quarter. "
    "The new phone ships with a faster processor and a larger battery. "
    "Researchers released an open model that runs on a laptop. "
    "Regulators asked cloud providers to explain their pricing. "
)


@dataclass(frozen=True)
class TinyModels:
    """Paths to one random model saved in both layouts."""

    legacy: Path
    modern: Path


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The Arabic seed article the tokenizer is trained on."""
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_spiece(seed_text: str) -> bytes:
    """A SentencePiece model trained here on the seed article and a little English."""
    return train_spiece((seed_text + "\n" + ENGLISH.replace(". ", ".\n")).splitlines(), 600)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory, tiny_spiece: bytes) -> TinyModels:
    """A tiny random mT5 with a locally trained tokenizer, saved like real checkpoints."""
    spiece = tiny_spiece
    root = tmp_path_factory.mktemp("tiny-mt5")
    config = mt5_config(piece_count(spiece), **TINY_SHAPE)
    legacy = save_random_mt5(root / "legacy", spiece, config, "legacy")
    modern = save_random_mt5(root / "modern", spiece, config, "modern")
    return TinyModels(legacy, modern)


def _tiny_options(model: Path | str, **changes: object) -> SummarizerOptions:
    """Options for a tiny model: a short window and short summaries so tests stay fast."""
    generation = GenerationSettings(max_input_tokens=64, num_beams=2, max_length=12)
    return SummarizerOptions(model=str(model), device="cpu", generation=generation, **changes)


@pytest.fixture
def tiny_options() -> Callable[..., SummarizerOptions]:
    """Builds SummarizerOptions for a tiny model directory."""
    return _tiny_options
