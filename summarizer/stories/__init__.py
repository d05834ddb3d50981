"""Stories: articles from any source or language that report one event, grouped as they arrive."""

from .embeddings import (
    EMBEDDING_BACKENDS,
    Embedder,
    EmbeddingOptions,
    load_embedder,
    vector_from_bytes,
    vector_to_bytes,
)
from .evaluate import StoryReport, evaluate_grouping, format_story_report
from .grouping import LabelledArticle, group_articles, read_items, stream_order, with_vectors
from .matcher import DEFAULT_WINDOW, Match, StoryMatcher
from .signals import StoryArticle

__all__ = [
    "DEFAULT_WINDOW",
    "EMBEDDING_BACKENDS",
    "Embedder",
    "EmbeddingOptions",
    "LabelledArticle",
    "Match",
    "StoryArticle",
    "StoryMatcher",
    "StoryReport",
    "evaluate_grouping",
    "format_story_report",
    "group_articles",
    "load_embedder",
    "read_items",
    "stream_order",
    "vector_from_bytes",
    "vector_to_bytes",
    "with_vectors",
]
