"""The ct2 backend's SentencePiece tokenizer splits and decodes exactly as tokenizers does."""

from __future__ import annotations

from tokenizers import Tokenizer
from transformers import AutoTokenizer

from summarizer.ct2 import Ct2Engine, Ct2Summarizer
from summarizer.ct2_tokenizer import SPIECE, SentencePieceTokenizer, load_tokenizer_file
from summarizer.types import Article, GenerationSettings

TEXTS = [
    "أعلنت الشركة عن نموذج جديد للذكاء الاصطناعي في ٢٠٢٤.",
    "Chip makers  reported strong demand for servers this quarter.",
    "  «اقتباس» — and a dash, digits 123 and ﻻ ligature  ",
    "Москва 日本 emoji 🙂 and other unknown characters",
]


def test_sentencepiece_and_tokenizers_agree_piece_for_piece(tiny_models, tmp_path) -> None:
    AutoTokenizer.from_pretrained(tiny_models.legacy).save_pretrained(tmp_path)
    fast = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    lean = SentencePieceTokenizer(tiny_models.legacy / SPIECE)
    for special in (True, False):
        ours = lean.encode_batch(TEXTS, add_special_tokens=special)
        theirs = fast.encode_batch(TEXTS, add_special_tokens=special)
        assert [e.ids for e in ours] == [e.ids for e in theirs]
        for mine, reference in zip(ours, theirs, strict=True):  # tokenizers shows an unknown
            known = [t for i, t in zip(reference.ids, reference.tokens, strict=True) if i != 2]
            assert [t for t in mine.tokens if t != "<unk>"] == known  # piece as its text
    for encoding in fast.encode_batch(TEXTS):  # the same words; summaries are collapsed anyway
        expected = fast.decode(encoding.ids, skip_special_tokens=True).split()
        assert lean.decode(encoding.ids).split() == expected
    assert lean.get_vocab() == fast.get_vocab()
    assert lean.token_to_id("</s>") == 1 and lean.token_to_id("<unk>") == 2
    assert lean.token_to_id("no-such-piece") is None is fast.token_to_id("no-such-piece")


def test_a_checkpoint_with_spiece_model_runs_on_sentencepiece(
    tiny_models, tiny_options, tmp_path
) -> None:
    legacy = Ct2Summarizer(tiny_options(tiny_models.legacy, cache_dir=str(tmp_path)))
    modern = Ct2Summarizer(tiny_options(tiny_models.modern, cache_dir=str(tmp_path)))
    lean, _ = legacy.engine(str(tiny_models.legacy))
    fast, _ = modern.engine(str(tiny_models.modern))
    assert isinstance(lean.tokenizer, SentencePieceTokenizer)  # spiece.model copied in
    assert isinstance(fast.tokenizer, Tokenizer)  # tokenizer.json only
    assert (legacy.target(str(tiny_models.legacy)) / SPIECE).is_file()
    assert isinstance(load_tokenizer_file(modern.target(str(tiny_models.modern))), Tokenizer)
    assert legacy.summarize([Article(TEXTS[0])])[0].text


def test_cpu_sub_batches_are_capped_and_shared_among_workers() -> None:
    def engine(inter: int, cap: int) -> Ct2Engine:
        return Ct2Engine(None, None, GenerationSettings(), inter_threads=inter, max_batch=cap)

    assert engine(1, 2).sub_batch(8) == 2
    assert engine(1, 0).sub_batch(8) == 8  # no cap: the whole call
    assert engine(2, 0).sub_batch(8) == 4  # half each for two workers
    assert engine(2, 2).sub_batch(3) == 2
    assert engine(1, 32).sub_batch(5) == 5
