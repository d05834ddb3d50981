"""Turns stored summary rows into the neutral `Post` that adapters render."""

from __future__ import annotations

from bot.core.types import Post
from bot.store.deliveries import SummaryRow


def to_post(row: SummaryRow) -> Post:
    """One post per summarized article; text fields stay unescaped until an adapter renders them."""
    summary, article, source = row
    return Post(
        article_id=article.id,
        summary_id=summary.id,
        title=article.title,
        url=article.url
        if article.url and article.url.startswith(("http://", "https://"))
        else None,
        source=source or "",
        summary=summary.text,
        language=summary.language or article.language,
        published=article.published_at,
    )
