"""Khulasa's summarization library: Arabic-first text processing and summarization backends."""

from .errors import BackendUnavailableError, InputError, ModelUnavailableError, SummarizerError
from .text import (
    Sentence,
    clean_text,
    content_terms,
    decode_bytes,
    detect_language,
    is_boilerplate,
    normalize,
    parse_article_file,
    split_sentences,
    tokenize,
)
from .types import Article, GenerationSettings, Summarizer, SummarizerOptions, Summary

__all__ = [
    "Article",
    "BackendUnavailableError",
    "GenerationSettings",
    "InputError",
    "ModelUnavailableError",
    "Sentence",
    "Summarizer",
    "SummarizerError",
    "SummarizerOptions",
    "Summary",
    "clean_text",
    "content_terms",
    "decode_bytes",
    "detect_language",
    "is_boilerplate",
    "normalize",
    "parse_article_file",
    "split_sentences",
    "tokenize",
]
