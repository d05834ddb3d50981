"""Randomly initialised mT5 checkpoints and a locally trained tokenizer, laid out like real ones.

Tests and benchmarks load these through the same code path as a downloaded model, so no
weights ever need the network.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

Layout = Literal["legacy", "modern"]

_SPECIAL = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}


# A few-layer mT5 for tests and `--tiny` runs: the same code paths in seconds.
TINY_SHAPE = {
    "d_model": 32,
    "d_kv": 8,
    "d_ff": 64,
    "num_layers": 2,
    "num_decoder_layers": 2,
    "num_heads": 4,
}


def train_spiece(lines: Iterable[str], vocab_size: int) -> bytes:
    """A unigram SentencePiece model with mT5's special ids (pad 0, eos 1, unk 2, no bos)."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter([line for line in lines if line.strip()]),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # small corpora give fewer pieces; that is fine here
        model_type="unigram",
        character_coverage=1.0,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        minloglevel=2,
    )
    return model.getvalue()


def piece_count(spiece: bytes) -> int:
    """The tokenizer's vocabulary size, which a model matching it needs."""
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_proto=spiece).get_piece_size()


def write_legacy_tokenizer(directory: Path, spiece: bytes) -> None:
    """The tokenizer as the csebuetnlp checkpoints ship it: spiece.model plus configs, no tokenizer.json."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "spiece.model").write_bytes(spiece)
    config = {"tokenizer_class": "T5Tokenizer", "extra_ids": 0, "model_max_length": 512, **_SPECIAL}
    (directory / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    (directory / "special_tokens_map.json").write_text(json.dumps(_SPECIAL), encoding="utf-8")


def mt5_config(vocab_size: int, **overrides: object) -> object:
    """An MT5Config: mT5-base's shape unless overridden (gated-gelu, untied embeddings)."""
    from transformers import MT5Config

    shape: dict[str, object] = {
        "d_model": 768,
        "d_kv": 64,
        "d_ff": 2048,
        "num_layers": 12,
        "num_decoder_layers": 12,
        "num_heads": 12,
        "feed_forward_proj": "gated-gelu",
        "tie_word_embeddings": False,
        "decoder_start_token_id": 0,
        "pad_token_id": 0,
        "eos_token_id": 1,
    }
    return MT5Config(vocab_size=vocab_size, **{**shape, **overrides})


def save_random_mt5(
    directory: Path, spiece: bytes, config: object, layout: Layout, seed: int = 0
) -> Path:
    """Write a random mT5 and its tokenizer in the legacy (.bin + spiece) or modern layout."""
    import torch
    from transformers import AutoTokenizer, MT5ForConditionalGeneration

    torch.manual_seed(seed)
    model = MT5ForConditionalGeneration(config).eval()
    write_legacy_tokenizer(directory, spiece)
    if layout == "legacy":
        model.config.save_pretrained(directory)
        model.generation_config.save_pretrained(directory)
        torch.save(model.state_dict(), directory / "pytorch_model.bin")
        return directory
    tokenizer = AutoTokenizer.from_pretrained(directory)
    (directory / "spiece.model").unlink()
    (directory / "special_tokens_map.json").unlink()
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory
