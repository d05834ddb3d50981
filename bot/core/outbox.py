"""Replies leave through the adapter's outbox and the core records what was said.

The adapter renders and sends one part of a reply at a time and hands back the platform's
message ids; the core ties each post, question prompt and answer to its article (and an answer
to the message it replied to), so a reader's reply to any of them finds the article and the
turns before it. Adapters never write these rows themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.types import AnswerView, Destination, Post, RepliedMessage, Reply
from bot.store import Messages


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the adapter sent: where (a thread it opened may differ from the chat) and its id."""

    destination: Destination
    message_id: str


class Outbox(Protocol):
    """Sends the parts of one reply in the chat that asked; returns the messages each became."""

    async def send_text(self, text: str) -> None:
        """Plain text (escaped and split by the adapter)."""
        ...

    async def send_prompt(self, text: str) -> list[SentMessage]:
        """A request to type a question (Telegram: force-reply); the reply to it is that question."""
        ...

    async def send_post(self, post: Post) -> SentMessage:
        """One summary, as the adapter renders posts."""
        ...

    async def send_answer(self, answer: AnswerView) -> list[SentMessage]:
        """A follow-up answer with its evidence; a thread the adapter opens for it counts too."""
        ...


async def respond(
    messages: Messages, reply: Reply, out: Outbox, replied: RepliedMessage | None
) -> None:
    """Text (or a question prompt), posts, then the answer; each sent message recorded at once."""
    parent = replied.message_id if replied is not None else None
    if reply.prompt_question and reply.article_id is not None:
        prompt = await out.send_prompt(reply.text)
        await messages.record(_ids(prompt), reply.article_id, parent_message_id=parent)
    elif reply.text:
        await out.send_text(reply.text)
    for post in reply.posts:
        await messages.record(_ids([await out.send_post(post)]), post.article_id)
    answer = reply.answer
    if answer is not None:
        await messages.record(
            _ids(await out.send_answer(answer)),
            answer.article_id,
            parent_message_id=parent,
            question=answer.question,
            answer=answer.answer,
        )


def _ids(sent: list[SentMessage]) -> list[tuple[Destination, str]]:
    return [(message.destination, message.message_id) for message in sent]
