"""`khulasa ask --input Q.jsonl --output A.jsonl`: many questions, one JSON line each way.

Input lines are `{"id", "question", "article"}` (the article's text) or `{"id", "question",
"article_file"}`; a bad line is reported on stderr with its number and the rest still run.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.errors import UsageError
from summarizer.errors import SummarizerError
from summarizer.qa import Answer, QAOptions, answer
from summarizer.types import Article

log = logging.getLogger(__name__)

ArticleLoader = Callable[[Path], Article]


@dataclass(frozen=True, slots=True)
class _Question:
    line: int
    id: str
    question: str
    article: Article


class _BadLine(Exception):
    """A line that cannot be asked; its message is the reason shown to the user."""


def _parse(line: str, number: int, load_file: ArticleLoader) -> _Question:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise _BadLine(f"not JSON ({error.msg})") from error
    if not isinstance(record, dict) or not isinstance(record.get("question"), str):
        raise _BadLine('expected an object with a "question" string')
    if not record["question"].strip():
        raise _BadLine("the question is empty")
    text, file = record.get("article"), record.get("article_file")
    if isinstance(text, str) == isinstance(file, str):
        raise _BadLine('expected exactly one of "article" (text) or "article_file" (a path)')
    if isinstance(text, str):
        article = Article(text=text)
    else:
        try:  # relative to the directory the command runs in, like the config's paths
            article = load_file(Path(file))
        except UsageError as error:
            raise _BadLine(str(error)) from error
    return _Question(number, str(record.get("id", number)), record["question"].strip(), article)


def _report(number: int, reason: str) -> None:
    print(f"khulasa: line {number} skipped: {reason}", file=sys.stderr)


def _questions(stream: TextIO, load_file: ArticleLoader) -> Iterator[_Question | None]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield _parse(line, number, load_file)
        except _BadLine as error:
            _report(number, str(error))
            yield None


def answer_row(question_id: str, result: Answer, answer_text: str) -> dict:
    """The output object of one answered (or abstained) question."""
    return {"id": question_id, **answer_fields(result, answer_text)}


def answer_fields(result: Answer, answer_text: str) -> dict:
    """What `ask --json` prints of an answer, and a batch line carries beside its id."""
    return {
        "answer": answer_text,
        "evidence": [
            {"text": e.text, "index": e.index, "start": e.start, "end": e.end}
            for e in result.evidence
        ],
        "abstained": result.abstained,
        "reason": result.reason,
        "backend": result.backend,
    }


def run_batch(
    input_path: Path,
    output_path: Path,
    options: QAOptions,
    load_file: ArticleLoader,
    answer_text: Callable[[Answer, str], str],
) -> int:
    """Answers every good line into the output; 1 when a line was skipped or failed, else 0."""
    try:
        with input_path.open(encoding="utf-8") as stream:
            parsed = list(_questions(stream, load_file))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {input_path}: {error}") from error
    try:
        output = output_path.open("w", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output_path}: {error.strerror}") from error
    written = 0
    with output:
        for item in parsed:
            if item is None:
                continue
            try:
                result = answer(item.question, item.article, options=options)
            except SummarizerError as error:
                _report(item.line, str(error))
                continue
            row = answer_row(item.id, result, answer_text(result, item.question))
            output.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    log.info("answered %d questions, %d skipped", written, len(parsed) - written)
    return 1 if written < len(parsed) else 0
