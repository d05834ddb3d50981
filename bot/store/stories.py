"""Stories: which articles report one event, their stored vectors, the assignment lock, and
what readers see of them (`latest` for /summary, `summarized_articles` for questions).

Matching happens in the process's memory (`summarizer.stories.StoryMatcher`); the store keeps
the outcome. `arrange(plan)` runs a whole matching round in one transaction that holds the
assignment lock (a PostgreSQL advisory lock; SQLite has one writer per process), so two
workers never start two stories for one event. Every assignment takes the next `story_seq`,
which tells a long-running matcher what other processes assigned since it last looked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from bot.store.articles import stored_article, summary_rows, to_item
from bot.store.db import Database
from bot.store.models import ArticleRow, Source, Story, SummaryRow
from bot.store.types import StoredArticle, SummaryItem, aware

T = TypeVar("T")

STORY_LOCK = 0x6B687374  # "khst": the advisory lock key that serializes story assignment


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """An article as matching sees it: its lead, time, stored vector and story (None: none yet)."""

    id: int
    title: str
    lead: str  # the opening of the text; matching never reads further
    language: str | None
    published: datetime  # publication time, fetch time when unknown
    source: str | None
    story_id: int | None
    embedding: bytes | None
    embedding_model: str | None

    def has_vector(self, model: str) -> bool:
        """Whether the stored vector was made by `model` (another model's is another space)."""
        return self.embedding is not None and self.embedding_model == model


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story as posts and answers list it."""

    article_id: int
    source: str | None
    title: str
    url: str | None
    language: str | None
    published: datetime


@dataclass(frozen=True, slots=True)
class StoryPost:
    """A story as /summary lists it: its first summarized article, and all of its articles."""

    story_id: int | None  # None: an article not grouped yet, a story of its own
    lead: SummaryItem
    members: tuple[StoryMember, ...]  # oldest first, the lead among them; () when ungrouped


@dataclass(frozen=True, slots=True)
class SourcedArticle:
    """An article a question on its story is answered from, and the source that published it."""

    article: StoredArticle
    source: str | None


class StoryLedger:
    """One matching round's view of the stories, inside the transaction that holds the lock."""

    def __init__(self, session: Session, lead_chars: int) -> None:
        self._session = session
        self._lead_chars = lead_chars
        self.seq = session.scalar(select(func.max(ArticleRow.story_seq))) or 0

    def window(self, since: datetime) -> list[StoryCandidate]:
        """Every article of the stories started since then, story by story, oldest first."""
        query = _candidates(self._lead_chars).where(Story.started_at >= since)
        return _rows(self._session, query.order_by(ArticleRow.story_id, _moment(), ArticleRow.id))

    def assigned_since(self, seq: int, since: datetime) -> list[StoryCandidate]:
        """Articles given a story after `seq` (by any process), if the story is in the window."""
        query = _candidates(self._lead_chars).where(
            ArticleRow.story_seq > seq, Story.started_at >= since
        )
        return _rows(self._session, query.order_by(ArticleRow.story_seq))

    def among(self, ids: Collection[int]) -> list[StoryCandidate]:
        """The given articles, assigned or not, in publication order."""
        query = _candidates(self._lead_chars).where(ArticleRow.id.in_(list(ids)))
        return _rows(self._session, query.order_by(_moment(), ArticleRow.id))

    def save_vectors(self, model: str, vectors: Mapping[int, bytes]) -> None:
        """Stores vectors computed during the round (articles another model had embedded)."""
        _save_vectors(self._session, model, vectors)

    def start(self, article: StoryCandidate) -> int:
        """A new story whose first article this is; returns the story's id."""
        story = Story(started_at=article.published)
        self._session.add(story)
        self._session.flush()
        self._place(article.id, story.id)
        return story.id

    def join(self, article: StoryCandidate, story_id: int) -> None:
        """Puts the article into an existing story (which starts at its earliest article)."""
        self._place(article.id, story_id)
        self._session.execute(
            update(Story)
            .where(Story.id == story_id, Story.started_at > article.published)
            .values(started_at=article.published)
        )

    def _place(self, article_id: int, story_id: int) -> None:
        self.seq += 1
        self._session.execute(
            update(ArticleRow)
            .where(ArticleRow.id == article_id)
            .values(story_id=story_id, story_seq=self.seq)
        )


class Stories:
    """Stories and the vectors that group articles into them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def unembedded(
        self,
        model: str,
        ids: Collection[int],
        *,
        window_since: datetime | None = None,
        lead_chars: int,
    ) -> list[StoryCandidate]:
        """Articles lacking a vector of `model`: those among `ids` without a story yet, and
        (given `window_since`) every article of a story started since then."""
        return await self._db.run(_unembedded, model, list(ids), window_since, lead_chars)

    async def save_vectors(self, model: str, vectors: Mapping[int, bytes]) -> None:
        """Stores each article's vector and the model that made it, in one transaction."""
        await self._db.run(_save_vectors, model, dict(vectors))

    async def arrange(self, plan: Callable[[StoryLedger], T], *, lead_chars: int) -> T:
        """Runs `plan(ledger)` on a worker thread in one transaction holding the assignment lock.

        A connection failure may run `plan` again from the start, on a fresh transaction.
        """
        return await self._db.run(_arrange, plan, lead_chars)

    async def members(self, story_id: int) -> list[StoryMember]:
        """A story's articles in publication order."""
        return (await self._db.run(members_of, [story_id])).get(story_id, [])

    async def latest(self, limit: int) -> list[StoryPost]:
        """The stories most recently reported (by their newest summarized article), newest first.

        An article not grouped yet counts as a story of its own.
        """
        return await self._db.run(_latest, limit)

    async def summarized_articles(self, article_id: int) -> list[SourcedArticle]:
        """The summarized articles of this article's story, oldest first; the article itself
        always among them (alone when it has no story yet)."""
        return await self._db.run(_summarized_articles, article_id)


def _moment():  # noqa: ANN202 - a SQL expression
    """An article's time for stories: when it was published, or fetched when that is unknown."""
    return func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)


