"""`khulasa run`: the long-running bot (scheduler, core, console and enabled platform adapters)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.app import Application, open_runtime
from bot.config import Config, load_config, resolve_config_path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `run` subcommand."""
    parser = subparsers.add_parser("run", help="run the bot until SIGINT/SIGTERM; SIGHUP reloads")
    parser.add_argument(
        "--config", help="config file (default: $KHULASA_CONFIG or config/khulasa.yaml)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Loads the config once, then runs everything in one asyncio loop."""
    path = resolve_config_path(args.config)
    config = load_config(path)
    asyncio.run(_run(config, path))
    return 0


async def _run(config: Config, path: Path) -> None:
    async with open_runtime(config) as runtime:
        await Application(runtime, path).run()
