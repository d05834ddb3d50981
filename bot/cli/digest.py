"""`khulasa digest`: fetch every enabled source once, summarize what is new, print the digest."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TextIO

from bot.app import open_runtime
from bot.config import Config, load_config
from bot.errors import UsageError
from bot.store import Store
from bot.store.digests import DigestItem, mark_delivered, summarized_items

# What `digest` has printed is recorded like a delivery, so the next run prints only what is new.
DIGEST_DESTINATION = ("console", "digest")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `digest` subcommand."""
    parser = subparsers.add_parser(
        "digest", help="fetch enabled sources once, summarize new articles, print the digest"
    )
    parser.add_argument(
        "--config", help="config file (default: $KHULASA_CONFIG or config/khulasa.yaml)"
    )
    parser.add_argument("--limit", type=int, help="print at most N articles")
    parser.add_argument(
        "--all", action="store_true", help="print every stored summary, not only new ones"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Runs one digest and prints it to stdout; warnings go to stderr."""
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be a positive number")
    config = load_config(args.config)
    items = asyncio.run(collect(config, show_all=args.all, limit=args.limit))
    print_items(items, args.format, sys.stdout)
    return 0


async def collect(config: Config, *, show_all: bool, limit: int | None) -> list[DigestItem]:
    """Fetches and summarizes, then picks the items to print and records them as printed."""
    async with open_runtime(config) as runtime:
        await runtime.pipeline.fetch_all()
        await runtime.pipeline.summarize_pending(progress=True)
        return await asyncio.to_thread(_take_items, runtime.store, show_all, limit)


def _take_items(store: Store, show_all: bool, limit: int | None) -> list[DigestItem]:
    with store.session() as session:
        unseen = summarized_items(session, not_delivered_to=DIGEST_DESTINATION)
        items = summarized_items(session, limit=limit) if show_all else unseen[:limit]
        printed = {item.article_id for item in items}
        mark_delivered(
            session, *DIGEST_DESTINATION, [item for item in unseen if item.article_id in printed]
        )
        return items


def print_items(items: list[DigestItem], output_format: str, stream: TextIO) -> None:
    """Text for people, or JSON lines for tools."""
    for item in items:
        if output_format == "json":
            stream.write(json.dumps(_as_json(item), ensure_ascii=False) + "\n")
        else:
            stream.write(_as_text(item))
    stream.flush()


def _as_json(item: DigestItem) -> dict[str, object]:
    return {
        "id": item.article_id,
        "source": item.source,
        "title": item.title,
        "url": item.url,
        "language": item.language,
        "published": item.published.isoformat() if item.published else None,
        "summary": item.summary,
    }


def _as_text(item: DigestItem) -> str:
    footer = " | ".join(part for part in (item.source, item.url) if part)
    return f"{item.title}\n{item.summary}\n— {footer}\n\n"
