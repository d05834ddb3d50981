"""Fetch and summarize as jobs on procrastinate, for `khulasa worker` processes (ADR 008).

With `workers.external`, the queues live in the PostgreSQL that holds the store: `fetch` and
`summarize` for `khulasa worker`, `deliver` and `schedule` for `khulasa run`. One periodic tick
(deferred once per period however many processes run) reads the schedules from the store and
defers what fell due; every job carries ids only and its effect happens once.
"""

from __future__ import annotations

import importlib.util

from bot.errors import ConfigError


def requires_postgres(storage_url: str) -> None:
    """Workers need the queues in PostgreSQL: anything else is one clear line (exit 2)."""
    if not storage_url.startswith(("postgresql", "postgres")):
        raise ConfigError(
            "workers need PostgreSQL storage (storage.url: postgresql+psycopg://…); "
            "on SQLite, `khulasa run` fetches and summarizes itself"
        )
    if importlib.util.find_spec("procrastinate") is None:
        raise ConfigError(
            "workers need the job engine: pip install 'khulasa[postgres]' (psycopg, procrastinate)"
        )
