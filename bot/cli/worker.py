"""`khulasa worker`: fetch and summarize jobs from the PostgreSQL queues, on any machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import TYPE_CHECKING

from bot.cli.arguments import add_config_argument
from bot.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from bot.config import Config
    from summarizer.types import Summarizer

log = logging.getLogger(__name__)

DEFAULT_QUEUES = "fetch,summarize"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `worker` subcommand."""
    parser = subparsers.add_parser(
        "worker", help="take fetch and summarize jobs (PostgreSQL storage, workers.external)"
    )
    add_config_argument(parser)
    parser.add_argument(
        "--queues",
        default=DEFAULT_QUEUES,
        help="comma-separated: fetch, summarize, schedule (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        help="jobs at once (default: summarizer.batch_size, so a model batch can fill)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Checks the config and the queues before anything opens, then works until SIGTERM."""
    from bot.config import load_config
    from bot.flow import requires_postgres
    from bot.flow.queued import WORKER_QUEUES

    queues = [name.strip() for name in args.queues.split(",") if name.strip()]
    unknown = sorted(set(queues) - set(WORKER_QUEUES))
    if not queues or unknown:
        raise UsageError(
            f"--queues takes {', '.join(WORKER_QUEUES)}; got {', '.join(unknown) or 'none'}"
        )
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError("--concurrency must be a positive number")
    config = load_config(args.config)
    requires_postgres(config.storage.url)
    if not config.workers.external:
        raise ConfigError(
            "workers.external is false: `khulasa run` fetches and summarizes itself; "
            "set workers.external: true to hand that to khulasa worker"
        )
    concurrency = args.concurrency or config.summarizer.batch_size
    asyncio.run(serve_worker(config, queues, concurrency))
    return 0


async def serve_worker(config: Config, queues: list[str], concurrency: int) -> None:
    """One worker process: the store, the summarizer (when it summarizes) and the job loop."""
    from bot.composition import open_services
    from bot.flow.queued import QueuedEngine
    from bot.metrics.server import metrics_server
    from bot.signals import stop_signals

    async with stop_signals(owns_loop=True) as stopping:
        async with open_services(config, summarizer=_summarizer_for(config, queues)) as services:
            if stopping.is_set():
                return
            if "summarize" in queues:  # ready means ready: the first batch waits for no load
                await asyncio.to_thread(services.summarizer.load)
            assert isinstance(services.engine, QueuedEngine)  # workers.external, checked above
            async with metrics_server(config.metrics.listen, services.store.ping):
                log.info("khulasa worker on queues %s, %d at once", ",".join(queues), concurrency)
                await services.engine.work(services.flow, queues, concurrency, stopping)
    log.info("khulasa worker stopped")


def _summarizer_for(config: Config, queues: list[str]) -> Summarizer | None:
    """A fetch-only worker needs no model: an extractive stand-in saves loading one."""
    if "summarize" in queues:
        return None  # the composition root builds the configured one
    from summarizer.extractive import ExtractiveSummarizer

    return ExtractiveSummarizer(config.summarizer.to_options())
