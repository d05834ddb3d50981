"""Embedding backends: the bundled port's properties we rely on, and the other backends' wiring."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import pytest

from summarizer.errors import InputError, ModelUnavailableError
from summarizer.stories.embeddings import (
    BundledEmbedder,
    OpenAIEmbedder,
    SentenceTransformersEmbedder,
    load_embedder,
    vector_from_bytes,
    vector_to_bytes,
)
from summarizer.stories.types import EmbeddingOptions
from tests.helpers.fake_openai import EMBEDDING_DIM, FakeOpenAI, Status, fake_embedding

AR_LAUNCH = "أطلقت شركة سامسونج هاتفها الجديد في حفل أقيم في سان فرانسيسكو"
EN_LAUNCH = "Samsung launched its new phone at an event held in San Francisco"
EN_WEATHER = "Heavy rain is expected across the north of the country this weekend"
EN_RECIPE = "Slice the onions thinly and fry them slowly until they turn golden"


@pytest.fixture(scope="session")
def bundled() -> BundledEmbedder:
    """The bundled encoder, loaded once for the session (about a second)."""
    return BundledEmbedder(EmbeddingOptions(backend="bundled"))


def test_bundled_matches_a_translation_above_unrelated_same_language(bundled):
    ar, en, weather, recipe = bundled.embed([AR_LAUNCH, EN_LAUNCH, EN_WEATHER, EN_RECIPE])
    assert float(ar @ en) > float(weather @ recipe) + 0.3


def test_bundled_vectors_are_unit_float32_and_deterministic(bundled):
    first = bundled.embed([EN_LAUNCH, AR_LAUNCH])
    again = bundled.embed([AR_LAUNCH, EN_LAUNCH])
    assert first.dtype == np.float32 and first.shape == (2, bundled.dim)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(first[0], again[1], atol=1e-6)


def test_bundled_embeds_empty_and_very_long_text(bundled):
    long_text = (EN_LAUNCH + ". ") * 2_000  # 130,000 characters: clipped to the lead
    empty, long_vector, short = bundled.embed(["", long_text, EN_LAUNCH])
    assert np.isfinite(empty).all() and np.isfinite(long_vector).all()
    assert float(long_vector @ short) > 0.8


def test_no_texts_is_an_empty_matrix(bundled):
    assert bundled.embed([]).shape == (0, bundled.dim)


def test_vectors_round_trip_through_bytes():
    vector = np.array([0.25, -1.5, 3.0], dtype=np.float32)
    assert len(vector_to_bytes(vector)) == 12
    np.testing.assert_array_equal(vector_from_bytes(vector_to_bytes(vector)), vector)


def test_none_says_once_that_grouping_stays_in_one_language(caplog):
    with caplog.at_level(logging.WARNING):
        assert load_embedder(EmbeddingOptions(backend="none")) is None
    assert [record.message for record in caplog.records if "cross-language" in record.message]


def test_auto_is_the_bundled_model_when_installed():
    assert isinstance(load_embedder(EmbeddingOptions(backend="auto")), BundledEmbedder)


def _tiny_sentence_model(path):
    """A randomly initialised two-layer BERT with a 30-word vocabulary, saved as ST model."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    words = "samsung launched new phone event rain weather onions fry golden".split()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (path / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(path / "vocab.txt")).save_pretrained(path)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(path)
    transformer = Transformer(str(path), max_seq_length=32)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(path / "st"))
    return path / "st"


def test_sentence_transformers_loads_a_local_model(tmp_path):
    model_dir = _tiny_sentence_model(tmp_path)
    embedder = SentenceTransformersEmbedder(
        EmbeddingOptions(backend="sentence-transformers", model=str(model_dir), batch_size=2)
    )
    vectors = embedder.embed(["samsung launched new phone", "rain weather", "onions fry golden"])
    assert embedder.dim == 16 and vectors.shape == (3, 16)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_sentence_transformers_needs_a_model():
    with pytest.raises(InputError):
        load_embedder(EmbeddingOptions(backend="sentence-transformers"))


async def test_openai_backend_batches_keeps_order_and_sends_the_key(monkeypatch):
    monkeypatch.setenv("TEST_EMBEDDINGS_KEY", "sekret")
    async with FakeOpenAI() as fake:
        embedder = OpenAIEmbedder(
            EmbeddingOptions(
                backend="openai",
                model="tiny-embed",
                base_url=fake.base_url,
                api_key_env="TEST_EMBEDDINGS_KEY",
                batch_size=2,
            )
        )
        texts = ["first", "second", "third"]
        vectors = await asyncio.to_thread(embedder.embed, texts)
    assert vectors.shape == (3, EMBEDDING_DIM) and embedder.dim == EMBEDDING_DIM
    for text, vector in zip(texts, vectors, strict=True):
        expected = np.array(fake_embedding(text), dtype=np.float32)
        np.testing.assert_allclose(vector, expected / np.linalg.norm(expected), atol=1e-6)
    assert [request.body["input"] for request in fake.requests] == [["first", "second"], ["third"]]
    assert fake.requests[0].path == "/v1/embeddings"
    assert fake.requests[0].headers["Authorization"] == "Bearer sekret"


async def test_openai_backend_failure_is_a_model_error():
    async with FakeOpenAI() as fake:
        fake.fail_embeddings(Status(500))
        embedder = OpenAIEmbedder(
            EmbeddingOptions(backend="openai", model="m", base_url=fake.base_url)
        )
        with pytest.raises(ModelUnavailableError, match="HTTP 500"):
            await asyncio.to_thread(embedder.embed, ["text"])
