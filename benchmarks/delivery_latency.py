"""Summary stored → post sent, with external workers: the latency of event-driven delivery.

A real `khulasa run` (child process, `workers.external: true`) on a PostgreSQL server of our own
serves one Telegram channel of a fake Bot API on 127.0.0.1. This process plays the worker: it
stores an article and its summary through the store, as a summarize job does (the storing
transaction sends NOTIFY), and times until the fake receives the post. No worker runs, so
nothing else touches the queue.

    python -m benchmarks.delivery_latency [--posts 20] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.news.types import ArticleData  # noqa: E402
from bot.store import NewSummary, Store  # noqa: E402
from tests.helpers.bot_process import BotProcess, child_env, write_config  # noqa: E402
from tests.helpers.fake_telegram import BOT_ID, FakeTelegram  # noqa: E402
from tests.helpers.postgres import PostgresServer, create_database  # noqa: E402

CHANNEL = -100201
STEP_S = 0.005  # the timing's resolution
BODY = "The body of a story the wire carried today. It has a second sentence as well."


async def posted(bot: BotProcess, telegram: FakeTelegram, title: str, within: float = 30) -> None:
    """Waits, looking every `STEP_S`, until the fake received a post with this title."""
    deadline = time.perf_counter() + within
    while not any(title in call.result["text"] for call in telegram.calls_of("sendMessage")):
        bot.assert_alive(f"while waiting for {title!r}")
        if time.perf_counter() > deadline:
            raise AssertionError(f"{title!r} not posted within {within} s:\n{bot.stderr_tail()}")
        await asyncio.sleep(STEP_S)


async def measure(posts: int, work: Path) -> dict[str, object]:
    """Seconds from each stored summary to its post, one summary in flight at a time."""
    server = PostgresServer()
    telegram = FakeTelegram()
    await telegram.start()
    telegram.add_chat(CHANNEL, "channel", title="latency")
    telegram.set_member(CHANNEL, BOT_ID, "administrator")
    bot: BotProcess | None = None
    try:
        await asyncio.to_thread(server.start)
        url = await asyncio.to_thread(create_database, server.admin_url)
        config = write_config(
            work / "khulasa.yaml",
            {
                "storage": {"url": url},
                "summarizer": {"backend": "extractive"},
                "workers": {"external": True},
                "telegram": {
                    "enabled": True,
                    "base_url": telegram.base_url,
                    "channels": [{"chat": str(CHANNEL)}],
                },
                "delivery": {"language": "en"},
            },
        )
        env = child_env(TELEGRAM_BOT_TOKEN=telegram.token)
        bot = BotProcess(["-v", "run", "--config", str(config)], cwd=work, env=env)
        await bot.until(lambda: "khulasa running" in bot.stderr, within=60, what="run's start")
        store = await asyncio.to_thread(Store, url)
        latencies = []
        try:
            for index in range(posts + 1):  # the first one warms the process up, not counted
                title = f"Story number {index}"
                [article_id] = await store.sources.store_fetch(
                    "wire",
                    "bench",
                    [ArticleData(title=title, text=BODY)],
                    etag=None,
                    last_modified=None,
                )
                summary = NewSummary(article_id, "extractive", "m", "en", f"{title}. {BODY}")
                began = time.perf_counter()
                await store.articles.add_summaries([summary])
                await posted(bot, telegram, title)
                latencies.append(time.perf_counter() - began)
        finally:
            store.close()
        await bot.terminate(within=30)
    finally:
        if bot is not None:
            bot.kill()
        await telegram.close()
        await asyncio.to_thread(server.close)
    counted = latencies[1:]
    return {
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "posts": len(counted),
        "median_s": round(statistics.median(counted), 3),
        "p90_s": round(sorted(counted)[int(0.9 * (len(counted) - 1))], 3),
        "max_s": round(max(counted), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="khulasa-latency-") as work:
        figures = asyncio.run(measure(args.posts, Path(work)))
    print(json.dumps(figures))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
