"""The ct2 backend's run-time tokenizer: SentencePiece when the checkpoint ships spiece.model.

`tokenizers` holds mT5's 250,112-piece Unigram model in about 265 MB (a trie with a hash map
per node); SentencePiece's own library holds the same model in about 55 MB and splits text
into the same pieces. The conversion copies `spiece.model` into the cache when the checkpoint
has one (the csebuetnlp checkpoints do); without it `tokenizer.json` is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

SPIECE = "spiece.model"


class Encoding(NamedTuple):
    """What Ct2Engine reads of an encoding, as `tokenizers.Encoding` names it."""

    ids: list[int]
    tokens: list[str]


class SentencePieceTokenizer:
    """The few `tokenizers.Tokenizer` calls the ct2 backend makes, answered by SentencePiece."""

    def __init__(self, path: Path) -> None:
        import sentencepiece

        self.model = sentencepiece.SentencePieceProcessor(model_file=str(path))
        self.end = self.model.eos_id()
        self.unknown = self.model.unk_id()

    def encode_batch(self, texts: list[str], add_special_tokens: bool = True) -> list[Encoding]:
        """Pieces of each text, with the end token unless add_special_tokens is False."""
        encoded = self.model.encode(texts)
        if add_special_tokens:
            encoded = [ids + [self.end] for ids in encoded]
        return [Encoding(ids, self.model.id_to_piece(ids)) for ids in encoded]

    def token_to_id(self, token: str) -> int | None:
        """The piece's id; None for a string the vocabulary does not hold."""
        found = self.model.piece_to_id(token)
        return None if found == self.unknown and self.model.id_to_piece(found) != token else found

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        """Text of ids; control and unknown pieces are dropped, as `tokenizers` skips them."""
        if skip_special_tokens:
            ids = [i for i in ids if not self.model.is_control(i) and not self.model.is_unknown(i)]
        return self.model.decode(ids)

    def get_vocab(self) -> dict[str, int]:
        """Piece -> id for the whole vocabulary."""
        return {self.model.id_to_piece(i): i for i in range(self.model.get_piece_size())}


def load_tokenizer_file(directory: Path) -> Any:
    """The converted model's tokenizer: SentencePiece when spiece.model is there, else tokenizers."""
    if (directory / SPIECE).is_file():
        return SentencePieceTokenizer(directory / SPIECE)
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(directory / "tokenizer.json"))
