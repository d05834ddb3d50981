"""User-facing strings: one JSON catalog per language, named placeholders, English fallback."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CATALOG_DIR = Path(__file__).parent
FALLBACK = "en"
LANGUAGES = ("ar", "en")


@cache
def catalog(language: str) -> dict[str, str]:
    """The key -> template mapping of one language, read once on first use."""
    path = CATALOG_DIR / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def normalize_language(code: str | None) -> str:
    """A platform locale ('ar-SA', 'en_US', 'fr') -> a catalog language; unknown ones get English."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else FALLBACK


def t(key: str, language: str, **params: Any) -> str:
    """The string for `key` in `language` (English when missing there), placeholders filled."""
    template = catalog(normalize_language(language)).get(key)
    if template is None:
        template = catalog(FALLBACK).get(key)
    if template is None:
        log.error("i18n key missing in every catalog: %s", key)
        return key
    return template.format_map(params)
