"""The core's outbox on Discord: one interaction's or message's reply as text and embeds.

Answers may open a thread (`discord.answer_in_thread`): a slash command's answer becomes the
thread's starter; a reply's question does, and the thread counts as a message of the answer,
so `/ask` inside it goes on from there (a thread's id is its starter message's).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.adapters.discord.embeds import (
    NO_MENTIONS,
    answer_embed,
    post_embed,
    text_chunks,
    thread_name,
)
from bot.adapters.discord.sender import destination_of
from bot.core import AnswerView, Destination, Post, SentMessage

Send = Callable[..., Awaitable[discord.Message]]


class Replies:
    """Sends every part through one `send` (a followup or a message reply), mentions off."""

    def __init__(self, send: Send, here: Destination, language: str) -> None:
        self._send = send
        self.here = here
        self.language = language
        self.last: discord.Message | None = None  # the latest message sent

    async def send_text(self, text: str) -> None:
        for chunk in text_chunks(text):
            await self._send_one(content=chunk)

    async def send_prompt(self, text: str) -> list[SentMessage]:
        """No force-reply on Discord: the prompt is text, and a reply to it asks on its article."""
        return [await self._send_one(content=chunk) for chunk in text_chunks(text)]

    async def send_post(self, post: Post) -> SentMessage:
        return await self._send_one(embed=post_embed(post, self.language))

    async def send_answer(self, answer: AnswerView) -> list[SentMessage]:
        return [await self._send_one(embed=answer_embed(answer, self.language))]

    async def _send_one(self, **content: object) -> SentMessage:
        self.last = await self._send(**content, allowed_mentions=NO_MENTIONS)
        return SentMessage(self.here, str(self.last.id))


class SlashReplies(Replies):
    """Followups of a slash command; in a text channel an answer may start a thread."""

    def __init__(
        self, send: Send, here: Destination, language: str, thread_in: discord.TextChannel | None
    ) -> None:
        super().__init__(send, here, language)
        self._thread_in = thread_in

    async def send_answer(self, answer: AnswerView) -> list[SentMessage]:
        sent = await super().send_answer(answer)
        if self._thread_in is not None:
            # Through the channel: a followup message carries no guild, so it cannot open one.
            await self._thread_in.create_thread(
                name=thread_name(answer.article_title), message=self.last
            )
        return sent


class MessageReplies(Replies):
    """Replies to a reader's message; an answer may instead go into a thread on the question."""

    def __init__(
        self, message: discord.Message, here: Destination, language: str, *, threads: bool
    ) -> None:
        super().__init__(message.reply, here, language)
        self._message = message
        self._threads = threads

    async def send_answer(self, answer: AnswerView) -> list[SentMessage]:
        if not self._threads:
            return await super().send_answer(answer)
        thread = await self._message.create_thread(name=thread_name(answer.article_title))
        self._send, self.here = thread.send, destination_of(thread)
        # The question starts the thread: `/ask` there goes on from this answer.
        return [SentMessage(self.here, str(thread.id)), *await super().send_answer(answer)]
