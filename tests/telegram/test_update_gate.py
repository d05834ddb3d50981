"""The update gate: at most N handlers at once, the rest wait; closing drops the waiting ones."""

from __future__ import annotations

import asyncio

from bot.adapters.gate import UpdateGate


async def test_no_more_than_the_limit_run_at_once_and_all_run_in_turn() -> None:
    gate = UpdateGate(3, "telegram")
    running, peak, done = 0, 0, []

    async def handler(index: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        done.append(index)

    await asyncio.gather(*(gate.wrap(handler)(i) for i in range(20)))
    assert peak == 3
    assert sorted(done) == list(range(20))
    assert gate.dropped == 0


async def test_closing_lets_the_running_finish_and_drops_the_waiting(caplog) -> None:  # noqa: ANN001
    gate = UpdateGate(2, "telegram")
    release = asyncio.Event()
    started: list[int] = []
    finished: list[int] = []
    both_started = asyncio.Event()

    async def handler(index: int) -> None:
        started.append(index)
        if len(started) == 2:
            both_started.set()
        await release.wait()
        finished.append(index)

    tasks = [asyncio.create_task(gate.wrap(handler)(i)) for i in range(10)]
    await asyncio.wait_for(both_started.wait(), 1)
    gate.close()
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    await gate.wrap(handler)(99)  # after closing, nothing starts
    assert started == finished == [0, 1]
    assert gate.dropped == 9
    gate.report()
    assert "telegram: 9 updates dropped unanswered at shutdown" in caplog.text
