"""The engine interface every task runs behind, in process or on the PostgreSQL queues."""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.errors import ConfigError

# A task: a module-level coroutine function of `bot.flow.tasks` taking the flow, then ids.
Task = Callable[..., Awaitable[Any]]


class Engine(Protocol):
    """Where tasks run. `defer` hands a task over and returns; the engine decides when it runs.

    A task may assume: it gets ids (never payloads), it may run more than once for one defer
    (at-least-once) and so is idempotent, and an identical job still waiting is not queued twice.
    """

    async def defer(self, task: Task, **ids: Any) -> None:
        """Queues `task(flow, **ids)`; returns once it is queued, not once it ran."""
        ...

    async def run_until_idle(self) -> None:
        """Waits until nothing this engine holds is queued or running (the local engine)."""
        ...


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
