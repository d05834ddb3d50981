"""Normalization, tokens, stemming, stopwords and script-based language detection."""

import pytest

from summarizer.text import (
    content_terms,
    detect_language,
    is_stopword,
    normalize,
    stem,
    tokenize,
)


def test_normalize_folds_arabic_spelling_variants():
    assert normalize("أَحْمَدُ إِلى آخر ٱلقرآن مدرسة") == "احمد الي اخر القران مدرسه"


def test_normalize_drops_tatweel_and_maps_digits_and_lowercases_latin():
    assert normalize("جـــميل ٢٠٢٤ ۳ DeepSeek") == "جميل 2024 3 deepseek"


def test_normalize_unfolds_presentation_forms():
    assert normalize("\ufefb") == "لا"


def test_tokenize_keeps_arabic_latin_and_digits_but_not_punctuation():
    assert tokenize("الشركاتُ، أطلقت GPU-5 بسعر ٣٠٠!") == [
        "الشركات",
        "اطلقت",
        "gpu",
        "5",
        "بسعر",
        "300",
    ]


def test_stem_strips_arabic_article_conjunction_and_feminine_ending():
    assert stem("والشركات", "ar") == stem("الشركه", "ar") == stem("شركة", "ar") == "شرك"


def test_stem_english_and_unknown_languages():
    assert stem("companies", "en") == "compani"
    assert stem("привет", "ru") == "привет"


def test_stopwords_cover_both_languages_in_normalized_form():
    assert is_stopword("الي") and is_stopword("the")
    assert not is_stopword("هاتف")


def test_content_terms_drop_stopwords_and_stem_per_script():
    assert content_terms("أطلقت الشركات في the market") == [
        stem("اطلقت", "ar"),
        "شرك",
        "market",
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("أطلقت شركة DeepSeek نموذج R1 الجديد في الصين", "ar"),
        ("The company released a new model", "en"),
        ("Компания выпустила новую модель", "ru"),
        ("公司发布了新模型", "zh"),
        ("12345 !!!", "und"),
    ],
)
def test_detect_language_from_script(text, language):
    assert detect_language(text) == language
