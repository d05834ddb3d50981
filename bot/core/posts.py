"""Turns the store's summary items into the neutral `Post` that adapters render."""

from __future__ import annotations

from bot.core.types import Post
from bot.store import SummaryItem


def web_url(url: str | None) -> str | None:
    """Only web addresses are shown as links (a local article's 'url' is its path)."""
    return url if url and url.startswith(("http://", "https://")) else None


def to_post(item: SummaryItem, *, images: bool = True) -> Post:
    """One post per summarized article; text fields stay unescaped until an adapter renders them.

    `images=False` (a chat that turned pictures off) leaves the article's picture out.
    """
    return Post(
        article_id=item.article_id,
        summary_id=item.summary_id,
        title=item.title,
        url=web_url(item.url),
        source=item.source,
        summary=item.summary,
        language=item.language,
        published=item.published,
        image_url=web_url(item.image_url) if images else None,
    )
