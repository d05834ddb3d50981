"""An article page as an article: the one way a URL (or a feed item's page) becomes one."""

from __future__ import annotations

from dataclasses import replace

from bot.errors import FetchError
from bot.news.canonical import canonical_url
from bot.news.extract import ExtractedPage, extract_fetched
from bot.news.feeds import FeedItem, looks_like_page
from bot.news.http import Fetcher
from bot.news.types import ArticleData
from summarizer.text import detect_language


async def fetch_article(fetcher: Fetcher, url: str, *, untrusted: bool) -> ArticleData:
    """Fetches one article page: its text, metadata, canonical URL and language.

    `untrusted` (a reader's URL) allows public addresses only; a feed or a listing page is a
    `FetchError`, not an article.
    """
    result = await fetcher.get(url, untrusted=untrusted)
    if not looks_like_page(result.body, result.content_type):
        raise FetchError(f"{result.url} is not an article page")
    page = await extract_fetched(result)
    article = replace(page_article(page, fallback_title=url), url=canonical_url(url))
    return replace(article, language=article.language or detect_language(article.text))


def page_article(
    page: ExtractedPage, *, fallback_title: str, item: FeedItem | None = None
) -> ArticleData:
    """An extracted page as an article; the feed item's GUID and metadata fill the gaps."""
    return ArticleData(
        title=page.title or (item.title if item else "") or fallback_title,
        text=page.text,
        url=item.url if item and item.url else page.url,
        guid=item.guid if item else None,
        language=page.language,
        author=page.author or (item.author if item else None),
        published=(item.published if item else None) or page.published,
        image_url=(item.image_url if item else None) or page.image_url,
    )
