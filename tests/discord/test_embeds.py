"""Rendering rules that need no server: escaping, colours, names."""

from __future__ import annotations

from bot.adapters.discord.embeds import THREAD_NAME_MAX, escape, source_colour, thread_name


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
