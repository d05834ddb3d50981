"""The catalogs: same keys and placeholders in every language, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import LANGUAGES, catalog, normalize_language, t

BOT = Path(__file__).resolve().parents[1] / "bot"
# t("key", ...) and UserError("key", ...), also when the key starts the next line
KEY_USE = re.compile(r'\b(?:t|UserError)\(\s*"([a-z_]+\.[a-z_.]+)"')
PREFIXES = "|".join(sorted({key.split(".")[0] for key in catalog("en")}))
# keys chosen by a conditional (`t("a.x" if c else "a.y")`): any quoted literal with a catalog prefix
KEY_LITERAL = re.compile(rf'"((?:{PREFIXES})\.[a-z_]+)"')


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogs_have_the_same_keys():
    assert set(catalog("ar")) == set(catalog("en"))


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_placeholders_match_across_languages(key):
    assert placeholders(catalog("ar")[key]) == placeholders(catalog("en")[key])


def test_every_key_used_in_the_code_exists_in_both_catalogs():
    used = set()
    for path in BOT.rglob("*.py"):
        if (
            "store" in path.relative_to(BOT).parts
        ):  # SQL names such as "sources.id" are not i18n keys
            continue
        source = path.read_text(encoding="utf-8")
        used |= set(KEY_USE.findall(source))
        used |= set(KEY_LITERAL.findall(source))
    assert len(used) > 30  # the scan finds the keys at all
    for language in LANGUAGES:
        missing = sorted(key for key in used if key not in catalog(language))
        assert missing == [], (language, missing)


def test_named_placeholders_are_filled():
    assert t("error.summary_count", "en", max=20) == "Give a number from 1 to 20."
    assert "20" in t("error.summary_count", "ar", max=20)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ar-SA", "ar"), ("ar", "ar"), ("en_US", "en"), ("fr", "en"), (None, "en")],
)
def test_locales_map_to_catalogs(code, expected):
    assert normalize_language(code) == expected


def test_unknown_language_falls_back_to_english():
    assert t("qa.abstained", "de") == "The article doesn't say."
