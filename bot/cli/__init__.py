"""Composition root: parses the command line, builds collaborators, maps errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.errors import KhulasaError
from bot.logs import LOG_FORMATS, use_json_logs
from summarizer.errors import InputError, ModelUnavailableError, SummarizerError

from . import ask, config_cmd, digest, eval_qa, eval_stories, run, stories, summarize, worker

log = logging.getLogger(__name__)

# Each module adds its subcommand and sets `handler` (args -> exit code); order is help order.
COMMAND_MODULES = (
    digest,
    run,
    worker,
    summarize,
    ask,
    eval_qa,
    stories,
    eval_stories,
    config_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="khulasa", description="Khulasa (خلاصة): tech news, summarized. Arabic first."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-v", "--verbose", action="store_true", help="info-level logs on stderr")
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text",
        help="text (default) or json: one JSON object per log line",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def _configure_logging(
    debug: bool, verbose: bool, long_running: bool, log_format: str = "text"
) -> None:
    """Timestamps only for the long-running bot; one-shot commands keep their warnings short."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    stamp = "%(asctime)s " if long_running else ""
    logging.basicConfig(level=level, format=f"{stamp}%(levelname)s %(name)s: %(message)s")
    if log_format == "json":
        use_json_logs()
    # Bot API URLs carry the token: keep httpx's request lines out of the logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _exit_code_for(error: SummarizerError) -> int:
    return 2 if isinstance(error, InputError | ModelUnavailableError) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(
        args.debug,
        args.verbose,
        long_running=args.command in {"run", "worker"},
        log_format=args.log_format,
    )
    try:
        return int(args.handler(args) or 0)
    except KhulasaError as error:
        if args.debug:
            raise
        print(f"khulasa: error: {error}", file=sys.stderr)
        return error.exit_code
    except SummarizerError as error:
        if args.debug:
            raise
        print(f"khulasa: error: {error}", file=sys.stderr)
        return _exit_code_for(error)
    except BrokenPipeError:
        # The reader of our output went away (`khulasa digest | head`): exit quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
