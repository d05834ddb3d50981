"""`khulasa summarize` and `khulasa eval`: the summarizer library on files, stdin and JSON lines.

Backends, ROUGE and the text tools are imported when a command runs, not when the CLI starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.errors import UsageError
from summarizer.errors import InputError
from summarizer.types import Article, GenerationSettings, Summarizer, SummarizerOptions

log = logging.getLogger(__name__)

BACKENDS = ("auto", "extractive", "transformers", "ct2")
_PROGRESS_MIN_ARTICLES = 20  # fewer than this finish before a bar would tell anything


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return number


def _add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = SummarizerOptions()
    parser.add_argument("--backend", choices=BACKENDS, default=defaults.backend)
    parser.add_argument("--model", default=defaults.model, help="model id or local directory")
    parser.add_argument("--sentences", type=_positive, default=defaults.sentences)
    parser.add_argument("--num-beams", type=_positive, default=None)
    parser.add_argument("--min-new-tokens", type=_positive, default=None)
    parser.add_argument("--max-new-tokens", type=_positive, default=None)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds `summarize` and `eval`."""
    summarize = subparsers.add_parser(
        "summarize", help="summarize one article (FILE or stdin) or a JSON-lines batch"
    )
    _add_backend_arguments(summarize)
    summarize.add_argument("--max-chars", type=_positive, default=None)
    summarize.add_argument("--input", type=Path, help="JSON lines {id, text, title?}")
    summarize.add_argument("--output", type=Path, help="JSON lines {id, summary, backend, model}")
    summarize.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    summarize.set_defaults(handler=handle_summarize)

    evaluation = subparsers.add_parser(
        "eval", help="ROUGE of a backend against reference summaries, beside Lead-N"
    )
    _add_backend_arguments(evaluation)
    evaluation.add_argument("--data", type=Path, required=True, help="JSON lines {text, summary}")
    evaluation.set_defaults(handler=handle_eval)


def options_from(args: argparse.Namespace) -> SummarizerOptions:
    """The library's options from the command line."""
    generation = GenerationSettings(
        min_new_tokens=args.min_new_tokens, max_new_tokens=args.max_new_tokens
    )
    if args.num_beams is not None:
        generation.num_beams = args.num_beams
    return SummarizerOptions(
        backend=args.backend,
        model=args.model,
        sentences=args.sentences,
        max_chars=getattr(args, "max_chars", None),
        generation=generation,
    )


def build_summarizer(options: SummarizerOptions) -> Summarizer:
    """The configured backend (the library loads only now: it costs start-up time)."""
    from summarizer.backends import build_summarizer as build

    return build(options)


def _read_bytes(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror}") from error


def handle_summarize(args: argparse.Namespace) -> int:
    """Prints one summary, or writes a JSON-lines batch when --input is given."""
    if args.input is not None:
        return _summarize_batch(args)
    if args.output is not None:
        raise UsageError("--output needs --input (a JSON-lines batch)")
    from summarizer.text import clean_text, decode_bytes, parse_article_file

    title, body = parse_article_file(clean_text(decode_bytes(_read_bytes(args.file))))
    summarizer = build_summarizer(options_from(args))
    [summary] = summarizer.summarize([Article(text=body, title=title)])
    print(readable(summary.text))
    return 0


def readable(summary: str) -> str:
    """One sentence per line, so a terminal shows a 3-sentence summary as 3 lines."""
    from summarizer.text import split_sentences

    return "\n".join(sentence.text.strip() for sentence in split_sentences(summary)) or summary


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    article: Article


def _parse_record(line: str, number: int) -> _Record:
    from summarizer.eval import parse_text_record

    record = parse_text_record(line)
    if not record["text"].strip():
        raise InputError("the text is empty")
    title = record.get("title")
    article_id = record.get("id", number)
    article = Article(
        text=record["text"], title=title if isinstance(title, str) else None, id=str(article_id)
    )
    return _Record(number, article)


def _report_bad_line(number: int, error: InputError) -> None:
    """One line on stderr per skipped input line, in the CLI's error format, whatever the logging."""
    print(f"khulasa: line {number} skipped: {error}", file=sys.stderr)


def _records(stream: TextIO) -> Iterator[_Record | None]:
    """Parsed lines; a bad line is reported with its number and yields None."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield _parse_record(line, number)
        except InputError as error:
            _report_bad_line(number, error)
            yield None


def _summarize_each(
    summarizer: Summarizer, records: list[_Record]
) -> Iterator[tuple[_Record, str]]:
    """Batch first; when the batch fails, one by one so a single bad article costs only itself."""
    try:
        summaries = summarizer.summarize([record.article for record in records])
    except InputError:
        for record in records:
            try:
                [summary] = summarizer.summarize([record.article])
            except InputError as error:
                _report_bad_line(record.line, error)
                continue
            yield _output_line(record, summary.text, summary.backend, summary.model)
        return
    for record, summary in zip(records, summaries, strict=True):
        yield _output_line(record, summary.text, summary.backend, summary.model)


def _output_line(record: _Record, text: str, backend: str, model: str) -> str:
    row = {"id": record.article.id, "summary": text, "backend": backend, "model": model}
    return json.dumps(row, ensure_ascii=False)


def _summarize_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    options = options_from(args)
    try:
        with args.input.open(encoding="utf-8") as stream:
            parsed = list(_records(stream))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {args.input}: {error}") from error
    records = [record for record in parsed if record is not None]
    summarizer = build_summarizer(options)
    written = 0
    output = sys.stdout if args.output is None else _open_output(args.output)
    progress = tqdm(
        total=len(records),
        file=sys.stderr,
        unit="article",
        disable=True if len(records) < _PROGRESS_MIN_ARTICLES else None,
    )
    try:
        for start in range(0, len(records), options.batch_size):
            batch = records[start : start + options.batch_size]
            for line in _summarize_each(summarizer, batch):
                output.write(line + "\n")
                written += 1
            progress.update(len(batch))
    finally:
        progress.close()
        if output is not sys.stdout:
            output.close()
    failed = len(parsed) - written
    log.info("summarized %d articles, %d failed", written, failed)
    return 1 if failed else 0


def _open_output(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from error


def handle_eval(args: argparse.Namespace) -> int:
    """Prints ROUGE-1/2/L F1 of the backend and of Lead-N on the pairs."""
    from summarizer.eval import evaluate, format_report, load_pairs

    pairs = load_pairs(args.data)
    report = evaluate(build_summarizer(options_from(args)), pairs, lead_sentences=args.sentences)
    print(format_report(report))
    return 0
