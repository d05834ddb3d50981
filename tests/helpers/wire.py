"""A wire feed whose stories reach four Telegram channels: shared by the end-to-end tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.feed_server import FeedServer

FETCH_EVERY = "10s"  # the shortest interval a schedule allows
FEED = "/wire.xml"
DESK_FEED = "/desk.xml"  # a second source that reports the first story again, later
# Recent publication times: a story takes articles for `stories.window` back from now.
PUBLISHED = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
# Two channels by @username, two by numeric id: the four destinations of every post.
CHANNELS: dict[str, int] = {
    "@khulasa_wire": -100101,
    "@khulasa_tech": -100102,
    "-100103": -100103,
    "-100104": -100104,
}
STORIES = {
    "first": "Solar chip factory opens",
    "before": "Rail line gets sensors",
    "during": "Clinic network adds translation",
}
# Three events, so three stories (a shared template would read as one event to the desk).
DETAILS = {
    "first": (
        "A factory for solar panel chips opened near the coast with 400 jobs. "
        "Its owners plan a second hall for wafers in 2028."
    ),
    "before": (
        "The northern rail line fitted its bridges with vibration sensors. "
        "Trains will slow down automatically when a bridge shakes in high wind."
    ),
    "during": (
        "Twelve rural clinics began offering live interpreters for patients by video. "
        "Nurses said visits in minority languages doubled in a month."
    ),
}


def wire_story(key: str, minute: int) -> dict[str, str]:
    title = STORIES[key]
    body = f"{title}. {DETAILS[key]}"
    published = format_datetime(PUBLISHED + timedelta(minutes=minute))
    return {"title": title, "body": body, "guid": f"wire-{key}", "published": published}


DESK_STORY = {  # the "first" event in other words: it joins that story, no new post
    "title": "Coastal solar chip factory opens with 400 jobs",
    "body": "A new plant making chips for solar panels opened on the coast, creating 400 jobs. "
    "Its owners plan a wafer hall in 2028.",
    "guid": "desk-first",
    "published": format_datetime(PUBLISHED + timedelta(minutes=30)),
}


def rss(keys: list[str]) -> bytes:
    return _channel([wire_story(key, minute) for minute, key in enumerate(keys)])


def desk_rss(reported: bool) -> bytes:
    return _channel([DESK_STORY] if reported else [])


def _channel(stories: list[dict[str, str]]) -> bytes:
    items = "".join(
        "<item>"
        f"<title>{story['title']}</title>"
        f"<link>https://news.example.org/{story['guid']}</link>"
        f'<guid isPermaLink="false">{story["guid"]}</guid>'
        f"<pubDate>{story['published']}</pubDate>"
        f"<description>{story['body']}</description>"
        "</item>"
        for story in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Wire</title><link>https://news.example.org/</link>{items}</channel></rss>"
    ).encode()


def received(telegram: FakeTelegram) -> dict[str, list[str]]:
    """Per channel, the story keys of the bot's messages, in order (unknown texts kept whole)."""
    by_chat: dict[str, list[str]] = {}
    for chat, chat_id in CHANNELS.items():
        texts = [
            call.result["text"]
            for call in telegram.calls_of("sendMessage")
            if call.result["chat"]["id"] == chat_id
        ]
        by_chat[chat] = [
            next((key for key, title in STORIES.items() if title in text), text) for text in texts
        ]
    return by_chat


def everywhere(telegram: FakeTelegram, keys: set[str]) -> bool:
    return all(keys <= set(got) for got in received(telegram).values())


def edits(telegram: FakeTelegram) -> dict[str, int]:
    """Per channel, how many edits of the bot's posts Telegram made."""
    made = [call for call in telegram.calls_of("editMessageText") if call.ok]
    return {
        chat: sum(1 for call in made if call.result["chat"]["id"] == chat_id)
        for chat, chat_id in CHANNELS.items()
    }


def wire_config(
    url: str, feeds: FeedServer, telegram: FakeTelegram, *, desk: bool = False
) -> dict[str, Any]:
    """`khulasa run`'s config: the wire feed (and the desk's) every 10 s, to the four channels."""
    named = [("wire", FEED), *([("desk", DESK_FEED)] if desk else [])]
    return {
        "storage": {"url": url},
        "summarizer": {"backend": "extractive", "sentences": 2},
        "sources": [
            {
                "name": name,
                "url": feeds.url(path),
                "language": "en",
                "schedule": FETCH_EVERY,
                "full_text": False,
            }
            for name, path in named
        ],
        "fetch": {"retries": 0, "connect_timeout": 2, "read_timeout": 5},
        "telegram": {
            "enabled": True,
            "base_url": telegram.base_url,
            "channels": [{"chat": chat} for chat in CHANNELS],
        },
        "delivery": {"language": "en"},
    }
