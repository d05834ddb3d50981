"""At most N incoming updates handled at once per process; the rest wait their turn, untimed.

A burst (a bot that goes viral: a thousand commands in a second) would otherwise start every
handler at once, and each would then wait for a pooled resource that has a timeout: a database
thread and connection, an HTTP connection to the platform. The waits time out, the retries add
more waiters, and the process spends its CPU on timeouts instead of answers (ADR 015). Behind
the gate the same burst queues in front of the handlers, where nothing times out, and each
handler that runs finds its connections free.

Closing the gate at shutdown lets the handlers already running finish and drops the ones still
waiting, so a stop under load takes as long as the running few, not the whole queue.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class UpdateGate:
    """A semaphore around update handlers that can be closed: `wrap` a handler, `close` at stop."""

    def __init__(self, limit: int, platform: str) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._platform = platform
        self._closed = False
        self.dropped = 0  # updates that were still waiting when the gate closed

    def wrap(self, handler: Callable[P, Awaitable[object]]) -> Callable[P, Awaitable[None]]:
        """`handler` run only when a slot is free; skipped once the gate is closed."""

        @functools.wraps(handler)
        async def gated(*args: P.args, **kwargs: P.kwargs) -> None:
            if self._closed:
                self.dropped += 1
                return
            async with self._slots:
                if self._closed:  # it closed while this one waited: the slot passes on at once
                    self.dropped += 1
                    return
                await handler(*args, **kwargs)

        return gated

    def close(self) -> None:
        """No handler starts from now on; those running finish, those waiting are dropped."""
        self._closed = True

    def report(self) -> None:
        """One line at shutdown when updates were dropped (they were received, never answered)."""
        if self.dropped:
            log.warning(
                "%s: %d updates dropped unanswered at shutdown (they were waiting their turn)",
                self._platform,
                self.dropped,
            )
