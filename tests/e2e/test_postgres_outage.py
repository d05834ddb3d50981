"""Black-box: `khulasa run` on PostgreSQL survives the server going away for 20 s mid-delivery.

The bot runs as a child process through the CLI, against a feed server and a fake Telegram Bot
API on 127.0.0.1 and a PostgreSQL server of the test's own that the test stops and restarts.
Every due post must reach each of four channels exactly once after the database returns; the
process must stay up the whole time, never print a traceback, and exit 0 on SIGTERM.

The database stops in the first round, between two posts; 20 s down while the feed gains a
story; fetches run every 10 s (the shortest schedule), so the round after the return and one
more round that SIGTERM interrupts make the test take about 50 s.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.bot_process import BotProcess, child_env, khulasa_command, write_config
from tests.helpers.fake_telegram import BOT_ID, Delay, FakeTelegram
from tests.helpers.feed_server import FeedServer
from tests.helpers.postgres import PostgresServer, create_database, free_port

OUTAGE_S = 20.0
FETCH_EVERY = "10s"  # the shortest interval a schedule allows
FEED = "/wire.xml"
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


def _story(key: str, minute: int) -> dict[str, str]:
    title = STORIES[key]
    body = (
        f"{title} in a story the wire carried today. "
        "Engineers said the work took three years and involved several universities. "
        "Officials expect the project to serve about two million people next year. "
        "Critics asked for more public data on the costs before the next phase."
    )
    published = format_datetime(datetime(2026, 1, 5, 9, minute, tzinfo=UTC))
    return {"title": title, "body": body, "guid": f"wire-{key}", "published": published}


def _rss(keys: list[str]) -> bytes:
    items = "".join(
        "<item>"
        f"<title>{story['title']}</title>"
        f"<link>https://news.example.org/{story['guid']}</link>"
        f'<guid isPermaLink="false">{story["guid"]}</guid>'
        f"<pubDate>{story['published']}</pubDate>"
        f"<description>{story['body']}</description>"
        "</item>"
        for story in (_story(key, minute) for minute, key in enumerate(keys))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Wire</title><link>https://news.example.org/</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    for chat, chat_id in CHANNELS.items():
        username = chat[1:] if chat.startswith("@") else None
        server.add_chat(chat_id, "channel", title=f"channel {chat_id}", username=username)
        server.set_member(chat_id, BOT_ID, "administrator")
    yield server
    await server.close()


@pytest.fixture
def bots() -> Iterator[list[BotProcess]]:
    """Every child started by a test, killed at teardown whatever the test did."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        bot.kill()


def _config(tmp_path: Path, url: str, feeds: FeedServer, telegram: FakeTelegram) -> Path:
    data: dict[str, Any] = {
        "storage": {"url": url},
        "summarizer": {"backend": "extractive", "sentences": 2},
        "sources": [
            {
                "name": "wire",
                "url": feeds.url(FEED),
                "language": "en",
                "schedule": FETCH_EVERY,
                "full_text": False,
            }
        ],
        "fetch": {"retries": 0, "connect_timeout": 2, "read_timeout": 5},
        "telegram": {
            "enabled": True,
            "base_url": telegram.base_url,
            "channels": [{"chat": chat} for chat in CHANNELS],
        },
        "delivery": {"language": "en"},
    }
    return write_config(tmp_path / "khulasa.yaml", data)


def _received(telegram: FakeTelegram) -> dict[str, list[str]]:
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


def _everywhere(telegram: FakeTelegram, keys: set[str]) -> bool:
    return all(keys <= set(got) for got in _received(telegram).values())


@pytest.mark.timeout(180)  # the waits' bounds add up to 140 s; it takes about 50 s
async def test_a_20_second_outage_mid_delivery_loses_and_repeats_nothing(
    tmp_path: Path,
    own_postgres: PostgresServer,
    feeds: FeedServer,
    telegram: FakeTelegram,
    bots: list[BotProcess],
) -> None:
    url = await asyncio.to_thread(create_database, own_postgres.admin_url)
    feeds.serve(FEED, body=_rss(["first", "before"]))
    # The first post is answered at once, the second slowly: it is in flight when the database
    # goes, and the rest of the round is still due.
    telegram.fail_next("sendMessage", Delay(0.0))
    telegram.fail_next("sendMessage", Delay(1.0))
    config = _config(tmp_path, url, feeds, telegram)
    bot = BotProcess(
        ["-v", "run", "--config", str(config)],
        cwd=tmp_path,
        env=child_env(TELEGRAM_BOT_TOKEN=telegram.token),
    )
    bots.append(bot)

    await bot.until(lambda: bool(telegram.calls_of("sendMessage")), within=45, what="a first post")
    await asyncio.to_thread(own_postgres.stop)
    feeds.serve(FEED, body=_rss(["first", "before", "during"]))
    await bot.stays_up(OUTAGE_S, what="while PostgreSQL was down")
    await asyncio.to_thread(own_postgres.start)

    everything = set(STORIES)
    await bot.until(
        lambda: _everywhere(telegram, everything), within=40, what="every story in all channels"
    )
    # SIGTERM while the next fetch is in flight (the feed answers slowly): the job finishes,
    # so a post repeated by that round would still be counted below.
    hits = len(feeds.hits(FEED))
    feeds.serve(FEED, body=_rss(list(STORIES)), delay=1.0)
    await bot.until(lambda: len(feeds.hits(FEED)) > hits, within=15, what="one more fetch")
    code = await bot.terminate(within=20)

    received = _received(telegram)
    assert all(sorted(got) == sorted(everything) for got in received.values()), received
    assert code == 0, bot.stderr_tail()
    assert "Traceback" not in bot.stderr, bot.stderr_tail()
    assert not telegram.rejected


@pytest.mark.parametrize("command", ["run", "digest"])
def test_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "one.txt").write_text("A title\nA body with a sentence. And another one.", "utf-8")
    nowhere = f"postgresql+psycopg://khulasa:sekrit@127.0.0.1:{free_port()}/khulasa"
    config = tmp_path / "khulasa.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "storage": {"url": nowhere},
                "summarizer": {"backend": "extractive"},
                "sources": [{"name": "seeds", "path": str(seeds)}],
            }
        ),
        "utf-8",
    )
    done = subprocess.run(
        khulasa_command(command, "--config", str(config)),
        cwd=tmp_path,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("khulasa: error: "), done.stderr
    assert "sekrit" not in done.stderr
    assert done.stdout == ""
