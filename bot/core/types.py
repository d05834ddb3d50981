"""Plain dataclasses the core speaks; adapters translate platform objects to and from these.

`Destination` and `ChatKind` are the store's own values, re-exported: the core and the store
name a chat the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.store.types import ChatKind, Destination


@dataclass(frozen=True, slots=True)
class Caller:
    """Who issued a command, as far as the core needs to know."""

    user_id: str
    destination: Destination
    language: str = "ar"  # the reader's language ("ar" or "en"); adapters map platform locales
    can_manage_chat: bool = (
        False  # group admin (Telegram) / Manage Server (Discord) / own private chat
    )
    is_admin_override: bool = False  # platform grant counted as bot admin (Discord: Manage Server)


@dataclass(frozen=True, slots=True)
class RepliedMessage:
    """The message a command or question replies to."""

    message_id: str
    text: str = ""
    from_bot: bool = False


@dataclass(frozen=True, slots=True)
class PostSource:
    """Another source that reported a post's story: untrusted text, escaped only by adapters."""

    source: str
    title: str
    url: str | None  # its article's page; a web (http/https) URL only, else None


@dataclass(frozen=True, slots=True)
class Post:
    """One summary ready to render: untrusted text fields, escaped only by adapters.

    A story's post is its first article's; `also` lists the story's other sources, which
    adapters show as an «also:» line (up to `stories.max_listed_sources`, "+N more" past it).
    """

    article_id: int
    summary_id: int
    title: str
    url: str | None
    source: str
    summary: str
    language: str | None
    published: datetime | None
    image_url: str | None = None  # the article's lead picture; an http(s) URL only
    also: tuple[PostSource, ...] = ()  # the story's other sources, in the order they joined
    story_id: int | None = None


class EditOutcome(StrEnum):
    """What became of editing a sent post; no outcome ever turns into a second post."""

    EDITED = "edited"
    UNCHANGED = "unchanged"  # the post already showed this (Telegram's "message is not modified")
    GONE = "gone"  # deleted, too old or refused for good: stop editing it, never re-post


@dataclass(frozen=True, slots=True)
class Quote:
    """One article sentence an answer stands on, and the source whose article it is from."""

    text: str
    source: str = ""  # "" when the article has no source (a reader's URL)


@dataclass(frozen=True, slots=True)
class AnswerView:
    """A follow-up answer: the answer, the sentences it stands on, and the article it quotes.

    `article_id` is the replied post's article (the conversation's); the title and URL are the
    quoted article's, one of the post's story, or the post's own when the answer abstains.
    """

    article_id: int
    question: str
    answer: str  # already localized when abstained («لم يذكر المقال ذلك»)
    evidence: tuple[Quote, ...]
    abstained: bool
    article_title: str
    article_url: str | None


@dataclass(slots=True)
class Reply:
    """What a command produces; adapters render text (escaped), posts and answers their own way."""

    text: str = ""
    posts: list[Post] = field(default_factory=list)
    answer: AnswerView | None = None
    prompt_question: bool = False  # adapter should ask the reader to type a question (force-reply)
    article_id: int | None = None  # with prompt_question: the article the prompt belongs to


__all__ = [
    "AnswerView",
    "Caller",
    "ChatKind",
    "Destination",
    "EditOutcome",
    "Post",
    "PostSource",
    "Quote",
    "RepliedMessage",
    "Reply",
]