def _candidates(lead_chars: int) -> Select:
    return (
        select(
            ArticleRow.id,
            ArticleRow.title,
            func.substr(ArticleRow.text, 1, lead_chars),
            ArticleRow.language,
            _moment(),
            Source.name,
            ArticleRow.story_id,
            ArticleRow.embedding,
            ArticleRow.embedding_model,
        )
        .outerjoin(Source, ArticleRow.source_id == Source.id)
        .outerjoin(Story, ArticleRow.story_id == Story.id)
    )


def _rows(session: Session, query: Select) -> list[StoryCandidate]:
    return [
        StoryCandidate(
            id=row[0],
            title=row[1],
            lead=row[2] or "",
            language=row[3],
            published=aware(row[4]),
            source=row[5],
            story_id=row[6],
            embedding=row[7],
            embedding_model=row[8],
        )
        for row in session.execute(query)
    ]


def _unembedded(
    session: Session,
    model: str,
    ids: Sequence[int],
    window_since: datetime | None,
    lead_chars: int,
) -> list[StoryCandidate]:
    wanted = ArticleRow.id.in_(ids) & ArticleRow.story_id.is_(None)
    if window_since is not None:
        wanted = wanted | (Story.started_at >= window_since)
    lacking = or_(
        ArticleRow.embedding.is_(None),
        ArticleRow.embedding_model.is_(None),
        ArticleRow.embedding_model != model,
    )
    query = _candidates(lead_chars).where(wanted, lacking).order_by(ArticleRow.id)
    return _rows(session, query)


def _save_vectors(session: Session, model: str, vectors: Mapping[int, bytes]) -> None:
    for article_id, vector in vectors.items():
        session.execute(
            update(ArticleRow)
            .where(ArticleRow.id == article_id)
            .values(embedding=vector, embedding_model=model)
        )


def _arrange(session: Session, plan: Callable[[StoryLedger], T], lead_chars: int) -> T:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK})
    return plan(StoryLedger(session, lead_chars))


def members_of(session: Session, story_ids: Sequence[int]) -> dict[int, list[StoryMember]]:
    """Each story's articles in publication order, by story id."""
    query = (
        select(
            ArticleRow.story_id,
            ArticleRow.id,
            Source.name,
            ArticleRow.title,
            ArticleRow.url,
            ArticleRow.language,
            _moment(),
        )
        .outerjoin(Source, ArticleRow.source_id == Source.id)
        .where(ArticleRow.story_id.in_(list(story_ids)))
        .order_by(_moment(), ArticleRow.id)
    )
    members: dict[int, list[StoryMember]] = {}
    for row in session.execute(query):
        members.setdefault(row[0], []).append(
            StoryMember(
                article_id=row[1],
                source=row[2],
                title=row[3],
                url=row[4],
                language=row[5],
                published=aware(row[6]),
            )
        )
    return members


def _story_key():  # noqa: ANN202 - a SQL expression
    """A story's id; an article not grouped yet stands for a story of its own (minus its id)."""
    return func.coalesce(ArticleRow.story_id, -ArticleRow.id)


def _summarized():  # noqa: ANN202 - a SQL expression
    return exists().where(SummaryRow.article_id == ArticleRow.id)


def _latest(session: Session, limit: int) -> list[StoryPost]:
    newest = func.max(_moment())
    keys = list(
        session.scalars(
            select(_story_key())
            .where(_summarized())
            .group_by(_story_key())
            .order_by(newest.desc(), _story_key().desc())
            .limit(limit)
        )
    )
    if not keys:
        return []
    leads: dict[int, SummaryItem] = {}
    for row in session.execute(
        summary_rows().where(_story_key().in_(keys)).order_by(_moment(), ArticleRow.id)
    ):
        article = row[1]
        leads.setdefault(article.story_id or -article.id, to_item(row))
    members = members_of(session, [key for key in keys if key > 0])
    return [
        StoryPost(key if key > 0 else None, leads[key], tuple(members.get(key, ())))
        for key in keys
        if key in leads
    ]


def _summarized_articles(session: Session, article_id: int) -> list[SourcedArticle]:
    story_id = session.scalar(select(ArticleRow.story_id).where(ArticleRow.id == article_id))
    wanted = ArticleRow.id == article_id
    if story_id is not None:
        wanted = wanted | ((ArticleRow.story_id == story_id) & _summarized())
    query = (
        select(ArticleRow, Source.name)
        .outerjoin(Source, ArticleRow.source_id == Source.id)
        .where(wanted)
        .order_by(_moment(), ArticleRow.id)
    )
    return [SourcedArticle(stored_article(row), source) for row, source in session.execute(query)]
