"""Neutral text helpers: splitting at natural boundaries (UTF-16 aware), truncation, RTL marks,
and a story post's «also:» line."""

from __future__ import annotations

import pytest

from bot.render import (
    RLM,
    rtl_paragraph,
    sources_line,
    split_text,
    truncate_at_sentence,
    utf16_len,
)


def test_short_text_is_one_chunk():
    assert split_text("  hello  ", 10) == ["hello"]


def test_splits_between_paragraphs_first():
    text = "First paragraph here.\n\nSecond paragraph here."
    assert split_text(text, 30) == ["First paragraph here.", "Second paragraph here."]


def test_packs_paragraphs_that_fit_together():
    text = "a b.\n\nc d.\n\ne f g h."
    assert split_text(text, 12) == ["a b.\n\nc d.", "e f g h."]


def test_long_paragraph_splits_at_sentences_including_arabic_question_mark():
    text = "هل هذا سؤال؟ نعم هذا جواب. وهذه جملة ثالثة."
    chunks = split_text(text, 28)
    assert chunks == ["هل هذا سؤال؟ نعم هذا جواب.", "وهذه جملة ثالثة."]


def test_long_sentence_splits_at_words_never_mid_word():
    text = "alpha beta gamma delta epsilon"
    chunks = split_text(text, 11)
    assert chunks == ["alpha beta", "gamma delta", "epsilon"]
    assert " ".join(chunks) == text


def test_a_single_word_longer_than_the_limit_is_cut():
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_every_chunk_fits_and_no_text_is_lost():
    text = ("كلمة " * 50 + "\n\n" + "word " * 80).strip()
    chunks = split_text(text, 37)
    assert all(len(chunk) <= 37 for chunk in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_utf16_length_counts_surrogate_pairs():
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("خلاصة") == 5


def test_utf16_length_makes_emoji_text_split_earlier():
    text = "😀😀 😀😀 😀😀"
    assert split_text(text, 5) == ["😀😀 😀😀", "😀😀"]  # by code points
    chunks = split_text(text, 5, length=utf16_len)
    assert chunks == ["😀😀", "😀😀", "😀😀"]
    assert all(utf16_len(chunk) <= 5 for chunk in chunks)


def test_hard_cut_never_splits_a_surrogate_pair():
    chunks = split_text("😀😀😀", 3, length=utf16_len)
    assert chunks == ["😀", "😀", "😀"]


def test_invalid_limit():
    with pytest.raises(ValueError):
        split_text("x", 0)


def test_truncate_keeps_whole_sentences():
    assert truncate_at_sentence("One. Two two. Three.", 14) == "One. Two two."


def test_truncate_cuts_at_a_word_with_ellipsis_when_no_sentence_fits():
    assert truncate_at_sentence("a very long first sentence", 12) == "a very long…"


def test_truncate_leaves_short_text():
    assert truncate_at_sentence("Short.", 50) == "Short."


def test_arabic_line_starting_with_latin_gets_rlm():
    text = "Apple تطلق هاتفًا جديدًا\n2025 عام الذكاء الاصطناعي\nEnglish line only"
    lines = rtl_paragraph(text).split("\n")
    assert lines[0] == RLM + "Apple تطلق هاتفًا جديدًا"
    assert lines[1].startswith(RLM + "2025")
    assert lines[2] == "English line only"


def test_rtl_keeps_links_and_is_idempotent():
    text = "اقرأ المزيد: https://example.org/a"
    once = rtl_paragraph(text)
    assert once == RLM + text and rtl_paragraph(once) == once


OUTLETS = [f"Outlet {n}" for n in range(1, 6)]


@pytest.mark.parametrize(
    ("listed", "language", "expected"),
    [
        (5, "en", "Also: Outlet 1, Outlet 2, Outlet 3, Outlet 4, Outlet 5"),
        (3, "en", "Also: Outlet 1, Outlet 2, Outlet 3 +2 more"),
        (None, "en", "Also: Outlet 1, Outlet 2, Outlet 3, Outlet 4, Outlet 5"),
        (3, "ar", "أيضاً: Outlet 1، Outlet 2، Outlet 3 و 2 أخرى"),
        (5, "ar", "أيضاً: Outlet 1، Outlet 2، Outlet 3، Outlet 4، Outlet 5"),
    ],
)
def test_sources_line_lists_up_to_the_configured_number(listed, language, expected):
    assert sources_line(OUTLETS, language, listed) == expected


def test_sources_line_lists_fewer_until_the_line_fits():
    line = sources_line(OUTLETS, "en", 5, fits=lambda line: len(line) <= 40)
    assert line == "Also: Outlet 1, Outlet 2 +3 more"


def test_sources_line_counts_them_all_when_no_name_fits():
    assert sources_line(OUTLETS, "en", 5, fits=lambda line: len(line) <= 20) == "Other sources: 5"
    assert sources_line(OUTLETS, "ar", 5, fits=lambda line: len(line) <= 20) == "مصادر أخرى: 5"


def test_sources_line_is_empty_without_sources_or_room():
    assert sources_line([], "en", 5) == ""
    assert sources_line(OUTLETS, "en", 5, fits=lambda line: False) == ""
