"""Bot messages tied to articles, so a reader's reply finds its article and earlier turns."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.store.articles import load_article
from bot.store.db import Database
from bot.store.models import Message
from bot.store.types import Conversation, Destination, StoredTurn

MAX_CHAIN = 20  # turns kept for multi-turn questions; also stops a cycle in bad data


class Messages:
    """Posts and answers the bot sent, and the conversations they carry."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        sent: Sequence[tuple[Destination, str]],
        article_id: int,
        *,
        parent_message_id: str | None = None,
        question: str | None = None,
        answer: str | None = None,
    ) -> None:
        """Records the messages one post, prompt or answer became, in one transaction: a reply
        may arrive as soon as the last one shows, so the rows must follow right after it."""
        await self._db.run(_put_messages, sent, article_id, parent_message_id, question, answer)

    async def conversation(self, dest: Destination, message_id: str) -> Conversation | None:
        """The article behind a bot message and the turns leading to it; None if not the bot's."""
        return await self._db.run(_conversation, dest, message_id)


def put_message(
    session: Session,
    dest: Destination,
    message_id: str,
    article_id: int,
    parent_message_id: str | None = None,
    question: str | None = None,
    answer: str | None = None,
) -> None:
    row = _find(session, dest.platform, dest.chat_id, message_id)
    if row is None:
        row = Message(platform=dest.platform, chat_id=dest.chat_id, message_id=message_id)
        session.add(row)
    row.article_id = article_id
    row.parent_message_id = parent_message_id
    row.question = question
    row.answer = answer


def _put_messages(
    session: Session,
    sent: Sequence[tuple[Destination, str]],
    article_id: int,
    parent_message_id: str | None,
    question: str | None,
    answer: str | None,
) -> None:
    for dest, message_id in sent:
        put_message(session, dest, message_id, article_id, parent_message_id, question, answer)


def _find(session: Session, platform: str, chat_id: str, message_id: str) -> Message | None:
    return session.scalar(
        select(Message).where(
            Message.platform == platform,
            Message.chat_id == chat_id,
            Message.message_id == message_id,
        )
    )


def _conversation(session: Session, dest: Destination, message_id: str) -> Conversation | None:
    message = _find(session, dest.platform, dest.chat_id, message_id)
    if message is None:
        return None
    article = load_article(session, message.article_id)
    if article is None:
        return None
    chain: list[StoredTurn] = []
    current: Message | None = message
    while current is not None and len(chain) < MAX_CHAIN:
        if current.question is not None:
            chain.append(StoredTurn(question=current.question, answer=current.answer or ""))
        if current.parent_message_id is None:
            break
        current = _find(session, current.platform, current.chat_id, current.parent_message_id)
    return Conversation(article=article, history=tuple(reversed(chain)))


def move_chat(session: Session, platform: str, old_chat_id: str, new_chat_id: str) -> None:
    """A chat got a new id (Telegram group → supergroup): its messages follow it."""
    for row in session.scalars(
        select(Message).where(Message.platform == platform, Message.chat_id == old_chat_id)
    ):
        row.chat_id = new_chat_id


def put_posts(session: Session, posts: Sequence[tuple[Destination, str, int]]) -> None:
    """`put_message` of many (destination, message id, article id) posts: one lookup, one insert."""
    query = select(Message).where(
        Message.platform.in_({dest.platform for dest, _, _ in posts}),
        Message.chat_id.in_({dest.chat_id for dest, _, _ in posts}),
        Message.message_id.in_({message_id for _, message_id, _ in posts}),
    )
    known = {(row.platform, row.chat_id, row.message_id): row for row in session.scalars(query)}
    new: dict[tuple[str, str, str], dict[str, object]] = {}
    for dest, message_id, article_id in posts:
        key = (dest.platform, dest.chat_id, message_id)
        row = known.get(key)
        if row is None:
            new[key] = {
                "platform": dest.platform,
                "chat_id": dest.chat_id,
                "message_id": message_id,
                "article_id": article_id,
            }
            continue
        row.article_id = article_id
        row.parent_message_id = row.question = row.answer = None
    if new:
        session.execute(insert(Message), list(new.values()))
