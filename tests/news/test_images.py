"""Lead pictures: the first usable image of a feed item or a page, non-pictures skipped."""

from __future__ import annotations

import pytest

from bot.news.extract import extract_page
from bot.news.feeds import parse_feed
from bot.news.images import page_image

FEED_URL = "https://news.example.org/feeds/tech.xml"
PAGE_URL = "https://news.example.org/2026/12/chips.html"
BODY = "The chipmaker said its new processor ships early and uses less power. " * 12


def feed_with(item_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        "<title>Tech</title><link>https://news.example.org/</link>"
        "<item><title>Chips ship early</title><link>https://news.example.org/chips</link>"
        f"<description>{BODY}</description>{item_xml}</item>"
        "</channel></rss>"
    ).encode()


def item_image(item_xml: str) -> str | None:
    (item,) = parse_feed(feed_with(item_xml), "application/rss+xml", FEED_URL)
    return item.image_url


@pytest.mark.parametrize(
    ("item_xml", "expected"),
    [
        (
            '<media:content url="https://cdn.example.org/chip.jpg" medium="image" '
            'width="1200" height="630"/>',
            "https://cdn.example.org/chip.jpg",
        ),
        (
            '<media:content url="/img/chip.jpg" type="image/jpeg"/>',
            "https://news.example.org/img/chip.jpg",
        ),
        (
            '<media:thumbnail url="https://cdn.example.org/thumb.png" width="300" height="200"/>',
            "https://cdn.example.org/thumb.png",
        ),
        (
            '<enclosure url="https://cdn.example.org/photo.webp" type="image/webp" length="9"/>',
            "https://cdn.example.org/photo.webp",
        ),
        (
            '<media:content url="https://cdn.example.org/clip.mp4" medium="video"/>'
            '<media:thumbnail url="https://cdn.example.org/clip-still.jpg"/>',
            "https://cdn.example.org/clip-still.jpg",
        ),
    ],
    ids=[
        "media-content",
        "relative-media-content",
        "media-thumbnail",
        "enclosure",
        "video-then-thumb",
    ],
)
def test_a_feed_items_picture(item_xml, expected):
    assert item_image(item_xml) == expected


@pytest.mark.parametrize(
    "item_xml",
    [
        '<enclosure url="https://cdn.example.org/episode.mp3" type="audio/mpeg" length="5"/>',
        '<media:content url="https://cdn.example.org/episode.mp3"/>',
        '<media:thumbnail url="https://pixel.example.org/t.gif" width="1" height="1"/>',
        '<media:thumbnail url="https://cdn.example.org/a.gif" width="1" height="1"/>',
        '<media:content url="data:image/gif;base64,R0lGODlhAQABAAAAACw=" medium="image"/>',
        "",
    ],
    ids=["audio-enclosure", "untyped-audio", "pixel-host", "1x1", "data-uri", "none"],
)
def test_a_feed_item_without_a_usable_picture(item_xml):
    assert item_image(item_xml) is None


