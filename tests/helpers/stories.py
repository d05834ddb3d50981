"""Articles stored for story tests: a source per feed, publication times relative to now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from bot.core import Sender
from bot.flow import Flow, tasks
from bot.news.types import ArticleData
from bot.store import Store
from tests.helpers.bot_stack import CoreStack
from tests.helpers.feed_server import FeedServer


def hours_ago(hours: float) -> datetime:
    """A publication time `hours` before now (stories are kept by a window back from now)."""
    return datetime.now(UTC) - timedelta(hours=hours)


async def store_articles(
    store: Store, source: str, *items: tuple[str, str, str, float]
) -> list[int]:
    """Stores (title, text, language, hours ago) items as one fetch of `source`; their ids."""
    articles = [
        ArticleData(
            title=title,
            text=text,
            url=f"https://{source}.example/{index}-{abs(hash(title))}",
            language=language,
            published=hours_ago(hours),
        )
        for index, (title, text, language, hours) in enumerate(items)
    ]
    return await store.sources.store_fetch(
        source, f"https://{source}.example/feed", articles, etag=None, last_modified=None
    )


# One event reported by three feeds (two Arabic, one English) at different times, and
# unrelated news of each feed: short texts written for the tests.
LAB_AR_1 = (
    "نوكيا تفتتح مختبرا للذكاء الاصطناعي في القاهرة",
    "افتتحت شركة نوكيا اليوم مختبرا جديدا لأبحاث الذكاء الاصطناعي في القاهرة "
    "يعمل فيه 200 مهندس على شبكات الجيل السادس.",
)
LAB_AR_2 = (
    "مختبر جديد لنوكيا في القاهرة لأبحاث الذكاء الاصطناعي",
    "أعلنت نوكيا افتتاح مختبر لأبحاث الذكاء الاصطناعي في القاهرة يضم 200 مهندس "
    "ويركز على تقنيات الجيل السادس من الشبكات.",
)
LAB_EN = (
    "Nokia opens an AI research lab in Cairo",
    "Nokia opened a new artificial intelligence research lab in Cairo on Monday, "
    "where 200 engineers will work on 6G networks.",
)
RAIN_AR = (
    "أمطار غزيرة تغلق المدارس في الإسكندرية",
    "أغلقت السلطات المدارس في الإسكندرية بعد أمطار غزيرة أغرقت الشوارع طوال الليل.",
)
MATCH_AR = (
    "الأهلي يفوز بكأس السوبر بعد ركلات الترجيح",
    "فاز النادي الأهلي بكأس السوبر بعد مباراة انتهت بالتعادل وحسمتها ركلات الترجيح.",
)
PRICES_EN = (
    "Coffee prices climb to a ten-year high",
    "Coffee futures rose to their highest level in ten years after a poor harvest in Brazil.",
)


def rss(name: str, *items: tuple[tuple[str, str], float]) -> bytes:
    """An RSS feed of ((title, text), hours ago) items, each with its own link and guid."""
    entries = "".join(
        f"<item><title>{escape(title)}</title>"
        f"<link>https://{name}.example/{abs(hash(title))}</link>"
        f"<guid>{name}-{abs(hash(title))}</guid>"
        f"<pubDate>{format_datetime(hours_ago(hours))}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for (title, text), hours in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>https://{name}.example/</link>{entries}</channel></rss>"
    ).encode()


FEEDS = (("masrawy", "ar"), ("aswat", "ar"), ("wire", "en"))  # name, language


def feed_sources(feeds: FeedServer) -> list[dict[str, object]]:
    """The three feeds as config sources, empty for now (items only, no page fetches)."""
    for name, _ in FEEDS:
        feeds.serve(f"/{name}.xml", body=rss(name))
    return [
        {"name": name, "url": feeds.url(f"/{name}.xml"), "language": lang, "full_text": False}
        for name, lang in FEEDS
    ]


async def publish(
    stack: CoreStack,
    sender: Sender,
    feeds: FeedServer,
    name: str,
    *items: tuple[tuple[str, str], float],
) -> None:
    """The feed now carries these items: fetch, summarize, then one delivery round (the task
    the summary event starts in `khulasa run`: sends, then edits)."""
    feeds.serve(f"/{name}.xml", body=rss(name, *items))
    await stack.fetch()
    await tasks.deliver(
        Flow(stack.config, stack.store, stack.pipeline, stack.core, senders=[sender])
    )
