"""Callbacks that other parts register (delivery after a fetch, admin notices), called safely."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)


async def call_each(callbacks: Iterable[Callable[..., Any]], *args: Any) -> None:
    """Calls every callback (sync or async); one failing is logged and does not stop the rest."""
    for callback in callbacks:
        try:
            outcome = callback(*args)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:  # a hook's bug must not break the job or hide what it reports
            log.error("callback %r failed for %r", callback, args, exc_info=True)
