"""An article's lead picture: the first usable image its feed item or its page offers.

Feeds and pages name many images that are no story's picture: tracking pixels, site logos,
avatars, icons, inline `data:` URIs, audio enclosures. Those are skipped here, once, for every
platform; the adapters only decide how to show the URL that is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

MIN_SIDE_PX = 50  # a declared width or height below this is a pixel, an icon or a spacer
HEAD_CHARS = 256_000  # where no </head> is found, the page's meta tags are looked for in this much

# Words in a path that name a site's furniture, and the file names of tracking pixels.
_NOT_PICTURE_WORDS = re.compile(
    r"(?<![a-z])(?:logos?|avatars?|favicons?|sprites?|1x1|"
    r"(?:spacer|blank|clear|transparent|pixel)\.(?:gif|png))(?![a-z])"
)
_NOT_PICTURE_SUFFIXES = (".svg", ".svgz", ".ico")
_NOT_IMAGE_SUFFIXES = (".mp3", ".m4a", ".ogg", ".oga", ".wav", ".mp4", ".m4v", ".mov", ".webm")
_PIXEL_HOSTS = ("pixel.", "stats.", "track.", "tracking.", "beacon.")
_LOGO_RELS = frozenset({"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"})
_TWITTER_KEYS = ("twitter:image", "twitter:image:src")


@dataclass(frozen=True, slots=True)
class ImageCandidate:
    """An image a feed or page names, with what it declares about itself."""

    url: str
    width: int | None = None
    height: int | None = None
    is_image: bool | None = None  # False: a declared non-image type; None: nothing declared


def first_usable(
    candidates: Iterable[ImageCandidate], base_url: str, *, logos: frozenset[str] = frozenset()
) -> str | None:
    """The first candidate that is a picture worth posting, as an absolute http(s) URL."""
    for candidate in candidates:
        if not candidate.url.strip():
            continue
        try:
            url = urljoin(base_url, candidate.url.strip())
            if url not in logos and _usable(candidate, url):
                return url
        except ValueError:  # a malformed URL (an unclosed IPv6 bracket, a bad port)
            continue
    return None


def feed_image(entry: Mapping[str, Any], base_url: str) -> str | None:
    """A feedparser entry's picture: media:content, media:thumbnail, an enclosure, else an <img>.

    The last is the first picture of the item's own HTML (full-text feeds carry their pictures
    there and nowhere else), so such an item needs no page fetch for its picture.
    """
    candidates = [
        ImageCandidate(
            str(media.get("url") or ""),
            _pixels(media.get("width")),
            _pixels(media.get("height")),
            _declared_image(media.get("medium"), media.get("type")),
        )
        for media in entry.get("media_content") or []
    ]
    candidates += [
        ImageCandidate(
            str(thumb.get("url") or ""), _pixels(thumb.get("width")), _pixels(thumb.get("height"))
        )
        for thumb in entry.get("media_thumbnail") or []
    ]
    candidates += [
        ImageCandidate(
            str(enclosure.get("href") or ""), is_image=_declared_image(None, enclosure.get("type"))
        )
        for enclosure in entry.get("enclosures") or []
    ]
    candidates += _inline_images(entry)
    return first_usable(candidates, base_url)


def page_image(html: str, page_url: str, *, found: str | None = None) -> str | None:
    """A page's picture from its meta tags (`og:image`, `twitter:image`, `image_src`).

    `found` is what the text extractor's metadata named, tried last. An image the page itself
    declares as its icon or logo is never taken for the article's picture.
    """
    end = html.lower().find("</head>")
    reader = _HeadReader()
    reader.feed(html[: end if end >= 0 else HEAD_CHARS])
    reader.close()
    base = urljoin(page_url, reader.base) if reader.base else page_url
    candidates = [*reader.candidates]
    if found:
        candidates.append(ImageCandidate(found))
    logos = frozenset(urljoin(base, logo.strip()) for logo in reader.logos)
    return first_usable(candidates, base, logos=logos)


def _inline_images(entry: Mapping[str, Any]) -> list[ImageCandidate]:
    """The <img> tags of the item's HTML content (or summary), in document order."""
    bodies = [str(part.get("value") or "") for part in entry.get("content") or []]
    bodies.append(str(entry.get("summary") or ""))
    reader = _ImageReader()
    for body in bodies:
        reader.feed(body)
    reader.close()
    return reader.images


def _usable(candidate: ImageCandidate, url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    _ = parts.port  # ValueError for a port out of range
    if candidate.is_image is False:
        return False
    sides = [side for side in (candidate.width, candidate.height) if side is not None]
    if any(side < MIN_SIDE_PX for side in sides):
        return False
    path = parts.path.lower()
    if candidate.is_image is None and path.endswith(_NOT_IMAGE_SUFFIXES):
        return False
    if parts.hostname.startswith(_PIXEL_HOSTS) or path.endswith(_NOT_PICTURE_SUFFIXES):
        return False
    return _NOT_PICTURE_WORDS.search(path) is None


def _declared_image(medium: Any, mime: Any) -> bool | None:
    """True or False where a medium or MIME type is declared, None where neither is."""
    if medium:
        return str(medium).lower() == "image"
    if mime:
        return str(mime).lower().startswith("image/")
    return None


def _pixels(value: Any) -> int | None:
    text = str(value or "").strip().lower().removesuffix("px")
    return int(text) if text.isdigit() else None


class _HeadReader(HTMLParser):
    """Collects the image meta tags, `<base href>` and the declared icons/logos of a page head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.logos: list[str] = []
        self._open_graph: list[dict[str, str]] = []  # one per og:image, with its own properties
        self._others: list[ImageCandidate] = []

    @property
    def candidates(self) -> list[ImageCandidate]:
        """og:image first (its https twin preferred), then twitter:image and image_src."""
        graph = [
            ImageCandidate(
                image.get("secure_url") or image.get("url", ""),
                _pixels(image.get("width")),
                _pixels(image.get("height")),
                _declared_image(None, image.get("type")),
            )
            for image in self._open_graph
        ]
        return graph + self._others

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag == "meta":
            self._meta(values)
        elif tag == "link":
            rels = set(values.get("rel", "").lower().split())
            href = values.get("href", "")
            if href and (rels & _LOGO_RELS or values.get("itemprop", "").lower() == "logo"):
                self.logos.append(href)
            elif href and "image_src" in rels:
                self._others.append(ImageCandidate(href))
        elif tag == "img" and values.get("itemprop", "").lower() == "logo" and values.get("src"):
            self.logos.append(values["src"])

    def _meta(self, values: dict[str, str]) -> None:
        key = (values.get("property") or values.get("name") or "").strip().lower()
        content = values.get("content", "").strip()
        if values.get("itemprop", "").lower() == "logo" or key == "og:logo":
            if content:
                self.logos.append(content)
        elif not content:
            return
        elif key in ("og:image", "og:image:url"):
            if self._open_graph and "url" not in self._open_graph[-1]:
                self._open_graph[-1]["url"] = content  # its properties came first
            else:
                self._open_graph.append({"url": content})
        elif key.startswith("og:image:"):
            if not self._open_graph:
                self._open_graph.append({})
            self._open_graph[-1].setdefault(key.removeprefix("og:image:"), content)
        elif key in _TWITTER_KEYS:
            self._others.append(ImageCandidate(content))


class _ImageReader(HTMLParser):
    """Collects `<img src>` with its declared size from an item's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[ImageCandidate] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "img" and values.get("src"):
            self.images.append(
                ImageCandidate(
                    values["src"], _pixels(values.get("width")), _pixels(values.get("height"))
                )
            )
