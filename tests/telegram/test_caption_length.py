"""A caption's length as Telegram counts it: tags dropped, entities parsed, UTF-16 code units."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.formatting import (
    MAX_CAPTION,
    Block,
    paginate,
    post_html,
    telegram_length,
)
from bot.core import Post
from tests.helpers.telegram_html import parse_html, utf16_len


@pytest.mark.parametrize(
    ("html_text", "expected"),
    [
        ("plain", 5),
        ("<b>a &amp; b</b>", 5),
        ("&lt;script&gt;", 8),
        ('<a href="https://e.org/?a=1&amp;b=2">link</a>', 4),
        ("😀🇸🇦", 6),  # astral characters are two UTF-16 units each
        ("<i>مرحبا</i>\n\n<blockquote>نص</blockquote>", 9),
        ("&#x27;&#39;&quot;", 3),
    ],
)
def test_telegram_length(html_text, expected):
    assert telegram_length(html_text) == expected


def test_it_agrees_with_telegrams_parser_on_rendered_posts():
    hostile = 'a < b && c > d <b>x</b> &nbsp; "q" 😀 مرحبا'
    post = Post(1, 1, hostile * 3, "https://e.org/a?x=1&y=<2>", "src <&>", hostile * 40, "ar", None)
    rendered = [post_html(post, "ar"), post_html(post, "ar", limit=MAX_CAPTION)]
    rendered += paginate([Block(hostile * 30, "b"), Block(hostile, "blockquote")], MAX_CAPTION)
    for html_text in rendered:
        assert telegram_length(html_text) == utf16_len(parse_html(html_text))
    assert telegram_length(rendered[1]) <= MAX_CAPTION < len(rendered[1])
