"""Prometheus metrics: the `khulasa_…` instruments; `bot.metrics.server` serves them and /healthz.

The server (aiohttp) is not imported here, so the code that counts stays light.
"""

from bot.metrics.instruments import (
    FailureKind,
    Metrics,
    article_fetched,
    current,
    delivered,
    failure,
    observe_summarize,
    set_queue_depth,
    use,
)

__all__ = [
    "FailureKind",
    "Metrics",
    "article_fetched",
    "current",
    "delivered",
    "failure",
    "observe_summarize",
    "set_queue_depth",
    "use",
]
