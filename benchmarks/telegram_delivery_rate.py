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
import sys
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fan_out import (  # noqa: E402
    append_json,
    each_shape,
    fake_process,
    fan_out,
    post,
    serve_until_stdin_closes,
)
from bot.adapters.telegram.adapter import (  # noqa: E402
    RequestTimeouts,
    build_application,
    default_rate_limiter,
)
from bot.adapters.telegram.errors import RetryPolicy  # noqa: E402
from bot.adapters.telegram.sender import TelegramSender  # noqa: E402
from bot.adapters.telegram.settings import TelegramConfig  # noqa: E402
from bot.core.types import Destination  # noqa: E402

TOKEN = "123456:TEST-TOKEN"


async def serve_fake() -> None:
    """The fake Bot API in this process: prints its port, serves until stdin closes."""
    from tests.helpers.fake_telegram import FakeTelegram

    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    await serve_until_stdin_closes(fake.port)
    await fake.close()


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
        return await fan_out(
            lambda i: sender.send_post(destinations[i], post(i + 1), "ar"), posts, concurrent
        )
    finally:
        await application.shutdown()


async def main(base_url: str, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {"posts": args.posts, "paid_broadcast": args.paid}
    results |= await each_shape(
        lambda concurrent: measure(base_url, args.posts, args.paid, concurrent),
        args.posts,
        f"paid={args.paid}",
    )
    return results


def run(args: argparse.Namespace) -> dict[str, object]:
    """Starts the fake in its own process (so it does not share our loop), then measures."""
    with fake_process("benchmarks.telegram_delivery_rate") as port:
        return asyncio.run(main(f"http://127.0.0.1:{port}/bot", args))


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
            append_json(options.json, figures)
