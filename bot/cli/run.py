"""`khulasa run`: the long-running bot (scheduler, core, console and enabled platform adapters)."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.arguments import add_config_argument
from bot.config import load_config, resolve_config_path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `run` subcommand."""
    parser = subparsers.add_parser("run", help="run the bot until SIGINT/SIGTERM; SIGHUP reloads")
    add_config_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Loads the config once, checks tokens before opening anything, then runs one asyncio loop."""
    from bot.adapters import require_tokens
    from bot.app import serve

    path = resolve_config_path(args.config)
    config = load_config(path)
    require_tokens(config)
    asyncio.run(serve(config, path, owns_loop=True))
    return 0
