"""Main text of an article page with trafilatura: paragraphs kept, boilerplate dropped."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura

from bot.errors import FetchError
from bot.news.canonical import canonical_url
from bot.news.encoding import decode_document
from bot.news.http import FetchResult
from bot.news.images import page_image

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What an article page says, without navigation, ads or comments."""

    title: str | None
    text: str
    url: str  # the page's canonical URL when it declares one
    author: str | None
    published: datetime | None
    language: str | None
    image_url: str | None = None  # the page's lead picture (og:image, twitter:image, ...)


def extract_page(html: str, url: str) -> ExtractedPage | None:
    """The article in the page, or None when there is none; blocking: run it in a thread."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=True,
    )
    if document is None or not (document.text or "").strip():
        return None
    page_url = document.url if (document.url or "").startswith(("http://", "https://")) else url
    return ExtractedPage(
        title=(document.title or "").strip() or None,
        text=document.text.strip(),
        url=canonical_url(page_url),
        author=document.author or None,
        published=_date(document.date),
        language=document.language or None,
        image_url=page_image(html, url, found=document.image),
    )


async def extract_fetched(result: FetchResult) -> ExtractedPage:
    """The article in a fetched page, extracted on a worker thread; FetchError when there is none."""
    html = decode_document(result.body, result.content_type)
    page = await asyncio.to_thread(extract_page, html, result.url)
    if page is None:
        raise FetchError(f"no article text found at {result.url}")
    return page


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        log.debug("unreadable page date %r", value)
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
