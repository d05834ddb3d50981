"""Grouping a batch of articles as a live stream would: in publication order, one at a time.

The command-line tools and the calibration use this; the bot calls the matcher itself, one
stored article at a time, with vectors it stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from summarizer.errors import InputError
from summarizer.jsonl import read_records

from .embeddings import Embedder
from .matcher import DEFAULT_WINDOW, StoryMatcher
from .model import Calibration, StoryWeights
from .signals import StoryArticle


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """An input line: the article, and its event label when the file is labelled."""

    article: StoryArticle
    event: str | None = None


def parse_time(value: str) -> datetime:
    """ISO 8601; a time without zone is taken as UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _optional_string(record: dict, key: str, number: int) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"line {number}: {key!r} must be a string")
    return value


def parse_item(line: str, number: int, labelled: bool = False) -> LabelledArticle:
    """One JSON line `{"id", "text", "title"?, "language"?, "published"?, "source"?}`."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"line {number}: not JSON ({error.msg})") from error
    if not isinstance(record, dict):
        raise InputError(f"line {number}: expected a JSON object")
    identifier = record.get("id")
    if not isinstance(identifier, str | int) or isinstance(identifier, bool) or identifier == "":
        raise InputError(f"line {number}: 'id' must be a non-empty string or number")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(f"line {number}: 'text' must be a string")
    published = _optional_string(record, "published", number)
    try:
        moment = parse_time(published) if published else None
    except ValueError as error:
        raise InputError(f"line {number}: 'published' is not an ISO 8601 time") from error
    event = record.get("event")
    if labelled and (not isinstance(event, str | int) or isinstance(event, bool) or event == ""):
        raise InputError(f"line {number}: 'event' must be a non-empty string or number")
    article = StoryArticle(
        id=str(identifier),
        title=_optional_string(record, "title", number) or "",
        text=text,
        language=_optional_string(record, "language", number),
        published=moment,
        source=_optional_string(record, "source", number),
    )
    return LabelledArticle(article, str(event) if labelled else None)


def read_items(path: str, labelled: bool = False) -> list[LabelledArticle]:
    """The JSON-lines file; ids must be unique."""

    def parse(line: str, number: int) -> LabelledArticle:
        try:
            return parse_item(line, number, labelled)
        except InputError as error:
            raise InputError(f"{path}: {error}") from error

    items = read_records(path, parse, "articles")
    seen: set[str] = set()
    for item in items:
        if item.article.id in seen:
            raise InputError(f"{path}: id {item.article.id!r} appears twice")
        seen.add(item.article.id)
    return items


def stream_order(articles: Sequence[StoryArticle]) -> list[StoryArticle]:
    """Publication order; an undated article keeps its place after the one read before it."""
    keyed = []
    last = datetime.min.replace(tzinfo=UTC)
    for position, article in enumerate(articles):
        last = article.published or last
        keyed.append((last, position, article))
    return [article for _, _, article in sorted(keyed, key=lambda item: item[:2])]


def with_vectors(articles: Sequence[StoryArticle], embedder: Embedder | None) -> list[StoryArticle]:
    """The articles with their lead embedded in batches (unchanged without an embedder)."""
    if embedder is None:
        return list(articles)
    vectors = embedder.embed([article.embedded_text() for article in articles])
    return [
        replace(article, vector=vector) for article, vector in zip(articles, vectors, strict=True)
    ]


def assign_stream(
    articles: Sequence[StoryArticle],
    embeddings: bool,
    window: timedelta = DEFAULT_WINDOW,
    weights: StoryWeights | None = None,
    calibration: Calibration | None = None,
) -> dict[str, str]:
    """Article id -> story id (the id of the story's first article), taken in stream order.

    With `embeddings`, every article must already carry its vector.
    """
    matcher = StoryMatcher(embeddings, window=window, weights=weights, calibration=calibration)
    return {article.id: matcher.assign(article) for article in stream_order(articles)}


def group_articles(
    articles: Sequence[StoryArticle],
    embedder: Embedder | None,
    window: timedelta = DEFAULT_WINDOW,
    weights: StoryWeights | None = None,
) -> dict[str, str]:
    """Embeds the articles' leads (when a model is given) and groups them as a stream would."""
    return assign_stream(
        with_vectors(articles, embedder), embedder is not None, window=window, weights=weights
    )
