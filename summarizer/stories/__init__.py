"""Stories: articles from any source or language that report one event, grouped as they arrive.

Names load on first use: the config reads `EmbeddingOptions` without numpy or a model.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "EMBEDDING_BACKENDS": ".types",
    "EmbeddingBackendName": ".types",
    "EmbeddingOptions": ".types",
    "Embedder": ".embeddings",
    "load_embedder": ".embeddings",
    "vector_from_bytes": ".embeddings",
    "vector_to_bytes": ".embeddings",
    "StoryReport": ".evaluate",
    "evaluate_grouping": ".evaluate",
    "format_story_report": ".evaluate",
    "LabelledArticle": ".grouping",
    "group_articles": ".grouping",
    "read_items": ".grouping",
    "stream_order": ".grouping",
    "with_vectors": ".grouping",
    "DEFAULT_WINDOW": ".matcher",
    "Match": ".matcher",
    "StoryMatcher": ".matcher",
    "StoryArticle": ".signals",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
