"""`khulasa ask`: a question answered from one article (a file, a URL or a stored id), quoting it."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace
from pathlib import Path

from bot.cli.arguments import add_config_argument
from bot.config import Config, load_config, resolve_config_path
from bot.errors import UnsafeURLError, UsageError
from bot.i18n import t
from summarizer.qa import Answer, QAOptions
from summarizer.types import Article

BACKENDS = ("retrieval", "transformers", "llm")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `ask` subcommand."""
    parser = subparsers.add_parser(
        "ask", help="answer a question from one article, quoting the sentences it rests on"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--article-file", type=Path, help="a local .txt, .md or .html article")
    source.add_argument(
        "--url",
        help="an article page to fetch (public addresses only unless fetch.allow_private_urls; "
        "nothing is stored)",
    )
    source.add_argument("--article-id", type=int, help="an article already in the store")
    parser.add_argument("--backend", choices=BACKENDS, help="default: the config's qa.backend")
    parser.add_argument("--model", help="QA model id or directory (transformers) or LLM model name")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_config_argument(parser, optional=True)
    parser.add_argument(
        "--input", type=Path, help="JSON lines {id, question, article | article_file} (batch)"
    )
    parser.add_argument(
        "--output", type=Path, help="JSON lines {id, answer, evidence, abstained, reason, backend}"
    )
    parser.add_argument("question", nargs="?", help="the question, in Arabic or English")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Loads the article, answers, prints the answer and its evidence (or runs a batch)."""
    from summarizer.qa import answer

    if args.input is not None or args.output is not None:
        return _handle_batch(args)
    if args.article_file is None and args.url is None and args.article_id is None:
        raise UsageError("ask needs one of --article-file, --url, --article-id (or --input)")
    question = (args.question or "").strip()
    if not question:
        raise UsageError("the question is empty")
    config = _config(args.config)
    article = _load_article(args, config)
    result = answer(question, article, options=_options(config, args))
    print(_render_json(result, question) if args.json else _render_text(result, question))
    return 0


def _handle_batch(args: argparse.Namespace) -> int:
    if args.input is None or args.output is None:
        raise UsageError("batch mode needs both --input and --output")
    if args.question or args.article_file or args.url or args.article_id is not None:
        raise UsageError("--input takes its questions and articles from the file, not arguments")
    from bot.cli.ask_batch import run_batch

    options = _options(_config(args.config), args)
    return run_batch(args.input, args.output, options, _article_from_file, _answer_text)


def _config(path: str | None) -> Config:
    """The given config; without one, the default file when it exists, else built-in defaults."""
    if path or resolve_config_path(None).exists():
        return load_config(path)
    return Config()


def _options(config: Config, args: argparse.Namespace) -> QAOptions:
    options = config.qa.to_options()
    if args.backend:
        options = replace(options, backend=args.backend)
    if args.model:
        field = "llm_model" if options.backend == "llm" else "model"
        options = replace(options, **{field: args.model})
    return options


def _load_article(args: argparse.Namespace, config: Config) -> Article:
    if args.article_file is not None:
        return _article_from_file(args.article_file)
    if args.url is not None:
        return asyncio.run(_article_from_url(args.url, config))
    return asyncio.run(_article_from_store(args.article_id, config))


def _article_from_file(path: Path) -> Article:
    from bot.news.local import read_article_file

    if not path.is_file():
        raise UsageError(f"{path}: no such article file")
    try:
        data = read_article_file(path)
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None
    if data is None:
        raise UsageError(f"{path}: no article text found")
    return Article(text=data.text, title=data.title, language=data.language)


async def _article_from_url(url: str, config: Config) -> Article:
    """Fetched like a reader's `/summary <url>`: untrusted, so public addresses only (unless the
    config allows private ones), and nothing is stored: a question is a read, never a new post."""
    from bot.news.http import Fetcher, make_client
    from bot.news.pages import fetch_article

    async with make_client(config.fetch) as http:
        try:
            article = await fetch_article(Fetcher(http, config.fetch), url, untrusted=True)
        except UnsafeURLError as error:
            raise UsageError(f"{url}: {error}") from None
    return Article(text=article.text, title=article.title, language=article.language)


async def _article_from_store(article_id: int, config: Config) -> Article:
    from bot.composition import open_store

    store = await open_store(config)
    try:
        row = await store.articles.get(article_id)
    finally:
        store.close()
    if row is None:
        raise UsageError(f"no article with id {article_id} in {store.safe_url}")
    return row.as_summarizer_article()


def _answer_text(result: Answer, question: str) -> str:
    """The answer, or in the reader's language why there is none."""
    from bot.core.qa import abstention_key
    from summarizer.text import detect_language

    if not result.abstained:
        return result.text
    return t(abstention_key(result.reason), detect_language(question))


def _render_text(result: Answer, question: str) -> str:
    """The answer once, then each evidence sentence with its place; a sentence that is the answer
    itself (retrieval) shows only its place."""
    answer_text = _answer_text(result, question)
    lines = [answer_text]
    if result.evidence:
        lines.append("")
    for evidence in result.evidence:
        place = f"[#{evidence.index} {evidence.start}-{evidence.end}]"
        same = evidence.text.strip() == answer_text.strip()
        lines.append(f"evidence: {place}" if same else f"> «{evidence.text}» {place}")
    return "\n".join(lines)


def _render_json(result: Answer, question: str) -> str:
    from bot.cli.ask_batch import answer_fields

    return json.dumps(answer_fields(result, _answer_text(result, question)), ensure_ascii=False)
