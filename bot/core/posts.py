"""Turns the store's summary items into the neutral `Post` that adapters render."""

from __future__ import annotations

from dataclasses import replace

from bot.core.types import Post, PostSource
from bot.store import StoryPost, SummaryItem


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


def story_post(story: StoryPost, *, images: bool = True) -> Post:
    """A story's post: its first summarized article's, listing the story's other sources.

    Each other source is listed once, at its first article; the lead's own source is not
    listed again. An article not grouped yet makes a plain post.
    """
    lead = story.lead
    seen = {lead.source} if lead.source else set()
    also = []
    for member in story.members:
        if member.article_id == lead.article_id or (member.source and member.source in seen):
            continue
        if member.source:
            seen.add(member.source)
        also.append(PostSource(member.source or "", member.title, web_url(member.url)))
    return replace(to_post(lead, images=images), also=tuple(also), story_id=story.story_id)
