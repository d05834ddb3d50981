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
from pathlib import Path

import pytest
import yaml

from tests.helpers.bot_process import BotProcess, child_env, khulasa_command, write_config
from tests.helpers.fake_telegram import Delay, FakeTelegram
from tests.helpers.feed_server import FeedServer
from tests.helpers.postgres import PostgresServer, create_database, free_port
from tests.helpers.wire import (
    FEED,
    STORIES,
    everywhere,
    received,
    rss,
    wire_config,
)

OUTAGE_S = 20.0


# The same scenario on both engines: `run` alone (in process), and `run` with one `worker`
# taking fetch and summarize jobs from the queues (a scheduler tick every 2 s).
ENGINES = {"local": None, "queued": {"tick_seconds": 2, "batch_wait": 0.2, "stalled_after": 6}}


def _config(
    tmp_path: Path, url: str, feeds: FeedServer, telegram: FakeTelegram, engine: str
) -> Path:
    data = wire_config(url, feeds, telegram)
    if ENGINES[engine] is not None:
        data["workers"] = {"external": True, **ENGINES[engine]}
    return write_config(tmp_path / "khulasa.yaml", data)


@pytest.mark.timeout(180)  # the waits' bounds add up to 140 s; it takes about 50 s
@pytest.mark.parametrize("engine", list(ENGINES))
async def test_a_20_second_outage_mid_delivery_loses_and_repeats_nothing(
    tmp_path: Path,
    own_postgres: PostgresServer,
    feeds: FeedServer,
    telegram: FakeTelegram,
    bots: list[BotProcess],
    engine: str,
) -> None:
    url = await asyncio.to_thread(create_database, own_postgres.admin_url)
    feeds.serve(FEED, body=rss(["first", "before"]))
    # The first post is answered at once, the second slowly: it is in flight when the database
    # goes, and the rest of the round is still due.
    telegram.fail_next("sendMessage", Delay(0.0))
    telegram.fail_next("sendMessage", Delay(1.0))
    config = _config(tmp_path, url, feeds, telegram, engine)
    env = child_env(TELEGRAM_BOT_TOKEN=telegram.token)
    bot = BotProcess(["-v", "run", "--config", str(config)], cwd=tmp_path, env=env)
    bots.append(bot)
    workers = []
    if ENGINES[engine] is not None:
        argv = ["-v", "worker", "--config", str(config)]
        workers.append(BotProcess(argv, cwd=tmp_path, env=env, name="worker"))
        bots.append(workers[0])

    await bot.until(lambda: bool(telegram.calls_of("sendMessage")), within=45, what="a first post")
    await asyncio.to_thread(own_postgres.stop)
    feeds.serve(FEED, body=rss(["first", "before", "during"]))
    await bot.stays_up(OUTAGE_S, what="while PostgreSQL was down")
    await asyncio.to_thread(own_postgres.start)

    everything = set(STORIES)
    await bot.until(
        lambda: everywhere(telegram, everything), within=40, what="every story in all channels"
    )
    # SIGTERM while the next fetch is in flight (the feed answers slowly): the job finishes,
    # so a post repeated by that round would still be counted below.
    hits = len(feeds.hits(FEED))
    feeds.serve(FEED, body=rss(list(STORIES)), delay=1.0)
    await bot.until(lambda: len(feeds.hits(FEED)) > hits, within=15, what="one more fetch")
    code = await bot.terminate(within=20)
    for worker in workers:
        assert await worker.terminate(within=30) == 0, worker.stderr_tail()
        assert "Traceback" not in worker.stderr, worker.stderr_tail()

    got_by_chat = received(telegram)
    assert all(sorted(got) == sorted(everything) for got in got_by_chat.values()), got_by_chat
    assert code == 0, bot.stderr_tail()
    assert "Traceback" not in bot.stderr, bot.stderr_tail()
    assert not telegram.rejected
    outage_lines = [line for line in bot.stderr.splitlines() if "bot.store.db" in line]
    assert len(outage_lines) == 2, outage_lines  # one when it starts, one when it ends
    assert "unavailable" in outage_lines[0] and "available again after" in outage_lines[1]


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
