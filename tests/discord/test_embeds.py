"""Rendering rules that need no server: escaping, colours, names."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.discord.embeds import (
    THREAD_NAME_MAX,
    answer_embed,
    escape,
    post_embed,
    source_colour,
    thread_name,
)
from bot.core import AnswerView, Post
from bot.core.types import Quote
from bot.i18n import t


def test_escape_neutralizes_markdown_and_mass_mentions() -> None:
    user = "<@123456789012345678>"
    assert (
        escape(f"@here _hi_ `x` {user}")
        == "@\u200bhere \\_hi\\_ \\`x\\` <@\u200b123456789012345678>"
    )


def test_each_source_keeps_one_colour_and_sources_differ() -> None:
    assert source_colour("aitnews") == source_colour("aitnews")
    assert source_colour("aitnews") != source_colour("techcrunch")


def test_thread_names_keep_whole_words_within_the_limit() -> None:
    name = thread_name("word " * 60)
    assert len(name) <= THREAD_NAME_MAX and name.endswith("word…")
    assert thread_name("   ") == "…"


def test_a_post_links_its_title_and_shows_source_and_time_in_the_footer() -> None:
    published = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    post = Post(7, 8, "Chips", "https://example.org/chips", "aitnews", "Short.", "en", published)
    embed = post_embed(post, "ar").to_dict()
    assert (embed["title"], embed["url"]) == ("Chips", "https://example.org/chips")
    assert embed["footer"]["text"] == t("post.source", "ar", source="aitnews")
    assert embed["timestamp"] == published.isoformat()  # Discord shows it beside the footer
    assert embed["color"] == source_colour("aitnews").value


def test_each_quote_of_an_answer_names_its_source_escaped() -> None:
    evidence = (Quote("Prices fall.", "@everyone *beta*"), Quote("No source here."))
    answer = AnswerView(1, "q", "They fall.", evidence, False, "Chips", None)
    description = answer_embed(answer, "en").to_dict()["description"]
    source = escape(t("answer.quote_source", "en", source="@everyone *beta*"))
    assert description.endswith(f"> Prices fall.\n> {source}\n> No source here.")
    assert "@everyone" not in description
