"""The transformers backend's plumbing with a tiny random QA model: windows, span to sentence, abstain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertForQuestionAnswering, PreTrainedTokenizerFast

from summarizer.errors import ModelUnavailableError
from summarizer.qa import QAOptions, answer
from summarizer.qa.span_reader import Reader, load_reader, predict_span
from summarizer.types import Article

FILLER_EN = "Report {n} says the servers and the chips sold well this quarter."
FILLER_AR = "ويقول التقرير رقم {n} إن الخوادم والرقائق بيعت جيدا هذا الربع."
MARKERS = {"en": "zebra", "ar": "زرافة"}
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def long_article(language: str) -> tuple[Article, str]:
    """Forty filler sentences with one marker sentence near the end, far past the first window."""
    filler = FILLER_EN if language == "en" else FILLER_AR
    marker_sentence = (
        f"The {MARKERS['en']} logo marks the answer here."
        if language == "en"
        else f"وشعار {MARKERS['ar']} يدل على الجواب هنا."
    )
    sentences = [filler.format(n=n) for n in range(40)]
    sentences.insert(35, marker_sentence)
    return Article(text=" ".join(sentences), language=language), marker_sentence


def _train_tokenizer() -> PreTrainedTokenizerFast:
    corpus = [long_article(language)[0].text for language in ("en", "ar")] * 3
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(
        corpus, trainers.WordPieceTrainer(vocab_size=400, special_tokens=SPECIAL_TOKENS)
    )
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


@pytest.fixture(scope="module")
def tiny_qa_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 1-layer BERT QA model and its locally trained tokenizer, saved like a checkpoint."""
    directory = tmp_path_factory.mktemp("tiny-qa")
    tokenizer = _train_tokenizer()
    tokenizer.save_pretrained(directory)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=128,
    )
    BertForQuestionAnswering(config).save_pretrained(directory)
    return directory


def tiny_options(model: Path, **changes: object) -> QAOptions:
    settings: dict[str, object] = {
        "backend": "transformers",
        "model": str(model),
        "device": "cpu",
        "local_files_only": True,
        "max_seq_length": 64,
        "doc_stride": 16,
    }
    return QAOptions(**(settings | changes))  # type: ignore[arg-type]


def loaded(model: Path) -> Reader:
    return load_reader(str(model), "cpu", True)  # the same cached reader answer() uses


@contextmanager
def steered(
    reader: Reader, start_token: int | None, end_token: int | None = None
) -> Iterator[None]:
    """Forces the QA head: high start/end logits on those tokens' positions, or on CLS when None."""
    seen: dict[str, torch.Tensor] = {}

    def capture(_module: object, _args: object, kwargs: dict) -> None:
        seen["input_ids"] = kwargs["input_ids"]

    def force(_module: object, _inputs: object, output: torch.Tensor) -> torch.Tensor:
        logits = torch.zeros_like(output)
        if start_token is None:
            logits[:, 0, :] = 10.0
            return logits
        logits[..., 0][seen["input_ids"] == start_token] = 10.0
        logits[..., 1][seen["input_ids"] == (end_token or start_token)] = 10.0
        return logits

    handles = [
        reader.model.register_forward_pre_hook(capture, with_kwargs=True),
        reader.model.qa_outputs.register_forward_hook(force),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def token_id(reader: Reader, word: str) -> int:
    ids = reader.tokenizer(word, add_special_tokens=False)["input_ids"]
    assert len(ids) == 1, f"{word!r} must be one token for the steering to pick it"
    return ids[0]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_span_far_into_a_long_article_maps_to_its_sentence(
    tiny_qa_model: Path, language: str
) -> None:
    article, marker_sentence = long_article(language)
    reader = loaded(tiny_qa_model)
    with steered(reader, token_id(reader, MARKERS[language])):
        prediction = predict_span(reader, "which logo?", article.text, tiny_options(tiny_qa_model))
        result = answer("which logo?", article, options=tiny_options(tiny_qa_model))
    assert prediction.windows > 5
    assert result.backend == "transformers" and not result.abstained
    assert result.text == MARKERS[language]
    (evidence,) = result.evidence
    assert evidence.text == marker_sentence
    assert evidence.index == 35
    assert article.text[evidence.start : evidence.end] == marker_sentence
    assert result.score > 0.5


def test_no_answer_score_beating_every_span_abstains(tiny_qa_model: Path) -> None:
    article, _ = long_article("en")
    with steered(loaded(tiny_qa_model), start_token=None):
        result = answer("which logo?", article, options=tiny_options(tiny_qa_model))
    assert result.abstained and result.text == "" and result.evidence == ()
    assert result.score < 0.5


def test_span_across_a_sentence_end_quotes_both_sentences(tiny_qa_model: Path) -> None:
    article, marker_sentence = long_article("en")
    reader = loaded(tiny_qa_model)
    # starts on the marker, ends on the next "report", which opens the following sentence
    with steered(reader, token_id(reader, MARKERS["en"]), token_id(reader, "report")):
        result = answer("which logo?", article, options=tiny_options(tiny_qa_model))
    assert result.text == "zebra logo marks the answer here. Report"
    assert [evidence.index for evidence in result.evidence] == [35, 36]
    assert result.evidence[0].text == marker_sentence
    for evidence in result.evidence:
        assert article.text[evidence.start : evidence.end] == evidence.text


def test_missing_model_is_unavailable(tmp_path: Path) -> None:
    article, _ = long_article("en")
    with pytest.raises(ModelUnavailableError, match="cannot load the Q&A model"):
        answer("which logo?", article, options=tiny_options(tmp_path / "no-such-model"))
