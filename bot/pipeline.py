"""The news pipeline: sources -> fetch -> full text -> store (dedup) -> summarize -> store."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

import httpx
from tqdm import tqdm

from bot.config import Config, SourceConfig
from bot.errors import FetchError
from bot.hooks import call_each
from bot.news.canonical import canonical_url
from bot.news.extract import ExtractedPage, extract_fetched
from bot.news.feeds import FeedItem, looks_like_page, parse_feed
from bot.news.filters import KeywordFilter
from bot.news.http import Fetcher, FetchResult
from bot.news.local import read_local_source
from bot.news.safety import Resolver, system_resolve
from bot.news.types import ArticleData
from bot.store import Store
from bot.store import articles as article_store
from bot.store import sources as source_store
from bot.store.models import utcnow
from bot.summarizing import summarize_batch
from summarizer.text import detect_language
from summarizer.types import Summarizer, Summary

log = logging.getLogger(__name__)

SourceDisabledHook = Callable[[str, str], Awaitable[None] | None]
FULL_TEXT_CONCURRENCY = 4


class Pipeline:
    """Fetches sources into the store and summarizes what is new; one broken source harms no other."""

    def __init__(
        self,
        config: Config,
        store: Store,
        summarizer: Summarizer,
        http: httpx.AsyncClient,
        *,
        resolve: Resolver = system_resolve,
    ) -> None:
        self.config = config
        self.store = store
        self.summarizer = summarizer
        self.fetcher = Fetcher(http, config.fetch, resolve=resolve)
        self.source_disabled_hooks: list[SourceDisabledHook] = []
        self._summarizing = asyncio.Lock()

    def update_config(self, config: Config) -> None:
        """Takes a reloaded config; work in flight finishes with the old one."""
        self.config = config
        self.fetcher.config = config.fetch

    def on_source_disabled(self, hook: SourceDisabledHook) -> None:
        """Registers `hook(name, error)`, called once when failures disable a source."""
        self.source_disabled_hooks.append(hook)

    async def run_once(self, sources: Sequence[SourceConfig] | None = None) -> list[int]:
        """Fetches every enabled source concurrently, then summarizes; returns new summary ids."""
        await self.fetch_all(sources)
        return await self.summarize_pending()

    async def fetch_all(self, sources: Sequence[SourceConfig] | None = None) -> list[int]:
        """Fetches sources concurrently; failures are logged one line each, never raised."""
        chosen = [s for s in (self.config.sources if sources is None else sources) if s.enabled]
        results = await asyncio.gather(*(self.fetch_source_logged(s) for s in chosen))
        return [article_id for ids in results for article_id in ids]

    async def fetch_source_logged(self, source: SourceConfig) -> list[int]:
        """fetch_source for loops and jobs: a failure becomes one warning line and no ids."""
        try:
            return await self.fetch_source(source)
        except FetchError as error:
            log.warning("source %s: %s", source.name, error)
        except Exception as error:  # one broken source must not stop the others
            log.warning("source %s failed unexpectedly: %r", source.name, error)
            log.debug("source %s traceback", source.name, exc_info=True)
        return []

    async def fetch_source(self, source: SourceConfig) -> list[int]:
        """New article ids from one source; raises FetchError after recording the failure."""
        location = source.url or source.path or ""
        state = await asyncio.to_thread(self._sync_state, source.name, location)
        if state.disabled:
            log.info("source %s is disabled after repeated failures; skipped", source.name)
            return []
        if state.backing_off(utcnow()):
            log.info("source %s backs off until %s; skipped", source.name, state.backoff_until)
            return []
        try:
            articles, result = await self._read(source, state)
        except Exception as error:
            await self._record_failure(source.name, error)
            raise
        ids = await asyncio.to_thread(self._store_articles, source, articles, result)
        log.info("source %s: %d new article(s)", source.name, len(ids))
        return ids

    async def fetch_url(self, url: str, *, untrusted: bool) -> int:
        """Stores one article page and returns its id; a stored one answers without fetching."""
        known = await asyncio.to_thread(self._known_url, canonical_url(url))
        if known is not None:
            return known
        result = await self.fetcher.get(url, untrusted=untrusted)
        if not looks_like_page(result.body, result.content_type):
            raise FetchError(f"{url} is not an article page")
        page = await extract_fetched(result)
        article = replace(_page_article(page, fallback_title=url), url=canonical_url(url))
        stored = await asyncio.to_thread(self._store_one, article)
        return stored

    async def summarize_pending(self, *, progress: bool = False) -> list[int]:
        """Summarizes every article without a summary, in batches; returns new summary ids."""
        async with self._summarizing:
            created: list[int] = []
            failed: set[int] = set()
            total = await asyncio.to_thread(self._count_pending)
            with tqdm(
                total=total,
                file=sys.stderr,
                unit="article",
                disable=None if progress and total else True,
            ) as bar:
                while True:
                    batch = await asyncio.to_thread(self._pending, failed)
                    if not batch:
                        break
                    results = await asyncio.to_thread(summarize_batch, self.summarizer, batch)
                    failed.update(
                        a.id for a, summary in zip(batch, results, strict=True) if summary is None
                    )
                    created += await asyncio.to_thread(self._store_summaries, batch, results)
                    bar.update(len(batch))
            return created

    # --- reading ---

    async def _read(
        self, source: SourceConfig, state: source_store.SourceState
    ) -> tuple[list[ArticleData], FetchResult | None]:
        if source.path is not None:
            return await asyncio.to_thread(read_local_source, source.path), None
        assert source.url is not None
        result = await self.fetcher.get(
            source.url, etag=state.etag, last_modified=state.last_modified
        )
        if result.not_modified:
            return [], result
        if looks_like_page(result.body, result.content_type):
            page = await extract_fetched(result)
            return [_page_article(page, fallback_title=source.name)], result
        items = await asyncio.to_thread(parse_feed, result.body, result.content_type, result.url)
        fresh = await asyncio.to_thread(self._unknown_items, items)
        limit = asyncio.Semaphore(FULL_TEXT_CONCURRENCY)
        articles = await asyncio.gather(
            *(self._item_article(source, item, limit) for item in fresh)
        )
        return list(articles), result

    async def _item_article(
        self, source: SourceConfig, item: FeedItem, limit: asyncio.Semaphore
    ) -> ArticleData:
        """The feed item as an article, with the page's full text when the feed has a teaser."""
        if source.full_text and item.is_teaser and item.url:
            async with limit:
                try:
                    result = await self.fetcher.get(item.url)
                    page = await extract_fetched(result)
                    return _page_article(page, fallback_title=item.title, item=item)
                except FetchError as error:
                    log.info(
                        "source %s: full text of %s unavailable: %s", source.name, item.url, error
                    )
        return ArticleData(
            title=item.title or source.name,
            text=item.text or item.title,
            url=item.url,
            guid=item.guid,
            author=item.author,
            published=item.published,
        )

    async def _record_failure(self, name: str, error: BaseException) -> None:
        fetch = self.config.fetch
        before, after = await asyncio.to_thread(self._failure, name, str(error) or repr(error))
        if after.disabled and not before:
            log.error(
                "source %s disabled after %d consecutive failures: %s",
                name,
                after.consecutive_failures,
                error,
            )
            await self._notify_disabled(name, str(error))
        elif (
            after.backoff_until is not None
            and after.consecutive_failures >= fetch.backoff_after_failures
        ):
            log.info("source %s backs off until %s", name, after.backoff_until)

    async def _notify_disabled(self, name: str, error: str) -> None:
        await call_each(self.source_disabled_hooks, name, error)

    # --- blocking store work, run in threads ---

    def _sync_state(self, name: str, location: str) -> source_store.SourceState:
        with self.store.session() as session:
            return source_store.sync_source(session, name, location)

    def _failure(self, name: str, error: str) -> tuple[bool, source_store.SourceState]:
        fetch = self.config.fetch
        with self.store.session() as session:
            before = source_store.source_states(session)[name].disabled
            after = source_store.record_failure(
                session,
                name,
                error,
                backoff_after=fetch.backoff_after_failures,
                disable_after=fetch.disable_after_failures,
                backoff_base=fetch.source_backoff,
            )
            return before, after

    def _unknown_items(self, items: list[FeedItem]) -> list[FeedItem]:
        with self.store.session() as session:
            return [
                item for item in items if not article_store.is_known(session, item.url, item.guid)
            ]

    def _known_url(self, url: str) -> int | None:
        with self.store.session() as session:
            return article_store.find_by_url(session, url)

    def _store_articles(
        self, source: SourceConfig, articles: list[ArticleData], result: FetchResult | None
    ) -> list[int]:
        keep = KeywordFilter(source.include, source.exclude)
        with self.store.session() as session:
            state = source_store.sync_source(session, source.name, source.url or source.path or "")
            ids = []
            for article in articles:
                if not keep.accepts(article.title, article.text):
                    continue
                language = source.language or article.language or detect_language(article.text)
                article_id = article_store.add_article(
                    session, state.id, _with_language(article, language)
                )
                if article_id is not None:
                    ids.append(article_id)
            source_store.record_success(
                session,
                source.name,
                etag=result.etag if result else None,
                last_modified=result.last_modified if result else None,
            )
            return ids

    def _store_one(self, article: ArticleData) -> int:
        language = article.language or detect_language(article.text)
        with self.store.session() as session:
            existing = article_store.find_article(session, article)
            if existing is not None:
                return existing
            article_id = article_store.add_article(session, None, _with_language(article, language))
            assert article_id is not None
            return article_id

    def _count_pending(self) -> int:
        with self.store.session() as session:
            return article_store.count_unsummarized(session)

    def _pending(self, failed: set[int]) -> list[article_store.PendingArticle]:
        with self.store.session() as session:
            return article_store.unsummarized(
                session, self.config.summarizer.batch_size, exclude=failed
            )

    def _store_summaries(
        self, batch: list[article_store.PendingArticle], results: list[Summary | None]
    ) -> list[int]:
        with self.store.session() as session:
            ids = []
            for article, summary in zip(batch, results, strict=True):
                if summary is None:
                    continue
                summary_id = article_store.add_summary(
                    session,
                    article.id,
                    backend=summary.backend,
                    model=summary.model,
                    language=summary.language or article.language,
                    text=summary.text,
                )
                if summary_id is not None:
                    ids.append(summary_id)
            return ids


def _with_language(article: ArticleData, language: str) -> ArticleData:
    return replace(article, language=language)


def _page_article(
    page: ExtractedPage, *, fallback_title: str, item: FeedItem | None = None
) -> ArticleData:
    """An extracted page as an article; the feed item's GUID and metadata fill the gaps."""
    return ArticleData(
        title=page.title or (item.title if item else "") or fallback_title,
        text=page.text,
        url=item.url if item and item.url else page.url,
        guid=item.guid if item else None,
        language=page.language,
        author=page.author or (item.author if item else None),
        published=(item.published if item else None) or page.published,
    )
