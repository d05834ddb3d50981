"""Discord rendering: embeds for posts and answers, escaping of untrusted text, Discord's limits.

Every limit lives here as a named constant; text is escaped first and cut after, so the final
string is what is measured, and cuts fall between sentences (or words), never mid-word.
"""

from __future__ import annotations

import zlib

import discord

from bot.core.posts import web_url
from bot.core.types import AnswerView, Post, PostSource
from bot.i18n import t
from bot.render import quote_text, rtl_paragraph, sources_line, split_text, truncate_at_sentence

CONTENT_MAX = 2000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000  # all embeds of one message together
THREAD_NAME_MAX = 100

NO_MENTIONS = discord.AllowedMentions.none()
_PARAGRAPH = "\n\n"


def escape(text: str) -> str:
    """Untrusted text as inert Discord markdown: no formatting, no @everyone / role / user pings."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def source_colour(source: str) -> discord.Colour:
    """One stable colour per source name (crc32: unlike hash(), the same in every process)."""
    return discord.Colour(zlib.crc32(source.encode("utf-8")) & 0xFFFFFF)


def post_embed(
    post: Post, language: str, picture: str | None = None, max_listed: int | None = None
) -> discord.Embed:
    """A summary: linked title, summary as description, source and time in the footer.

    `picture` is shown as the embed's image (Discord fetches it); the text never gives way to it.
    A story's other sources end the description as an «also:» line of masked links, up to
    `max_listed` (`stories.max_listed_sources`) and as many as the room leaves.
    """
    title = truncate_at_sentence(escape(post.title), EMBED_TITLE_MAX) or None
    footer = truncate_at_sentence(t("post.source", language, source=post.source), EMBED_FOOTER_MAX)
    room = min(EMBED_DESCRIPTION_MAX, EMBED_TOTAL_MAX - len(title or "") - len(footer))
    description = truncate_at_sentence(rtl_paragraph(escape(post.summary)), room)
    also = sources_line(
        [_source_link(source) for source in post.also],
        language,
        max_listed,
        fits=lambda line: len(description) + len(_PARAGRAPH) + len(line) <= room,
    )
    if also:
        description = f"{description}{_PARAGRAPH}{also}" if description else also
    embed = discord.Embed(
        title=title,
        url=post.url if title else None,
        description=description or None,
        colour=source_colour(post.source),
        timestamp=post.published,
    )
    embed.set_footer(text=footer)
    if picture:
        embed.set_image(url=picture)
    return embed


def _source_link(source: PostSource) -> str:
    """One other source's name as inert markdown, a masked link to its article when on the web."""
    name = escape(source.source.strip() or source.title.strip())
    url = web_url(source.url)
    if url is None:
        return name
    label = name.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url.replace(')', '%29').replace(' ', '%20')})"


def answer_embed(answer: AnswerView, language: str) -> discord.Embed:
    """A follow-up answer, then the sentences it stands on, each naming its source, linked to
    the quoted article."""
    title = truncate_at_sentence(escape(answer.article_title), EMBED_TITLE_MAX) or None
    room = min(EMBED_DESCRIPTION_MAX, EMBED_TOTAL_MAX - len(title or ""))
    description = truncate_at_sentence(rtl_paragraph(escape(answer.answer)), room)
    quotes = "\n".join(
        f"> {rtl_paragraph(escape(line))}"
        for quote in answer.evidence
        for line in quote_text(quote.text, quote.source, language).split("\n")
    )
    evidence = f"\n\n{t('answer.evidence', language)}\n{quotes}"
    if quotes and len(description) + len(evidence) <= room:
        description += evidence
    return discord.Embed(
        title=title,
        url=answer.article_url if title else None,
        description=description,
        colour=discord.Colour.blurple(),
    )


def text_chunks(text: str) -> list[str]:
    """Plain text as escaped message contents within the content limit."""
    return split_text(escape(text), CONTENT_MAX)


def thread_name(title: str) -> str:
    """A forum post or answer thread name: whole words within Discord's limit, never empty."""
    name = truncate_at_sentence(" ".join(title.split()), THREAD_NAME_MAX)
    return name or "…"
