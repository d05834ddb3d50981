"""`khulasa eval-qa --data D.jsonl`: a Q&A backend measured on answerable and unanswerable cases."""

from __future__ import annotations

import argparse
from dataclasses import replace

from bot.cli.arguments import add_config_argument, add_data_argument
from bot.cli.ask import BACKENDS, _config, _options


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `eval-qa` subcommand."""
    parser = subparsers.add_parser(
        "eval-qa",
        help="measure a Q&A backend: answerable questions, removed paragraphs, other articles",
    )
    add_data_argument(
        parser, '{"paragraphs": [...], "qas": [{"question", "paragraph", "answers"}]}'
    )
    parser.add_argument("--backend", choices=BACKENDS, help="default: the config's qa.backend")
    parser.add_argument("--model", help="QA model id or directory (transformers) or LLM model name")
    parser.add_argument("--min-score", type=float, help="override qa.min_score (retrieval)")
    add_config_argument(parser, optional=True)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Builds the cases from the data, runs each through the backend, prints the rates."""
    from summarizer.qa import answer
    from summarizer.qa.evaluate import build_cases, evaluate_qa, format_qa_report, load_qa_articles

    options = _options(_config(args.config), args)
    if args.min_score is not None:
        options = replace(options, min_score=args.min_score)
    cases = build_cases(load_qa_articles(args.data))
    report = evaluate_qa(
        cases, lambda question, article, opts: answer(question, article, options=opts), options
    )
    print(format_qa_report(report))
    return 0
