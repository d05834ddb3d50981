"""Black-box: a burst of commands on PostgreSQL queues behind the bound instead of timing out.

`khulasa run` handles at most `telegram.concurrent_updates` updates at once (here 4, so the
queue in front of them is long). 200 `/subscribe` from 200 private chats arrive in one
getUpdates: every one is answered once, nothing in the log timed out, failed or retried. A
second burst is then cut short by SIGTERM at its first reply: the process exits within a few
seconds, dropping (and saying so) the updates still waiting their turn.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from benchmarks.command_burst import FIRST_CHAT, BurstTelegram, bot_config, push_burst
from tests.helpers.bot_process import BotProcess, child_env, write_config

COMMANDS = 200
BOUND = 4


@pytest.fixture
async def fake() -> AsyncIterator[BurstTelegram]:
    server = BurstTelegram()
    await server.start()
    yield server
    await server.close()


@pytest.mark.timeout(120)
async def test_200_commands_are_all_answered_and_sigterm_exits_while_more_wait(
    tmp_path: Path, postgres_url: str, fake: BurstTelegram, bots: list[BotProcess]
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config = write_config(tmp_path / "khulasa.yaml", bot_config(postgres_url, fake, seeds, BOUND))
    bot = BotProcess(
        ["run", "--config", str(config)],
        cwd=tmp_path,
        env=child_env(TELEGRAM_BOT_TOKEN=fake.token),
    )
    bots.append(bot)
    await bot.until(lambda: fake.polling, within=60, what="polling")

    first = range(FIRST_CHAT, FIRST_CHAT + COMMANDS)
    push_burst(fake, first)
    await bot.until(lambda: fake.answered(first) == COMMANDS, within=60, what="every answer")
    assert fake.replies == COMMANDS and fake.repeated == 0 and fake.failed_calls == 0

    second = range(first.stop, first.stop + COMMANDS)
    push_burst(fake, second)
    await bot.until(lambda: fake.answered(second) > 0, within=30, what="a second-burst answer")
    code = await bot.terminate(within=5)

    log = bot.stderr
    assert code == 0, bot.stderr_tail()
    for sign in ("Timed out", "Pool timeout", "Traceback", "failed"):
        assert sign not in log, bot.stderr_tail()
    dropped = re.search(r"telegram: (\d+) updates dropped unanswered at shutdown", log)
    assert dropped is not None, bot.stderr_tail()
    answered = fake.answered(second)
    assert int(dropped.group(1)) + answered == COMMANDS  # each either answered or dropped
    assert answered < COMMANDS / 2  # the stop did not wait for the queue
