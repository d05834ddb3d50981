"""SIGINT/SIGTERM for the long-running commands: caught for the whole run, as a stop request."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@asynccontextmanager
async def stop_signals(*, owns_loop: bool = False) -> AsyncIterator[asyncio.Event]:
    """An event set by SIGINT or SIGTERM, with the handlers in place until everything closed.

    They go in before anything opens and come out only after everything closed: a stop during
    start-up skips the rest of it, and a second signal during shutdown is absorbed instead of
    interrupting the wind-down half-way (nothing is left half-recorded). With `owns_loop` (the
    CLI), the loop's worker threads are also joined before the handlers go.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, _request_stop, stopping, sig)
    try:
        yield stopping
    finally:
        if owns_loop:  # asyncio.run would wait for the threads with Ctrl-C raising in the middle
            await loop.shutdown_default_executor()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def _request_stop(stopping: asyncio.Event, sig: signal.Signals) -> None:
    if not stopping.is_set():
        log.info("%s received: stopping after the work in flight", sig.name)
    stopping.set()
