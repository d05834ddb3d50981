"""Delivery is driven by the summary event: nothing reads the summaries table while idle."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import event

from bot.app import Application
from bot.composition import open_services
from bot.config import load_config
from tests.test_scheduler_reload import SignallingStream, seed_dir, write_config

IDLE_SECONDS = 1.0


async def test_an_idle_run_sends_no_statement_on_the_summaries_table(tmp_path: Path) -> None:
    seeds = seed_dir(tmp_path)
    path = write_config(
        tmp_path / "k.yaml", tmp_path, [{"name": "seeds", "path": seeds, "schedule": "1h"}]
    )
    out = SignallingStream()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    async with open_services(load_config(path)) as services:
        app = Application(services, path, poll_seconds=0.05)
        app.adapters[0].sender.stream = out
        running = asyncio.create_task(app.run())
        try:
            # fetched, grouped (the bundled encoder loads on first use), summarized, posted
            await asyncio.wait_for(out.written.wait(), 30)
            await asyncio.wait_for(app.local.run_until_idle(), 5)
            engine = services.store.db.engine
            event.listen(engine, "before_cursor_execute", count)
            await asyncio.sleep(IDLE_SECONDS)  # the test's subject is this idle time
            event.remove(engine, "before_cursor_execute", count)
        finally:
            app.stop()
            await asyncio.wait_for(running, 5)
    assert statements, "the run polled nothing at all: the config watch should still query"
    assert [s for s in statements if "summaries" in s] == []
