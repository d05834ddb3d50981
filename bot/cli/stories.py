"""`khulasa stories --input ITEMS.jsonl --output GROUPS.jsonl`: articles grouped into stories.

Input lines `{"id", "text", "title"?, "language"?, "published"?, "source"?}` are taken in
publication order, as a live stream meets them; one output line per input, in input order,
`{"id", "story"}`, where a story is named by the id of its first article.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.arguments import add_config_argument
from bot.cli.ask import _config
from bot.config import parse_duration
from bot.errors import UsageError
from summarizer.stories.types import EMBEDDING_BACKENDS

if TYPE_CHECKING:
    from summarizer.stories.embeddings import Embedder
    from summarizer.stories.grouping import LabelledArticle


def add_grouping_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `stories` and `eval-stories` share."""
    parser.add_argument(
        "--embeddings",
        choices=EMBEDDING_BACKENDS,
        help="embeddings backend (default: the config's embeddings.backend)",
    )
    parser.add_argument("--window", help="how far back an article may join a story, e.g. 3d")
    add_config_argument(parser, optional=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `stories` subcommand."""
    parser = subparsers.add_parser(
        "stories", help="group articles that report the same event (JSON lines in and out)"
    )
    parser.add_argument("--input", type=Path, required=True, help="articles, JSON lines")
    parser.add_argument("--output", type=Path, required=True, help="where to write the groups")
    add_grouping_arguments(parser)
    parser.set_defaults(handler=handle)


def grouping_settings(args: argparse.Namespace) -> tuple[Embedder | None, timedelta]:
    """The embedder (None for `none`) and the window, from the config and the command line."""
    from summarizer.stories.embeddings import load_embedder

    config = _config(args.config)
    window = config.stories.window_delta()
    if args.window is not None:
        try:
            window = parse_duration(args.window)
        except ValueError as error:
            raise UsageError(f"--window: {error}") from error
    options = config.embeddings.to_options()
    if args.embeddings:
        options = replace(options, backend=args.embeddings)
    return load_embedder(options), window


def group_file(
    path: Path, args: argparse.Namespace, labelled: bool
) -> tuple[list[LabelledArticle], dict[str, str]]:
    """The input's items and their stories (id -> story id)."""
    from summarizer.stories.grouping import group_articles, read_items

    items = read_items(str(path), labelled=labelled)
    embedder, window = grouping_settings(args)
    stories = group_articles([item.article for item in items], embedder, window=window)
    return items, stories


def handle(args: argparse.Namespace) -> int:
    """Groups the input and writes one `{"id", "story"}` line per input line."""
    items, stories = group_file(args.input, args, labelled=False)
    lines = [
        json.dumps({"id": item.article.id, "story": stories[item.article.id]}, ensure_ascii=False)
        for item in items
    ]
    try:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from error
    return 0
