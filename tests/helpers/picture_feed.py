"""A feed of three articles for picture tests: one names its picture, one's page does, one none."""

from __future__ import annotations

from dataclasses import dataclass

from tests.helpers.feed_server import FeedServer

CHIPS = (
    "The chipmaker said its new processor ships three months early. "
    "It draws less power than the last one and costs the same. "
    "Laptops with the chip reach shops before the holidays, the company said. "
) * 4
CABLE = (
    "A new undersea cable now links two ports on the Red Sea coast. "
    "The operator said it carries four times the traffic of the old line. "
    "Repairs on the old cable end next spring, engineers added. "
) * 4
ROBOTS = (
    "A warehouse startup raised forty million dollars for its sorting robots. "
    "The robots pick parcels from shelves without human help. "
    "The startup plans to open offices in three more countries. "
) * 4


def feed(page_url: str) -> bytes:
    """Three items: one with media:content, one teaser whose page names og:image, one bare."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        "<title>Tech</title><link>https://news.example.org/</link>"
        "<item><title>Chips ship early</title><link>https://news.example.org/chips</link>"
        "<guid>chips</guid>"
        f"<description>{CHIPS}</description>"
        '<media:content url="https://cdn.example.org/chip.jpg" medium="image"/></item>'
        f"<item><title>Cable opens</title><link>{page_url}</link><guid>cable</guid>"
        "<description>A new undersea cable opens.</description></item>"
        "<item><title>Robots raise money</title><link>https://news.example.org/robots</link>"
        f"<guid>robots</guid><description>{ROBOTS}</description></item>"
        "</channel></rss>"
    ).encode()


def page() -> bytes:
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in CABLE.split(". ") if sentence)
    return (
        "<html><head><title>Cable opens</title>"
        '<meta property="og:image" content="/media/cable-lead.jpg">'
        '<link rel="icon" href="/favicon.png"></head>'
        f"<body><article><h1>Cable opens</h1>{paragraphs}</article></body></html>"
    ).encode()


@dataclass(frozen=True)
class PictureFeed:
    """The served feed's URL and each title's expected picture (None: a text post)."""

    url: str
    pictures: dict[str, str | None]


def serve_picture_feed(server: FeedServer) -> PictureFeed:
    """Serves the feed and the teaser's page; the page's og:image is relative to it."""
    page_url = server.serve("/cable", body=page(), content_type="text/html; charset=utf-8")
    return PictureFeed(
        url=server.serve("/feed.xml", body=feed(page_url)),
        pictures={
            "Chips ship early": "https://cdn.example.org/chip.jpg",
            "Cable opens": server.url("/media/cable-lead.jpg"),
            "Robots raise money": None,
        },
    )
