"""Collects the summarize jobs that run at once on a worker into one model batch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)

SummarizeMany = Callable[[Sequence[int]], Awaitable[list[int]]]


class SummaryBatcher:
    """`await submit(article_id)` returns once a batch holding the article is summarized and stored.

    A batch closes when it holds `size` articles or `wait` seconds after its first one, so a
    GPU worker with enough concurrent jobs runs full batches and a quiet one waits briefly.
    Batches run one at a time: the model is one, and jobs arriving meanwhile fill the next one.
    """

    def __init__(self, summarize_many: SummarizeMany, *, size: int, wait: float) -> None:
        self._summarize_many = summarize_many
        self.size = size
        self.wait = wait
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._model = asyncio.Lock()
        self._batches: set[asyncio.Task[None]] = set()

    async def submit(self, article_id: int) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((article_id, done))
        if len(self._waiting) >= self.size:
            self._close_batch()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self._close_batch)
        await done

    def _close_batch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
        if self._waiting:
            self._timer = asyncio.get_running_loop().call_later(self.wait, self._close_batch)
        if batch:
            task = asyncio.create_task(self._run(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _run(self, batch: list[tuple[int, asyncio.Future[None]]]) -> None:
        ids = [article_id for article_id, _ in batch]
        async with self._model:
            try:
                created = await self._summarize_many(ids)
            except Exception as error:  # each job of the batch fails, and is retried, alone
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                return
        log.info("summarized a batch of %d job(s): %d new summaries", len(ids), len(created))
        for _, done in batch:
            if not done.done():
                done.set_result(None)
