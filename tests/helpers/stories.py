"""Articles stored for story tests: a source per feed, publication times relative to now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.news.types import ArticleData
from bot.store import Store


def hours_ago(hours: float) -> datetime:
    """A publication time `hours` before now (stories are kept by a window back from now)."""
    return datetime.now(UTC) - timedelta(hours=hours)


async def store_articles(
    store: Store, source: str, *items: tuple[str, str, str, float]
) -> list[int]:
    """Stores (title, text, language, hours ago) items as one fetch of `source`; their ids."""
    articles = [
        ArticleData(
            title=title,
            text=text,
            url=f"https://{source}.example/{index}-{abs(hash(title))}",
            language=language,
            published=hours_ago(hours),
        )
        for index, (title, text, language, hours) in enumerate(items)
    ]
    return await store.sources.store_fetch(
        source, f"https://{source}.example/feed", articles, etag=None, last_modified=None
    )
