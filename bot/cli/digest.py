"""`khulasa digest`: fetch every enabled source once, summarize what is new, print the digest.

The same tasks as `khulasa run` (`bot.flow.tasks`), run to completion on the in-process engine.
The digest is a delivery like any other: the console sender, through the delivery core, to the
destination `console:digest`, so what one run printed the next one does not print again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING

from bot.cli.arguments import add_config_argument
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.config import Config

DIGEST_CHAT_ID = "digest"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `digest` subcommand."""
    parser = subparsers.add_parser(
        "digest", help="fetch enabled sources once, summarize new articles, print the digest"
    )
    add_config_argument(parser)
    parser.add_argument("--limit", type=int, help="print at most N stories")
    parser.add_argument(
        "--all",
        action="store_true",
        help="print every stored story, not only new ones (records nothing as printed)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Runs one digest and prints it to stdout; warnings go to stderr."""
    from bot.config import load_config

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be a positive number")
    config = load_config(args.config)
    asyncio.run(run_digest(config, show_all=args.all, limit=args.limit, output=args.format))
    return 0


async def run_digest(config: Config, *, show_all: bool, limit: int | None, output: str) -> int:
    """Fetches and summarizes, then delivers the new summaries (or lists them all) to stdout."""
    from bot.adapters.console import ConsoleSender
    from bot.composition import open_services
    from bot.core import Destination
    from bot.core.posts import story_post
    from bot.flow import tasks

    sender = ConsoleSender(sys.stdout, output)  # type: ignore[arg-type]
    async with open_services(config, external=False) as services:
        services.flow.progress = True  # shown only when stderr is a terminal
        # what an earlier run fetched but could not summarize, then every source once
        await services.engine.defer(tasks.sweep, fetched_before=int(time.time()) + 1)
        for source in config.sources:
            if source.enabled:
                await services.engine.defer(tasks.fetch, source=source.name)
        await services.engine.run_until_idle()  # fetched, then summarized
        destination = Destination(sender.platform, DIGEST_CHAT_ID)
        if show_all:  # each story once, as a destination that was never sent anything sees it
            stories = await services.core.every_story(Destination(sender.platform, ""), limit)
            for story in stories:
                await sender.send_post(
                    destination, story_post(story.post), config.delivery.language
                )
            return len(stories)
        return await services.core.deliver_backlog(
            sender, destination, config.delivery.language, limit
        )
