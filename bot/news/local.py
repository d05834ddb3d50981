"""Local sources: a file or a directory of .txt, .md and .html articles, such as seeds/."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.errors import FetchError
from bot.news.encoding import decode_document
from bot.news.extract import extract_page
from bot.news.types import ArticleData
from summarizer.errors import InputError
from summarizer.text import clean_text, decode_bytes, parse_article_file

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})


def read_local_source(location: str) -> list[ArticleData]:
    """Every article file under the path, in name order; blocking: run it in a thread."""
    path = Path(location)
    if path.is_dir():
        files = sorted(
            file
            for file in path.rglob("*")
            if file.is_file() and file.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES
        )
    elif path.is_file():
        files = [path]
    else:
        raise FetchError(f"no such file or directory: {location}")
    articles = []
    for file in files:
        try:
            article = read_article_file(file)
        except (OSError, InputError) as error:
            log.warning("skipping local article %s: %s", file, error)
            continue
        if article is not None:
            articles.append(article)
    return articles


def read_article_file(file: Path) -> ArticleData | None:
    """One local article; its identity is its path plus content hash, so edits count as new."""
    data = file.read_bytes()
    guid = f"file:{file.as_posix()}#{hashlib.sha256(data).hexdigest()[:16]}"
    if file.suffix.lower() in HTML_SUFFIXES:
        page = extract_page(decode_document(data, None), file.resolve().as_uri())
        if page is None:
            return None
        title, text, author, published = page.title, page.text, page.author, page.published
    else:
        title, text = parse_article_file(clean_text(decode_bytes(data)))
        author = published = None
    if not text.strip():
        return None
    return ArticleData(
        title=title or file.stem,
        text=text,
        guid=guid,
        author=author,
        published=published,
    )
