"""Telegram HTML rendering: untrusted text escaped, split by UTF-16 length before any tag is added."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from telegram.constants import MessageLimit

from bot.core.types import AnswerView, Post, PostSource
from bot.i18n import t
from bot.render import (
    quote_text,
    rtl_paragraph,
    sources_line,
    split_text,
    truncate_at_sentence,
    utf16_len,
)

MAX_MESSAGE = MessageLimit.MAX_TEXT_LENGTH  # after entity parsing, in UTF-16 code units
MAX_CAPTION = MessageLimit.CAPTION_LENGTH  # a photo's caption, counted the same way
_TAG = re.compile(r"<[^>]*>")  # our tags never hold a raw ">": attribute values are escaped
_SEPARATOR = "\n\n"
TITLE_SHARE = 512  # a title longer than this is cut: the summary must stay readable


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of plain, untrusted text and the tag (if any) that wraps it."""

    text: str
    tag: str | None = None  # b | i | blockquote


def telegram_length(html_text: str) -> int:
    """How long Telegram counts an HTML text we rendered: tags dropped, entities parsed, UTF-16.

    `MAX_CAPTION` and `MAX_MESSAGE` apply to this length, not to the HTML's own.
    """
    return utf16_len(html.unescape(_TAG.sub("", html_text)))


def _shown(text: str) -> str:
    """The text as the reader sees it: Arabic lines marked right-to-left."""
    return rtl_paragraph(text)


def _shown_len(text: str) -> int:
    """UTF-16 length plus one right-to-left mark per line: a cheap, safe bound of `_shown`."""
    return utf16_len(text) + text.count("\n") + 1


def _render(block: Block) -> str:
    escaped = html.escape(_shown(block.text), quote=False)
    return f"<{block.tag}>{escaped}</{block.tag}>" if block.tag else escaped


def paginate(blocks: list[Block], limit: int = MAX_MESSAGE) -> list[str]:
    """HTML messages whose parsed text fits `limit`; blocks too long for one are split first."""
    pieces = [
        Block(chunk, block.tag)
        for block in blocks
        for chunk in split_text(block.text, limit, length=_shown_len)
    ]
    messages: list[list[Block]] = []
    used = 0
    for piece in pieces:
        size = _shown_len(piece.text)
        if messages and used + utf16_len(_SEPARATOR) + size <= limit:
            messages[-1].append(piece)
            used += utf16_len(_SEPARATOR) + size
        else:
            messages.append([piece])
            used = size
    return [_SEPARATOR.join(_render(block) for block in message) for message in messages]


def plain_messages(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """A core reply's plain text as escaped HTML messages."""
    return paginate([Block(text)], limit)


def post_html(
    post: Post, language: str, limit: int = MAX_MESSAGE, max_listed: int | None = None
) -> str:
    """A summary post in ONE message: bold title, italic source, the summary cut to what fits.

    A story's other sources follow as an italic «also:» line, linked, up to `max_listed`
    (`stories.max_listed_sources`); where the room ends, fewer are listed and "+N more" grows.
    """
    title = truncate_at_sentence(post.title, TITLE_SHARE, length=_shown_len)
    header = [
        block
        for block in (
            Block(title, "b"),
            Block(
                t("post.source", language, source=post.source.strip())
                if post.source.strip()
                else "",
                "i",
            ),
        )
        if block.text.strip()
    ]
    text = _joined(header, post.summary)
    if telegram_length(text) > limit:  # cut by a safe bound only when the whole does not fit
        used = sum(_shown_len(block.text) + utf16_len(_SEPARATOR) for block in header)
        room = max(limit - used, 1)
        text = _joined(header, truncate_at_sentence(post.summary, room, length=_shown_len))
    also = sources_line(
        [_source_link(source) for source in post.also],
        language,
        max_listed,
        fits=lambda line: telegram_length(f"{text}{_SEPARATOR}<i>{line}</i>") <= limit,
    )
    return f"{text}{_SEPARATOR}<i>{also}</i>" if also else text


def _joined(header: list[Block], summary: str) -> str:
    blocks = header + ([Block(summary.strip())] if summary.strip() else [])
    return _SEPARATOR.join(_render(block) for block in blocks)


def fits_caption(post: Post, language: str) -> bool:
    """Whether the post goes out as a captioned photo: its title, source and whole summary fit.

    The «also:» line is left out of the test: it gives way to the caption's room (fewer sources
    listed), so a story's post is edited in the form it was sent in as sources join.
    """
    return telegram_length(post_html(replace(post, also=()), language)) <= MAX_CAPTION


def _source_link(source: PostSource) -> str:
    """One other source's name as HTML, linked to its article when that is a web page."""
    name = html.escape(source.source.strip() or source.title.strip(), quote=False)
    if not is_web_url(source.url):
        return name
    return f'<a href="{html.escape(source.url or "", quote=True)}">{name}</a>'


def answer_blocks(answer: AnswerView, language: str) -> list[Block]:
    """A follow-up answer, then the sentences it stands on as quotes, each naming its source."""
    blocks = [Block(answer.answer)]
    if answer.evidence and not answer.abstained:
        blocks.append(Block(t("answer.evidence", language), "i"))
        blocks += [
            Block(quote_text(quote.text, quote.source, language), "blockquote")
            for quote in answer.evidence
        ]
    return [block for block in blocks if block.text.strip()]


def is_web_url(url: str | None) -> bool:
    """Telegram accepts only http(s) URLs in buttons and previews; local articles have paths."""
    return bool(url) and url.lower().startswith(("http://", "https://"))  # type: ignore[union-attr]
