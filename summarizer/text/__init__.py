"""Arabic-first text processing shared by every backend: cleaning, sentences, tokens, language."""

from .cleaning import clean_text, decode_bytes, is_boilerplate, parse_article_file, strip_html
from .language import detect_language, script_language
from .normalize import normalize
from .sentences import Sentence, split_sentences
from .tokens import content_terms, is_stopword, stem, tokenize

__all__ = [
    "Sentence",
    "clean_text",
    "content_terms",
    "decode_bytes",
    "detect_language",
    "is_boilerplate",
    "is_stopword",
    "normalize",
    "parse_article_file",
    "script_language",
    "split_sentences",
    "stem",
    "strip_html",
    "tokenize",
]
