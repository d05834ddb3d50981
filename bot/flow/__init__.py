"""One flow of work: each kind of work is one task, and an engine decides where and when it runs.

`tasks` holds the work (fetch a source, summarize articles, deliver, send a digest, catch up);
`local` runs it in this process (asyncio), `queued` on procrastinate's PostgreSQL queues for
`khulasa worker` processes; `triggers` only decide when, and defer (docs/adr/014).
"""

from bot.flow.engine import Engine, requires_postgres
from bot.flow.tasks import Flow

__all__ = ["Engine", "Flow", "requires_postgres"]
