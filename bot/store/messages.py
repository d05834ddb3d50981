"""Bot messages tied to articles, so a reader's reply finds its article and earlier turns."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Message

MAX_CHAIN = 20  # turns kept for multi-turn questions; also stops a cycle in bad data


def add_message(
    session: Session,
    platform: str,
    chat_id: str,
    message_id: str,
    article_id: int,
    *,
    parent_message_id: str | None = None,
    question: str | None = None,
    answer: str | None = None,
) -> None:
    """Records (or re-records, after an edit) a post or an answer the bot sent."""
    row = find_message(session, platform, chat_id, message_id)
    if row is None:
        row = Message(platform=platform, chat_id=chat_id, message_id=message_id)
        session.add(row)
    row.article_id = article_id
    row.parent_message_id = parent_message_id
    row.question = question
    row.answer = answer


def find_message(session: Session, platform: str, chat_id: str, message_id: str) -> Message | None:
    """The bot message with this platform id in this chat, if the bot recorded it."""
    return session.scalar(
        select(Message).where(
            Message.platform == platform,
            Message.chat_id == chat_id,
            Message.message_id == message_id,
        )
    )


def conversation(session: Session, message: Message) -> list[Message]:
    """The answers leading to `message` (itself included), oldest first: the multi-turn history."""
    chain: list[Message] = []
    current: Message | None = message
    while current is not None and len(chain) < MAX_CHAIN:
        if current.question is not None:
            chain.append(current)
        if current.parent_message_id is None:
            break
        current = find_message(
            session, current.platform, current.chat_id, current.parent_message_id
        )
    return list(reversed(chain))


def move_chat(session: Session, platform: str, old_chat_id: str, new_chat_id: str) -> None:
    """A chat got a new id (Telegram group → supergroup): its messages follow it."""
    for row in session.scalars(
        select(Message).where(Message.platform == platform, Message.chat_id == old_chat_id)
    ):
        row.chat_id = new_chat_id
