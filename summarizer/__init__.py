"""Khulasa's summarization library: Arabic-first text processing and summarization backends.

The names below load their module on first use (PEP 562): importing `summarizer.errors` or
`summarizer.types` stays cheap, which keeps command-line start-up quick.
"""

from __future__ import annotations

from ._lazy import lazy_exports

_EXPORTS = {
    "build_summarizer": ".backends",
    "BackendUnavailableError": ".errors",
    "InputError": ".errors",
    "ModelUnavailableError": ".errors",
    "SummarizerError": ".errors",
    "Answer": ".qa",
    "QAOptions": ".qa",
    "answer": ".qa",
    "Sentence": ".text",
    "clean_text": ".text",
    "content_terms": ".text",
    "decode_bytes": ".text",
    "detect_language": ".text",
    "is_boilerplate": ".text",
    "normalize": ".text",
    "parse_article_file": ".text",
    "split_sentences": ".text",
    "tokenize": ".text",
    "Article": ".types",
    "GenerationSettings": ".types",
    "Summarizer": ".types",
    "SummarizerOptions": ".types",
    "Summary": ".types",
}

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


__getattr__ = lazy_exports(__name__, _EXPORTS)
