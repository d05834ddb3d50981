"""The core's outbox on Telegram: one update's reply rendered as HTML pages, ids handed back."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import ForceReply

from bot.adapters.telegram.formatting import answer_blocks, paginate, plain_messages
from bot.adapters.telegram.sender import ReplyMarkup, TelegramSender
from bot.core import AnswerView, Destination, Post, SentMessage


class ChatReplies:
    """Sends a reply in the reader's chat, its text and answers replying to `reply_to`."""

    def __init__(
        self, sender: TelegramSender, dest: Destination, language: str, reply_to: int
    ) -> None:
        self._sender = sender
        self._dest = dest
        self._language = language
        self._reply_to = reply_to

    async def send_text(self, text: str) -> None:
        await self._pages(plain_messages(text))

    async def send_prompt(self, text: str) -> list[SentMessage]:
        """Force-reply, so the reader's app opens a reply to the prompt (and the core's record)."""
        return await self._pages(plain_messages(text), markup=ForceReply(selective=True))

    async def send_post(self, post: Post) -> SentMessage:
        return SentMessage(
            self._dest, await self._sender.send_post(self._dest, post, self._language)
        )

    async def send_answer(self, answer: AnswerView) -> list[SentMessage]:
        return await self._pages(paginate(answer_blocks(answer, self._language)))

    async def _pages(
        self, pages: Sequence[str], markup: ReplyMarkup | None = None
    ) -> list[SentMessage]:
        sent = await self._sender.send_pages(
            self._dest, pages, markup=markup, reply_to=self._reply_to
        )
        return [SentMessage(self._dest, str(message.message_id)) for message in sent]
