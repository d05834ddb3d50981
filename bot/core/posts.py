"""Turns the store's summary items into the neutral `Post` that adapters render."""

from __future__ import annotations

from dataclasses import replace

from bot.core.types import Post, PostSource
from bot.store import DueStory, SummaryItem


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


def story_post(story: DueStory, *, images: bool = True) -> Post:
    """A story's post: its first article's, listing one article of each other source."""
    also = tuple(
        PostSource(source=member.source or "", title=member.title, url=web_url(member.url))
        for member in story.others
    )
    return replace(to_post(story.item, images=images), also=also, story_id=story.story_id)
