"""RSS 0.9x/1.0/2.0 and Atom parsing of bytes we fetched ourselves (feedparser never fetches)."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.errors import FetchError
from bot.news.canonical import canonical_url
from bot.news.images import feed_image
from summarizer.text import clean_text

log = logging.getLogger(__name__)

TEASER_CHARS = 400  # a feed item shorter than this is a teaser: fetch the page for the full text
_FEED_TYPES = ("rss", "atom", "rdf", "xml")
_UNDATED = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed, cleaned to plain text."""

    title: str
    url: str | None
    guid: str | None
    text: str
    author: str | None
    published: datetime | None
    image_url: str | None = None  # the item's lead picture (media:content, thumbnail, enclosure)

    @property
    def is_teaser(self) -> bool:
        """Only a summary or an excerpt: the article page holds the text worth summarizing."""
        return len(self.text) < TEASER_CHARS


def looks_like_page(body: bytes, content_type: str | None) -> bool:
    """An HTML page rather than a feed, judged by the Content-Type and the first bytes."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if any(marker in kind for marker in _FEED_TYPES):
        return False
    head = body[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return False
    return kind == "text/html" or b"<html" in head or head.startswith(b"<!doctype html")


def parse_feed(body: bytes, content_type: str | None, base_url: str) -> list[FeedItem]:
    """Feed entries, oldest first; raises FetchError when the bytes are no readable feed."""
    headers = {"content-type": content_type or "application/xml", "content-location": base_url}
    parsed = feedparser.parse(body, response_headers=headers)
    items = [item for entry in parsed.entries if (item := _item(entry, base_url)) is not None]
    if not items and (parsed.bozo or not parsed.version):
        problem = parsed.get("bozo_exception") or "no feed entries"
        raise FetchError(f"not a readable feed: {problem}")
    if parsed.bozo:
        log.info(
            "feed %s is malformed, using the entries read: %s", base_url, parsed.bozo_exception
        )
    # Oldest first, so stored ids follow publication; undated items keep the feed's order reversed
    # (feeds list the newest first).
    return sorted(reversed(items), key=lambda item: item.published or _UNDATED)


def _item(entry: Any, base_url: str) -> FeedItem | None:
    link = entry.get("link")
    title = clean_text(entry.get("title", "") or "")
    text = clean_text(_longest_text(entry))
    if not link and not title:
        return None
    return FeedItem(
        title=title,
        url=canonical_url(link) if link and link.startswith(("http://", "https://")) else None,
        guid=entry.get("id") or None,
        text=text,
        author=entry.get("author") or None,
        published=_published(entry),
        image_url=feed_image(entry, base_url),
    )


def _longest_text(entry: Any) -> str:
    """The fullest body an entry carries: content:encoded / Atom content, else the summary."""
    candidates = [part.get("value", "") for part in entry.get("content", [])]
    candidates.append(entry.get("summary", "") or "")
    return max(candidates, key=len)


def _published(entry: Any) -> datetime | None:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if moment is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(moment), tz=UTC)
