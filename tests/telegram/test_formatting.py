"""Hostile text never breaks Telegram's HTML parser or its length limit (counted in UTF-16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.telegram.formatting import (
    MAX_MESSAGE,
    Block,
    answer_blocks,
    paginate,
    plain_messages,
    post_html,
)
from bot.core import AnswerView, Post
from bot.core.types import Quote
from bot.i18n import t
from bot.render import RLM
from tests.helpers.telegram_html import EntityError, check_message, parse_html, utf16_len
from tests.telegram.conftest import READER_AR, READER_EN, READER_ID, StackFactory, write_article

HOSTILE = 'a < b && c > d <b>bold? </i> <a href="javascript:x">x</a> &nbsp; &#x27; "q" 😀🇸🇦 مرحبا Python 3.12'


def _accepted(page: str) -> str:
    return check_message(page, html_mode=True)


def test_hostile_text_is_shown_exactly_as_typed() -> None:
    [page] = plain_messages(HOSTILE)
    assert _accepted(page).replace(RLM, "") == HOSTILE


def test_long_text_is_split_into_pages_telegram_accepts() -> None:
    paragraph = "😀 نص عربي مع emoji و<b>وسوم</b> & رموز. " * 40
    text = "\n\n".join([paragraph] * 12)
    pages = plain_messages(text)
    assert len(pages) > 1
    shown = [_accepted(page) for page in pages]
    assert all(utf16_len(page) <= MAX_MESSAGE for page in shown)
    assert "".join(shown).replace(RLM, "").replace("\n", "").replace(" ", "") == text.replace(
        "\n", ""
    ).replace(" ", "")


def test_one_endless_word_is_cut_without_breaking_an_emoji() -> None:
    pages = paginate([Block("😀" * 5000, "b")])
    sizes = [utf16_len(_accepted(page)) for page in pages]
    assert len(sizes) == 3 and max(sizes) <= MAX_MESSAGE and sum(sizes) == 10_000


def test_a_post_is_one_message_even_for_a_huge_article() -> None:
    title = "<i>عنوان</i> & " * 400
    summary = "جملة طويلة عن <script>alert(1)</script> & الذكاء الاصطناعي. " * 50_000
    post = Post(1, 1, title, "https://example.org/a?x=1&y=<2>", "src <&>", summary, "ar", None)
    shown = _accepted(post_html(post, "ar"))
    assert utf16_len(shown) <= MAX_MESSAGE
    assert shown.startswith(RLM + "<i>عنوان</i> & ")


def test_right_to_left_paragraphs_even_when_they_start_latin() -> None:
    [page] = plain_messages("OpenAI أعلنت اليوم عن نموذج جديد.\n\nEnglish stays as it is.")
    first, second = parse_html(page).split("\n\n")
    assert first.startswith(RLM) and not second.startswith(RLM)


@pytest.mark.parametrize(
    "bad",
    [
        "<b>open",
        "</b>",
        "<script>x</script>",
        "a &nbsp; b",
        "<a>no href</a>",
        "<span>x</span>",
        "x > y",
    ],
)
def test_the_fake_refuses_what_telegram_refuses(bad: str) -> None:
    with pytest.raises(EntityError):
        parse_html(bad)


def test_the_fake_counts_utf16_like_telegram() -> None:
    assert utf16_len("😀") == 2
    check_message("😀" * 2048, html_mode=True)
    with pytest.raises(ValueError, match="too long"):
        check_message("😀" * 2049, html_mode=True)


async def test_a_2mb_hostile_article_posts_cleanly(start_bot: StackFactory, news_dir: Path) -> None:
    body = ("سطر <b>غير مغلق & رموز 😀 و Latin text 42. " * 20 + "\n\n") * 2_500
    write_article(news_dir, "huge.md", "# <b>عنوان & <i>عدائي\n\n" + body)
    assert len(body.encode()) > 2_000_000
    stack = await start_bot()
    assert await stack.fetch()
    posts = await stack.say(READER_ID, READER_AR, "/summary 2", expect=2)
    assert any("عنوان & عدائي" in post.result["text"] for post in posts)
    assert any("غير مغلق & رموز 😀" in post.result["text"] for post in posts)


async def test_an_overlong_reply_is_split_not_refused(start_bot: StackFactory) -> None:
    stack = await start_bot()
    names = " ".join(f"<x{index}>&" for index in range(700))
    pages = await stack.say(300, READER_EN, f"/subscribe {names}", expect=2)
    assert all(page.ok for page in pages)


def test_each_quote_of_an_answer_names_its_source_escaped() -> None:
    answer = AnswerView(
        1,
        "q",
        "40%",
        (Quote("Prices fall 40%.", "<b>beta</b>"), Quote("No source here.")),
        False,
        "t",
        None,
    )
    [page] = paginate(answer_blocks(answer, "en"))
    shown = _accepted(page)
    assert shown.count(t("answer.quote_source", "en", source="<b>beta</b>")) == 1
    assert "<blockquote>Prices fall 40%.\n— source: &lt;b&gt;beta&lt;/b&gt;</blockquote>" in page
    assert "<blockquote>No source here.</blockquote>" in page
