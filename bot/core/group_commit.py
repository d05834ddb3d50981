"""Group commit: concurrent single writes of a delivery round share one transaction.

Each destination in flight reserves its next post and records its last one on its own, in
order; waiting for a transaction per post would cap a round at a few hundred commits a second
(fewer on SQLite, which writes one transaction at a time). Calls made while a write runs wait
and go together in the next one, so a round of N destinations in flight commits about N posts
per transaction while each caller still gets its own answer only after its row is committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """`await commit(item)` returns once `write([... item ...])` has run; the first call writes at once."""

    def __init__(self, write: Callable[[list[T]], Awaitable[Sequence[R]]]) -> None:
        self._write = write
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await future

    async def _write_all(self) -> None:
        """Writes what waits, batch after batch, until nothing is left."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                results = await self._write([item for item, _ in batch])
            except asyncio.CancelledError:
                for _, future in batch + self._waiting:
                    future.cancel()
                raise
            except Exception as error:  # every caller of the failed transaction hears of it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
