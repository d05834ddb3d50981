"""Plain records passed from the news readers to the store."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ArticleData:
    """One article as read from a feed, a page or a file, ready to store."""

    title: str
    text: str
    url: str | None = None  # canonical URL; None for local files
    guid: str | None = None  # feed GUID, or "file:<path>#<hash>" for local files
    language: str | None = None
    author: str | None = None
    published: datetime | None = None
    image_url: str | None = None  # the lead picture's absolute http(s) URL, when there is one

    @property
    def content_hash(self) -> str:
        """Identity by content: whitespace differences between feeds do not make a new article."""
        folded = _WHITESPACE.sub(" ", f"{self.title}\n{self.text}").strip().casefold()
        return hashlib.sha256(folded.encode("utf-8")).hexdigest()
