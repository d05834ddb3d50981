"""Deliveries per second per Telegram token, bot side: the real sender and rate limiter.

Posts go through `TelegramSender.send_post` (python-telegram-bot with the adapter's own
`AIORateLimiter`, HTML rendering and keyboards) to a fake Bot API server running in a separate
process on 127.0.0.1, one post to each of N private chats (the fan-out of one article).
Telegram itself is not involved, so the figures are an upper bound of the bot side: the real
API adds network round trips and may answer 429 sooner.

Two shapes: `sequential` sends one destination after another, as the delivery core does today;
`concurrent` has up to 8 sends in flight, which the rate limiter then paces.

    python -m benchmarks.telegram_delivery_rate [--posts 300] [--paid] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.adapters.telegram.adapter import (  # noqa: E402
    RequestTimeouts,
    build_application,
    default_rate_limiter,
)
from bot.adapters.telegram.errors import RetryPolicy  # noqa: E402
from bot.adapters.telegram.sender import TelegramSender  # noqa: E402
from bot.adapters.telegram.settings import TelegramConfig  # noqa: E402
from bot.core.types import Destination, Post  # noqa: E402

TOKEN = "123456:TEST-TOKEN"
IN_FLIGHT = 8  # more in flight made the single-process fake the bottleneck here
SUMMARY = (
    "أعلنت شركة ناشئة عن مختبر جديد للهجات العربية. "
    "وتخطط لإطلاق نماذج مفتوحة في الربيع المقبل. "
    "وقد وظّف المختبر أربعين باحثاً من المنطقة."
)


async def serve_fake() -> None:
    """The fake Bot API in this process: prints its port, serves until stdin closes."""
    from tests.helpers.fake_telegram import FakeTelegram

    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    print(fake.port, flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await fake.close()


def post(index: int) -> Post:
    return Post(
        article_id=index,
        summary_id=index,
        title="شركة ناشئة تفتتح مختبراً للهجات العربية",
        url=f"https://example.org/news/{index}",
        source="tech-ar",
        summary=SUMMARY,
        language="ar",
        published=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )


async def measure(base_url: str, posts: int, paid: bool, concurrent: bool) -> float:
    """Posts per second for one shape, after one warm-up send."""
    settings = TelegramConfig(enabled=True, base_url=base_url, allow_paid_broadcast=paid)
    timeouts = RequestTimeouts(connect=5, read=10, write=10, pool=10)
    application = build_application(
        settings, SecretStr(TOKEN), timeouts, default_rate_limiter(paid)
    )
    await application.initialize()
    sender = TelegramSender(application.bot, [], RetryPolicy(), paid_broadcast=paid)
    try:
        await sender.send_post(Destination("telegram", "1"), post(0), "ar")
        await asyncio.sleep(1.1)  # the limiter's one-second bucket refills after the warm-up
        destinations = [Destination("telegram", str(1000 + i)) for i in range(posts)]
        gate = asyncio.Semaphore(IN_FLIGHT if concurrent else 1)

        async def one(index: int) -> None:
            async with gate:
                await sender.send_post(destinations[index], post(index + 1), "ar")

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(posts)))
        return posts / (time.perf_counter() - start)
    finally:
        await application.shutdown()


async def main(base_url: str, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {"posts": args.posts, "paid_broadcast": args.paid}
    for shape in ("sequential", "concurrent"):
        rate = await measure(base_url, args.posts, args.paid, shape == "concurrent")
        results[f"{shape}_posts_per_s"] = round(rate, 1)
        print(f"{shape:>10}: {rate:7.1f} posts/s ({args.posts} posts, paid={args.paid})")
    return results


def run(args: argparse.Namespace) -> dict[str, object]:
    """Starts the fake in its own process (so it does not share our loop), then measures."""
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.telegram_delivery_rate", "--serve"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        return asyncio.run(main(f"http://127.0.0.1:{port}/bot", args))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--paid", action="store_true", help="telegram.allow_paid_broadcast")
    parser.add_argument("--json", type=Path, help="append the figures as one JSON line")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve_fake())
    else:
        figures = run(options)
        if options.json:
            options.json.parent.mkdir(parents=True, exist_ok=True)
            with options.json.open("a", encoding="utf-8") as out:
                out.write(json.dumps(figures) + "\n")
