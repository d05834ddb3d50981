"""Black-box: one `khulasa run` and two `khulasa worker` processes on a real PostgreSQL.

The feed grows while the test runs; each worker is SIGKILLed once mid-run and restarted.
Every article must get exactly one summary row, every story must reach each of four channels
once (a second source's report of the first story is an edit of its post, made once), and
every process must exit 0 on SIGTERM.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.helpers.bot_process import BotProcess, child_env, khulasa_command, write_config
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.feed_server import FeedServer
from tests.helpers.postgres import libpq_url
from tests.helpers.wire import (
    DESK_FEED,
    FEED,
    FETCH_EVERY,
    STORIES,
    desk_rss,
    edits,
    everywhere,
    received,
    rss,
    wire_config,
)

WORKERS = {"tick_seconds": 2, "batch_wait": 0.2, "stalled_after": 6}


def worker_config(tmp_path: Path, url: str, feeds: FeedServer, telegram: FakeTelegram) -> Path:
    data = wire_config(url, feeds, telegram, desk=True)
    data["summarizer"]["batch_size"] = 4
    data["workers"] = {"external": True, **WORKERS}
    return write_config(tmp_path / "khulasa.yaml", data)


def summaries_per_article(url: str) -> dict[int, int]:
    with psycopg.connect(libpq_url(url)) as connection:
        rows = connection.execute(
            "SELECT a.id, count(s.id) FROM articles a LEFT JOIN summaries s "
            "ON s.article_id = a.id GROUP BY a.id"
        ).fetchall()
    return dict(rows)


@pytest.mark.timeout(170)
async def test_one_run_two_workers_killed_and_restarted_lose_and_double_nothing(
    tmp_path: Path,
    postgres_url: str,
    feeds: FeedServer,
    telegram: FakeTelegram,
    bots: list[BotProcess],
) -> None:
    keys = list(STORIES)
    feeds.serve(FEED, body=rss(keys[:1]))
    feeds.serve(DESK_FEED, body=desk_rss(reported=False))
    config = worker_config(tmp_path, postgres_url, feeds, telegram)
    env = child_env(TELEGRAM_BOT_TOKEN=telegram.token)

    def start(name: str, *argv: str) -> BotProcess:
        process = BotProcess([*argv, "--config", str(config)], cwd=tmp_path, env=env, name=name)
        bots.append(process)
        return process

    bot = start("run", "-v", "run")
    await bot.until(lambda: "khulasa running" in bot.stderr, within=40, what="run's start")
    await bot.stays_up(5, what="with no worker")  # run alone fetches and summarizes nothing
    assert summaries_per_article(postgres_url) == {} and not telegram.calls_of("sendMessage")

    workers = [start(f"worker{n}", "-v", "worker") for n in (1, 2)]
    await bot.until(lambda: everywhere(telegram, {keys[0]}), within=40, what="the first story")

    for index, key in enumerate(keys[1:], 1):
        feeds.serve(FEED, body=rss(keys[: index + 1]))
        victim = workers[index - 1]
        victim.process.kill()  # SIGKILL mid-run: its jobs, if any, are retried by the other
        await asyncio.to_thread(victim.process.wait, 10)
        workers[index - 1] = start(f"worker{index}-again", "-v", "worker")
        await bot.until(lambda k=key: everywhere(telegram, {k}), within=50, what=f"story {key}")

    feeds.serve(DESK_FEED, body=desk_rss(reported=True))  # the first story gains a source
    await bot.until(lambda: min(edits(telegram).values()) >= 1, within=50, what="the edits")

    for process in [bot, *workers]:
        assert await process.terminate(within=30) == 0, process.stderr_tail()
        assert "Traceback" not in process.stderr, process.stderr_tail()

    assert sorted(summaries_per_article(postgres_url).values()) == [1] * (len(keys) + 1)  # desk
    got_by_chat = received(telegram)
    assert all(sorted(got) == sorted(keys) for got in got_by_chat.values()), got_by_chat
    assert set(edits(telegram).values()) == {1}, edits(telegram)
    assert not telegram.rejected


def test_a_worker_on_sqlite_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path / "k.yaml", {"storage": {"url": f"sqlite:///{tmp_path}/k.db"}})
    done = subprocess.run(
        khulasa_command("worker", "--config", str(config)),
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "khulasa: error: workers need PostgreSQL storage (storage.url: postgresql+psycopg://…); "
        "on SQLite, `khulasa run` fetches and summarizes itself"
    ]


TICK_RUN = re.compile(r"Starting job khulasa:tick\[\d+\]\(timestamp=(\d+)\)")


@pytest.mark.timeout(120)
async def test_two_runs_never_both_fire_one_tick(
    tmp_path: Path, postgres_url: str, feeds: FeedServer, bots: list[BotProcess]
) -> None:
    feeds.serve(FEED, body=rss(list(STORIES)[:1]))
    data = {
        "storage": {"url": postgres_url},
        "summarizer": {"backend": "extractive"},
        "workers": {"external": True, **WORKERS},
        "sources": [{"name": "wire", "url": feeds.url(FEED), "schedule": FETCH_EVERY}],
    }
    config = write_config(tmp_path / "khulasa.yaml", data)
    runs = [
        BotProcess(
            ["-v", "run", "--config", str(config)], cwd=tmp_path, env=child_env(), name=f"run{n}"
        )
        for n in (1, 2)
    ]
    bots.extend(runs)
    for run in runs:
        await run.until(lambda r=run: "khulasa running" in r.stderr, within=40, what="start")
    await runs[0].until(
        lambda: sum(len(TICK_RUN.findall(run.stderr)) for run in runs) >= 6,
        within=40,
        what="six ticks",
    )
    for run in runs:
        assert await run.terminate(within=30) == 0, run.stderr_tail()
    ticks = [int(stamp) for run in runs for stamp in TICK_RUN.findall(run.stderr)]
    assert len(ticks) == len(set(ticks)), sorted(ticks)  # each period's tick ran once in all
    assert all(stamp % WORKERS["tick_seconds"] == 0 for stamp in ticks)
