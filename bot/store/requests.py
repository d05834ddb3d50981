"""Summary requests: a reader's `/summary <url>` that outlived its wait, posted once summarized."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.articles import summary_rows, to_item
from bot.store.db import Database
from bot.store.models import ArticleRow, SummaryRequest
from bot.store.types import ChatKind, Destination, ReadyRequest


class SummaryRequests:
    """Requests wait here until their article has a summary; delivery then posts each once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, dest: Destination, article_id: int, language: str) -> None:
        """Records the request; asking twice in one chat is one request."""
        await self._db.run(_add, dest, article_id, language)

    async def ready(self, platform: str) -> list[ReadyRequest]:
        """The platform's requests whose article is summarized now, oldest first."""
        return await self._db.run(_ready, platform)

    async def remove(self, request_id: int) -> None:
        await self._db.run(_remove, request_id)


def _add(session: Session, dest: Destination, article_id: int, language: str) -> None:
    row = SummaryRequest(
        platform=dest.platform,
        chat_id=dest.chat_id,
        thread_id=dest.thread_id,
        kind=str(dest.kind),
        article_id=article_id,
        language=language,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass  # the same chat asked for the same article before: one post answers both


def _ready(session: Session, platform: str) -> list[ReadyRequest]:
    query = (
        summary_rows()
        .add_columns(SummaryRequest)
        .join(SummaryRequest, SummaryRequest.article_id == ArticleRow.id)
        .where(SummaryRequest.platform == platform)
        .order_by(SummaryRequest.id)
    )
    return [
        ReadyRequest(
            id=request.id,
            destination=Destination(
                request.platform, request.chat_id, request.thread_id, ChatKind(request.kind)
            ),
            language=request.language,
            item=to_item((summary, article, source)),
        )
        for summary, article, source, request in session.execute(query)
    ]


def _remove(session: Session, request_id: int) -> None:
    session.execute(delete(SummaryRequest).where(SummaryRequest.id == request_id))
