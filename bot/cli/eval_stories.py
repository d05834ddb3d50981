"""`khulasa eval-stories --data LABELLED.jsonl`: story grouping measured against event labels."""

from __future__ import annotations

import argparse

from bot.cli.arguments import add_data_argument
from bot.cli.stories import add_grouping_arguments, group_file


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `eval-stories` subcommand."""
    parser = subparsers.add_parser(
        "eval-stories",
        help="measure story grouping: pairwise precision, recall, cross-language recall",
    )
    add_data_argument(parser, '{"id", "text", "event", "title"?, "language"?, "published"?}')
    add_grouping_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Groups the labelled articles as a stream would and prints the pairwise scores."""
    from summarizer.stories.evaluate import evaluate_grouping, format_story_report
    from summarizer.text import detect_language

    items, stories = group_file(args.data, args, labelled=True)
    events = {item.article.id: str(item.event) for item in items}
    languages = {
        item.article.id: item.article.language or detect_language(item.article.lead())
        for item in items
    }
    print(format_story_report(evaluate_grouping(stories, events, languages)))
    return 0
