"""The process's `khulasa_…` instruments, and the small functions the rest of the bot calls.

Instruments live on a registry of their own, created on first use (importing this module
creates nothing): the metrics server renders that registry, and tests swap in a fresh one
with `use()`. Every function is cheap and thread-safe, so the pipeline may call them from
worker threads as well as from the event loop.
"""

from __future__ import annotations

import threading
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# One summarize batch on CPU takes seconds (mT5: ~3 s per article); extractive, milliseconds.
SUMMARIZE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)
# From summary stored to post delivered: immediate posts take seconds, digests wait hours.
LAG_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 7 * 24 * 3600)


class FailureKind(StrEnum):
    """What failed, as the `kind` label of `khulasa_failures_total`."""

    FETCH = "fetch"  # a source or page could not be fetched or parsed
    SUMMARIZE = "summarize"  # the summarizer raised on an article or batch
    DELIVERY = "delivery"  # a platform refused or lost a post
    RECEIVE = "receive"  # a platform's updates could not be fetched (Telegram getUpdates, 409s too)
    DATABASE = "database"  # the store was unreachable or refused a write
    JOB = "job"  # a queued job failed (it is retried by the engine)


class Metrics:
    """Counters, gauges and histograms of one process, on their own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.articles_fetched = Counter(
            "khulasa_articles_fetched", "New articles stored, by source.", ["source"], registry=r
        )
        self.articles_summarized = Counter(
            "khulasa_articles_summarized", "Summaries stored, by backend.", ["backend"], registry=r
        )
        self.deliveries = Counter(
            "khulasa_deliveries", "Posts delivered, by platform.", ["platform"], registry=r
        )
        self.failures = Counter("khulasa_failures", "Failures, by kind.", ["kind"], registry=r)
        self.queue_depth = Gauge(
            "khulasa_job_queue_depth", "Jobs waiting to run, by queue.", ["queue"], registry=r
        )
        self.summarize_seconds = Histogram(
            "khulasa_summarize_seconds",
            "Wall time of one summarize batch, by backend.",
            ["backend"],
            buckets=SUMMARIZE_BUCKETS,
            registry=r,
        )
        self.summarize_batch = Histogram(
            "khulasa_summarize_batch_size",
            "Articles per summarize batch.",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.delivery_lag = Histogram(
            "khulasa_delivery_lag_seconds",
            "From summary stored to post delivered, by platform.",
            ["platform"],
            buckets=LAG_BUCKETS,
            registry=r,
        )
        for kind in FailureKind:  # every kind shows (at 0) before its first failure
            self.failures.labels(kind=kind.value)


_lock = threading.Lock()
_current: Metrics | None = None


def current() -> Metrics:
    """The process's instruments, created on first use."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Metrics()
    return _current


def use(metrics: Metrics | None) -> Metrics | None:
    """Makes `metrics` the process's instruments (None: a fresh set on next use); the old ones."""
    global _current
    with _lock:
        previous, _current = _current, metrics
    return previous


def article_fetched(source: str, count: int = 1) -> None:
    """`count` new articles of `source` were stored (not duplicates)."""
    current().articles_fetched.labels(source=source).inc(count)


def observe_summarize(seconds: float, count: int, backend: str = "") -> None:
    """One batch of `count` articles was summarized and stored in `seconds`."""
    metrics = current()
    metrics.summarize_seconds.labels(backend=backend).observe(seconds)
    metrics.summarize_batch.observe(count)
    metrics.articles_summarized.labels(backend=backend).inc(count)


def delivered(platform: str, lag_seconds: float | None = None) -> None:
    """One post reached a destination; `lag_seconds` since its summary was stored, when known."""
    metrics = current()
    metrics.deliveries.labels(platform=platform).inc()
    if lag_seconds is not None:
        metrics.delivery_lag.labels(platform=platform).observe(max(0.0, lag_seconds))


def failure(kind: FailureKind | str) -> None:
    """Something of this kind failed once."""
    current().failures.labels(kind=FailureKind(kind).value).inc()


def set_queue_depth(queue: str, depth: int) -> None:
    """How many jobs wait in `queue` now (set before each scrape by a refresher)."""
    current().queue_depth.labels(queue=queue).set(depth)