def page(head: str) -> str:
    return (
        f"<html><head><title>Chips ship early</title>{head}</head>"
        f"<body><article><h1>Chips ship early</h1><p>{BODY}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="og:image" content="https://cdn.example.org/lead.jpg">'
            '<meta name="twitter:image" content="https://cdn.example.org/other.jpg">',
            "https://cdn.example.org/lead.jpg",
        ),
        (
            '<meta property="og:image" content="http://cdn.example.org/lead.jpg">'
            '<meta property="og:image:secure_url" content="https://cdn.example.org/lead.jpg">',
            "https://cdn.example.org/lead.jpg",
        ),
        (
            '<meta property="og:image" content="../media/lead.jpg">',
            "https://news.example.org/2026/media/lead.jpg",
        ),
        (
            '<base href="https://static.example.org/site/">'
            '<meta property="og:image" content="lead.jpg">',
            "https://static.example.org/site/lead.jpg",
        ),
        (
            '<meta property="og:image" content="https://cdn.example.org/p.gif">'
            '<meta property="og:image:width" content="1"><meta property="og:image:height" content="1">'
            '<meta property="og:image" content="https://cdn.example.org/second.jpg">',
            "https://cdn.example.org/second.jpg",
        ),
        (
            '<meta property="og:image" content="data:image/png;base64,iVBORw0KGgo=">'
            '<meta name="twitter:image" content="//cdn.example.org/card.jpg">',
            "https://cdn.example.org/card.jpg",
        ),
        (
            '<meta property="og:image" content="https://cdn.example.org/brand/site-logo.png">'
            '<link rel="image_src" href="/images/lead.jpg">',
            "https://news.example.org/images/lead.jpg",
        ),
        (
            '<link rel="apple-touch-icon" href="/static/brand.png">'
            '<meta property="og:image" content="https://news.example.org/static/brand.png">'
            '<meta name="twitter:image" content="/static/story.jpg">',
            "https://news.example.org/static/story.jpg",
        ),
        (
            '<meta property="og:image" content="https://[cdn.example.org/lead.jpg">'
            '<meta name="twitter:image" content="https://cdn.example.org:99999/x.jpg">'
            '<meta name="twitter:image" content="https://cdn.example.org/card.jpg">',
            "https://cdn.example.org/card.jpg",
        ),
        (
            '<meta property="og:image" content="/icons/mark.svg">'
            '<meta name="twitter:image" content="/authors/avatar/dana.jpg">'
            '<meta name="twitter:image:src" content="/favicon.ico">',
            None,
        ),
    ],
    ids=[
        "og-before-twitter",
        "secure-url",
        "relative",
        "base-href",
        "1x1-then-real",
        "data-uri-then-twitter",
        "logo-then-image-src",
        "declared-icon",
        "malformed-urls",
        "only-non-pictures",
    ],
)
def test_a_pages_picture(head, expected):
    assert page_image(page(head), PAGE_URL) == expected


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/2026/eye-tracking-headset.jpg", True),
        ("/2026/transparent-solar-panel.jpg", True),
        ("/2026/pixel-9-review.jpg", True),
        ("/img/transparent.gif", False),
        ("/t/pixel.gif", False),
        ("/assets/logos/site.png", False),
        ("/users/avatar-dana.jpg", False),
        ("/sprites/icons.png", False),
        ("/ads/1x1.jpg", False),
    ],
)
def test_words_in_the_path(path, kept):
    head = f'<meta property="og:image" content="{path}">'
    expected = f"https://news.example.org{path}" if kept else None
    assert page_image(page(head), PAGE_URL) == expected


def test_the_extractors_find_is_tried_last():
    found = page_image(page(""), PAGE_URL, found="/uploads/lead.jpg")
    assert found == "https://news.example.org/uploads/lead.jpg"
    assert page_image(page(""), PAGE_URL, found="/uploads/logo.png") is None


def test_an_extracted_page_carries_its_picture():
    html = page('<meta property="og:image" content="/media/chip.jpg">')
    extracted = extract_page(html, PAGE_URL)
    assert extracted is not None
    assert extracted.image_url == "https://news.example.org/media/chip.jpg"
    bare = extract_page(page(""), PAGE_URL)
    assert bare is not None and bare.image_url is None


def test_a_full_text_items_first_inline_picture_past_the_pixels():
    content = (
        '<![CDATA[<p><img src="https://stats.example.org/p.gif" width="1" height="1">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="/uploads/chip-lead.jpg" width="800"> The chipmaker said…</p>]]>'
    )
    xml = f'<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">{content}</content:encoded>'
    assert item_image(xml) == "https://news.example.org/uploads/chip-lead.jpg"


def test_declared_media_beats_an_inline_picture():
    xml = (
        '<media:content url="https://cdn.example.org/chip.jpg" medium="image"/>'
        '<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        '<![CDATA[<img src="https://cdn.example.org/inline.jpg">]]></content:encoded>'
    )
    assert item_image(xml) == "https://cdn.example.org/chip.jpg"
