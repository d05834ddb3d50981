"""Khulasa's summarization library: Arabic-first text processing and summarization backends."""

from .backends import build_summarizer
from .errors import BackendUnavailableError, InputError, ModelUnavailableError, SummarizerError
from .qa import Answer, QAOptions, answer
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
    "Answer",
    "Article",
    "BackendUnavailableError",
    "GenerationSettings",
    "InputError",
    "ModelUnavailableError",
    "QAOptions",
    "Sentence",
    "Summarizer",
    "SummarizerError",
    "SummarizerOptions",
    "Summary",
    "answer",
    "build_summarizer",
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
