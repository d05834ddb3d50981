"""Two pollers on one token: the fake answers 409 like Telegram; the newcomer stops, the other serves.

Telegram ends a waiting getUpdates with 409 Conflict when another one arrives for the same
token. The incumbent here is an in-process bot whose grace window is short; the newcomer is a
real `khulasa run` child with the default window, so its exit code and stderr are the CLI's.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from bot.adapters.telegram.polling import IN_USE
from bot.metrics import Metrics
from tests.helpers.bot_process import BotProcess, child_env, write_config
from tests.helpers.fake_telegram import CONFLICT, Fail, FakeTelegram
from tests.telegram.conftest import READER_EN, StackFactory, make_config

POLLING_LOGGER = "bot.adapters.telegram.polling"
READER_CHAT = READER_EN["id"]


def _receive_failures(instruments: Metrics) -> float | None:
    return instruments.registry.get_sample_value("khulasa_failures_total", {"kind": "receive"})


async def test_a_second_get_updates_ends_the_waiting_one_with_409() -> None:
    fake = FakeTelegram(long_poll_cap_s=10)  # the first poll would wait 10 s unless ended
    await fake.start()
    url = f"{fake.base_url}{fake.token}/getUpdates"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            first = asyncio.create_task(client.post(url, data={"timeout": "10"}))
            await fake.wait_for(lambda: fake.polling)
            second = await client.post(url, data={"timeout": "0"})
            ended = await asyncio.wait_for(first, 2)
    finally:
        await fake.close()
    assert ended.status_code == 409
    assert ended.json() == {
        "ok": False,
        "error_code": 409,
        "description": (
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        ),
    }
    assert second.status_code == 200 and second.json() == {"ok": True, "result": []}
    assert not fake.polling


async def test_other_polling_errors_are_one_line_each_and_polling_goes_on(
    start_bot: StackFactory, caplog: pytest.LogCaptureFixture, fresh_metrics: Metrics
) -> None:
    caplog.set_level(logging.WARNING)
    stack = await start_bot()
    stack.fake.fail_next("getUpdates", Fail(502, "Bad Gateway"))
    await stack.fake.wait_for(lambda: [c for c in stack.fake.calls if c.method == "getUpdates"])
    [reply] = await stack.say(READER_CHAT, READER_EN, "/help")
    assert "/subscribe" in reply.result["text"]
    [line] = [r.getMessage() for r in caplog.records if r.name == POLLING_LOGGER]
    assert "getUpdates failed (Bad Gateway)" in line
    assert not [r for r in caplog.records if r.exc_info]
    assert _receive_failures(fresh_metrics) == 1 and stack.fatal == []


@pytest.mark.timeout(60)  # the newcomer's start-up is most of it: about 5 s on 2 cores
async def test_a_second_khulasa_run_stops_and_the_first_keeps_serving(
    start_bot: StackFactory,
    fake: FakeTelegram,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fresh_metrics: Metrics,
) -> None:
    caplog.set_level(logging.WARNING)
    # 0.5 s of grace: the newcomer's start-up alone takes longer, so the first is past it.
    first = await start_bot(conflict_grace_s=0.5)
    folder = tmp_path / "newcomer"
    (folder / "news").mkdir(parents=True)
    config = make_config(folder, fake).model_dump(mode="json", exclude_defaults=True)
    newcomer = BotProcess(
        ["-v", "run", "--config", str(write_config(folder / "khulasa.yaml", config))],
        cwd=folder,
        env=child_env(TELEGRAM_BOT_TOKEN=fake.token),
    )
    try:
        code = await newcomer.exits(within=40, what="with another poller on its token")
    finally:
        newcomer.kill()

    stderr = newcomer.stderr
    assert code == 2, stderr
    assert stderr.splitlines()[-1] == f"khulasa: error: {IN_USE}"
    assert [line for line in stderr.splitlines() if "409" in line] == [f"khulasa: error: {IN_USE}"]
    assert "khulasa stopped" in stderr and "Traceback" not in stderr
    # at least one 409 each: the first's poll ended by the newcomer's, and the other way round
    assert len([c for c in fake.calls if c.result == CONFLICT]) >= 2

    [reply] = await first.say(READER_CHAT, READER_EN, "/help")
    assert "/subscribe" in reply.result["text"]
    [warning] = [r.getMessage() for r in caplog.records if r.name == POLLING_LOGGER]
    assert "409 Conflict" in warning and "keeps serving" in warning
    assert not [r for r in caplog.records if r.exc_info]
    assert first.fatal == [] and _receive_failures(fresh_metrics) >= 1
