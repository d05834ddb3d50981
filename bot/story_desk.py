"""The story desk: gives stored articles their story, once, whichever process stored them.

`await desk.assign(article_ids)` is the one call the flow makes after storing articles. It
embeds the articles that have no vector of the current model (one batch, off the loop),
stores the vectors, then, holding the store's assignment lock, brings its in-memory
`StoryMatcher` up to date with the stored stories (the whole window at first use, what other
processes assigned since after that) and matches the articles in publication order. An
article that already has a story keeps it, so a retried job changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby

from bot.config import Config
from bot.store import Store, StoryCandidate, StoryLedger
from summarizer.stories import (
    DEFAULT_WINDOW,
    Embedder,
    EmbeddingOptions,
    StoryArticle,
    StoryMatcher,
    load_embedder,
    vector_from_bytes,
    vector_to_bytes,
)
from summarizer.stories.signals import LEAD_CHARS

log = logging.getLogger(__name__)

EmbedderFactory = Callable[[EmbeddingOptions], Embedder | None]


@dataclass(frozen=True, slots=True)
class _MatchRound:
    """What one assignment round did."""

    stories: dict[int, int]  # article id -> story id, for every requested article found
    joined: int
    started: int
    seq: int  # the ledger's last assignment: the matcher has seen everything up to it


class StoryDesk:
    """Assigns articles to stories for one process; build once, share across tasks."""

    def __init__(
        self,
        store: Store,
        *,
        enabled: bool = True,
        window: timedelta = DEFAULT_WINDOW,
        embeddings: EmbeddingOptions | None = None,
        embedder_factory: EmbedderFactory = load_embedder,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self.enabled = enabled
        self.window = window
        self._options = embeddings or EmbeddingOptions()
        self._embedder_factory = embedder_factory
        self._clock = clock
        self._lock = asyncio.Lock()  # one round at a time in this process
        self._embedder: Embedder | None = None
        self._embedder_loaded = False
        self._matcher: StoryMatcher | None = None
        self._stale = True  # the matcher may differ from the store: rebuild it from the window
        self._seq = 0

    @classmethod
    def from_config(
        cls, config: Config, store: Store, *, embedder_factory: EmbedderFactory = load_embedder
    ) -> StoryDesk:
        """The desk the `stories:` and `embeddings:` sections describe."""
        return cls(
            store,
            enabled=config.stories.enabled,
            window=config.stories.window_delta(),
            embeddings=config.embeddings.to_options(),
            embedder_factory=embedder_factory,
        )

    async def assign(self, article_ids: Collection[int]) -> dict[int, int]:
        """Article id -> story id for each given stored article, assigning those without one."""
        ids = sorted(set(article_ids))
        if not ids:
            return {}
        async with self._lock:
            if not self.enabled:
                done = await self._store.stories.arrange(
                    lambda ledger: self._each_alone(ledger, ids), lead_chars=LEAD_CHARS
                )
            else:
                embedder = await self._load_embedder()
                since = self._clock() - self.window
                if embedder is not None:
                    await self._embed_missing(embedder, ids, since)
                done = await self._store.stories.arrange(
                    lambda ledger: self._match(ledger, ids, since, embedder),
                    lead_chars=LEAD_CHARS,
                )
                self._seq, self._stale = done.seq, False
        if done.joined or done.started:
            log.info(
                "stories: %d articles: %d joined, %d new stories",
                done.joined + done.started,
                done.joined,
                done.started,
            )
        return done.stories

    async def _load_embedder(self) -> Embedder | None:
        """The configured embedder, loaded on first use on a worker thread (None: lexical)."""
        if not self._embedder_loaded:
            self._embedder = await asyncio.to_thread(self._embedder_factory, self._options)
            self._embedder_loaded = True
        return self._embedder

    async def _embed_missing(self, embedder: Embedder, ids: list[int], since: datetime) -> None:
        """Embeds and stores, in one batch, what this round needs and has no current vector."""
        missing = await self._store.stories.unembedded(
            embedder.name,
            ids,
            window_since=since if self._stale else None,
            lead_chars=LEAD_CHARS,
        )
        if missing:
            vectors = await asyncio.to_thread(_embed, embedder, missing)
            await self._store.stories.save_vectors(embedder.name, vectors)

    # -- on the store's worker thread, inside the locked transaction ---------------------------

    def _each_alone(self, ledger: StoryLedger, ids: list[int]) -> _MatchRound:
        """`stories.enabled: false`: every article is a story of its own."""
        stories, started = {}, 0
        for article in ledger.among(ids):
            if article.story_id is None:
                stories[article.id] = ledger.start(article)
                started += 1
            else:
                stories[article.id] = article.story_id
        return _MatchRound(stories, 0, started, ledger.seq)

    def _match(
        self, ledger: StoryLedger, ids: list[int], since: datetime, embedder: Embedder | None
    ) -> _MatchRound:
        rebuild = self._stale or self._matcher is None
        self._stale = True  # until the transaction commits, the matcher may hold uncommitted work
        known = ledger.window(since) if rebuild else ledger.assigned_since(self._seq, since)
        requested = ledger.among(ids)
        pending = [article for article in requested if article.story_id is None]
        vectors = _vectors(ledger, embedder, [*known, *pending])
        if rebuild:
            self._matcher = StoryMatcher(embeddings=embedder is not None, window=self.window)
        matcher = self._matcher
        assert matcher is not None
        if rebuild:
            for story_id, members in groupby(known, key=lambda article: article.story_id):
                matcher.restore(str(story_id), (_story_article(a, vectors) for a in members))
        else:
            for article in known:
                matcher.add(_story_article(article, vectors), str(article.story_id))
        stories = {a.id: a.story_id for a in requested if a.story_id is not None}
        joined = 0
        for article in pending:
            item = _story_article(article, vectors)
            found = matcher.match(item)
            if found is None:
                story_id = ledger.start(article)
            else:
                story_id = int(found.story_id)
                ledger.join(article, story_id)
                joined += 1
            matcher.add(item, str(story_id))
            stories[article.id] = story_id
        return _MatchRound(stories, joined, len(pending) - joined, ledger.seq)


def _embedded_text(article: StoryCandidate) -> str:
    return _story_article(article, {}).embedded_text()


def _embed(embedder: Embedder, articles: Iterable[StoryCandidate]) -> dict[int, bytes]:
    """One batch of vectors, as stored bytes by article id."""
    articles = list(articles)
    matrix = embedder.embed([_embedded_text(article) for article in articles])
    return {article.id: vector_to_bytes(row) for article, row in zip(articles, matrix, strict=True)}


def _vectors(
    ledger: StoryLedger, embedder: Embedder | None, articles: list[StoryCandidate]
) -> dict[int, bytes]:
    """Each article's current-model vector; the few embedded meanwhile by another model are
    embedded here (inside the lock: rare, so the batch before the lock stays the rule)."""
    if embedder is None:
        return {}
    vectors = {a.id: a.embedding for a in articles if a.embedding and a.has_vector(embedder.name)}
    lacking = [a for a in articles if a.id not in vectors]
    if lacking:
        fresh = _embed(embedder, lacking)
        ledger.save_vectors(embedder.name, fresh)
        vectors.update(fresh)
    return vectors


def _story_article(article: StoryCandidate, vectors: dict[int, bytes]) -> StoryArticle:
    stored = vectors.get(article.id)
    return StoryArticle(
        id=str(article.id),
        title=article.title,
        text=article.lead,
        language=article.language,
        published=article.published,
        source=article.source,
        vector=vector_from_bytes(stored) if stored is not None else None,
    )
