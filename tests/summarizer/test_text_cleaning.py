"""Input cleaning: encodings, HTML, whitespace, boilerplate lines and the local-file rule."""

import pytest

from summarizer.errors import InputError
from summarizer.text import clean_text, decode_bytes, is_boilerplate, parse_article_file, strip_html

ARABIC = "أطلقت الشركة هاتفًا جديدًا."


def test_decode_bytes_prefers_utf8():
    assert decode_bytes(ARABIC.encode("utf-8")) == ARABIC


@pytest.mark.parametrize("encoding", ["windows-1256", "utf-8-sig", "utf-16"])
def test_decode_bytes_reads_legacy_arabic_and_bom_encodings(encoding):
    assert decode_bytes(ARABIC.encode(encoding)) == ARABIC


def test_decode_bytes_rejects_binary_data():
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\x00\x00\x01")


def test_strip_html_keeps_visible_text_and_block_breaks():
    html = "<html><head><title>t</title><style>p{}</style></head><body><h1>عنوان</h1><p>فقرة <b>أولى</b>.</p><script>x()</script><p>ثانية.</p></body></html>"
    assert strip_html(html).split() == ["عنوان", "فقرة", "أولى.", "ثانية."]


def test_strip_html_leaves_plain_text_with_angle_brackets_alone():
    assert strip_html("a < b and c > d") == "a < b and c > d"


def test_clean_text_collapses_spaces_and_drops_invisible_characters():
    assert clean_text("  سطر\u200f   أول \r\n\r\n\r\n\r\nسطر\u00a0ثان  ") == "سطر أول\n\nسطر ثان"


@pytest.mark.parametrize(
    "line",
    [
        "Loading",
        "إضافة تعليق",
        "DeepSeekDeepSeek",
        "- فيتكنولوجيا, واجهة",
        "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
        "Your email address will not be published. Required fields are marked *",
        "Home | News | Tech | Contact | About us",
        "أخبار التقنية والعلوم اليوم",
    ],
)
def test_page_furniture_is_boilerplate(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "أطلقت الشركة هاتفًا ذكيًا جديدًا بسعر منخفض في الأردن.",
        "The startup raised 40 million euros to build a battery factory.",
    ],
)
def test_statements_are_not_boilerplate(line):
    assert not is_boilerplate(line)


def test_parse_article_file_takes_the_first_line_as_title():
    assert parse_article_file("\n# العنوان\n\nالنص هنا.\nسطر آخر.") == (
        "العنوان",
        "النص هنا.\nسطر آخر.",
    )


def test_parse_article_file_single_line_is_text_not_title():
    assert parse_article_file("جملة واحدة فقط.\n") == (None, "جملة واحدة فقط.")
