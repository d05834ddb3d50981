"""Summaries stored, as an event: delivery starts from it, no process polls the summaries table.

On PostgreSQL the transaction that stores summaries also sends `NOTIFY khulasa_summaries`, so
every process that LISTENs (each `khulasa run`) hears of summaries whatever process stored them;
elsewhere (SQLite: one process) storing them signals this process's listeners directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.hooks import call_each
from bot.store.db import Database

log = logging.getLogger(__name__)

CHANNEL = "khulasa_summaries"
RECONNECT_DELAYS = (1.0, 2.0, 5.0)


class SummaryEvents:
    """`subscribe(hook)` to hear of stored summaries; `await next(timeout)` to wait for one."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._hooks: list[Callable[[], Any]] = []
        self._next: asyncio.Event | None = None

    @property
    def notifies(self) -> bool:
        """Whether other processes hear of summaries too (PostgreSQL's NOTIFY)."""
        return self._db.dialect == "postgresql"

    def subscribe(self, hook: Callable[[], Any]) -> None:
        """`hook()` (sync or async) runs on the loop each time summaries were stored."""
        self._hooks.append(hook)

    async def next(self, within: float) -> bool:
        """Waits up to `within` seconds for the next event; whether one came."""
        if self._next is None:
            self._next = asyncio.Event()
        try:
            await asyncio.wait_for(self._next.wait(), within)
        except TimeoutError:
            return False
        return True

    def announce(self, session: Session) -> None:
        """Inside the transaction that stores summaries: NOTIFY goes out when it commits."""
        if self.notifies:
            session.execute(text(f"NOTIFY {CHANNEL}"))

    async def stored(self) -> None:
        """After the commit, in the storing process: without NOTIFY, this is the event."""
        if not self.notifies:
            await self._fire()

    async def listen(self) -> None:
        """LISTENs on PostgreSQL until cancelled; each notification (and each (re)connect,
        which covers what was missed meanwhile) is an event. Nothing to do elsewhere."""
        if not self.notifies:
            return
        import psycopg  # the PostgreSQL extra; SQLite installs need not have it

        attempt = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._db.conninfo, autocommit=True, connect_timeout=5
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    attempt = 0
                    await self._fire()
                    async for _ in connection.notifies():
                        await self._fire()
            except psycopg.Error as error:
                log.debug("summary events: %s", error)
            delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
            attempt += 1
            await asyncio.sleep(delay)

    async def _fire(self) -> None:
        waiting, self._next = self._next, None
        if waiting is not None:
            waiting.set()
        await call_each(self._hooks)
