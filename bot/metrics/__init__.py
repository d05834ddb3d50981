"""Prometheus metrics and a health endpoint: `khulasa_…` instruments and their HTTP server."""

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
from bot.metrics.server import HealthCheck, MetricsServer, metrics_server

__all__ = [
    "FailureKind",
    "HealthCheck",
    "Metrics",
    "MetricsServer",
    "article_fetched",
    "current",
    "delivered",
    "failure",
    "metrics_server",
    "observe_summarize",
    "set_queue_depth",
    "use",
]
