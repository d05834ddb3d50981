"""The news pipeline: sources -> fetch -> full text -> store (dedup) -> summarize -> store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

import httpx

from bot import metrics
from bot.config import Config, SourceConfig
from bot.errors import DatabaseUnavailable, FetchError
from bot.hooks import call_each
from bot.metrics import FailureKind
from bot.news.canonical import canonical_url
from bot.news.extract import extract_fetched
from bot.news.feeds import FeedItem, looks_like_page, parse_feed
from bot.news.filters import KeywordFilter
from bot.news.http import Fetcher, FetchResult
from bot.news.local import read_local_source
from bot.news.pages import fetch_article, page_article
from bot.news.safety import Resolver, system_resolve
from bot.news.types import ArticleData
from bot.store import NewSummary, PendingArticle, SourceState, Store
from bot.store.types import utcnow
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

    async def fetch_source_logged(self, source: SourceConfig) -> list[int]:
        """fetch_source for loops and jobs: a failure becomes one warning line and no ids.

        A database outage is not the source's failure: it propagates, for the caller to retry.
        """
        try:
            return await self.fetch_source(source)
        except DatabaseUnavailable:
            raise
        except FetchError as error:
            metrics.failure(FailureKind.FETCH)
            log.warning("source %s: %s", source.name, error)
        except Exception as error:  # one broken source must not stop the others
            metrics.failure(FailureKind.FETCH)
            log.warning("source %s failed unexpectedly: %r", source.name, error)
            log.debug("source %s traceback", source.name, exc_info=True)
        return []

    async def fetch_source(self, source: SourceConfig) -> list[int]:
        """New article ids from one source; raises FetchError after recording the failure."""
        location = source.url or source.path or ""
        state = await self.store.sources.sync(source.name, location)
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
        ids = await self.store.sources.store_fetch(
            source.name,
            location,
            _kept(source, articles),
            etag=result.etag if result else None,
            last_modified=result.last_modified if result else None,
        )
        log.info("source %s: %d new article(s)", source.name, len(ids))
        metrics.article_fetched(source.name, len(ids))
        return ids

    async def fetch_url(self, url: str, *, untrusted: bool) -> int:
        """Stores one article page and returns its id; a stored one answers without fetching."""
        known = await self.store.articles.find_by_url(canonical_url(url))
        if known is not None:
            return known
        article = await fetch_article(self.fetcher, url, untrusted=untrusted)
        return await self.store.articles.add_or_find(article)

    async def summarize_articles(self, article_ids: Sequence[int]) -> list[int]:
        """One model batch over the given articles still without a summary (idempotent)."""
        async with self._summarizing:  # one model: batches take turns
            batch = await self.store.articles.pending(article_ids)
            if not batch:
                return []
            return await self._summarize(batch)

    async def _summarize(self, batch: list[PendingArticle]) -> list[int]:
        """Summarizes one batch and stores it: the new summary ids."""
        start = time.perf_counter()
        results = await asyncio.to_thread(summarize_batch, self.summarizer, batch)
        metrics.observe_summarize(time.perf_counter() - start, len(batch), self.summarizer.name)
        for _ in (summary for summary in results if summary is None):
            metrics.failure(FailureKind.SUMMARIZE)
        return await self.store.articles.add_summaries(_new_summaries(batch, results))

    # --- reading ---

    async def _read(
        self, source: SourceConfig, state: SourceState
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
            return [page_article(page, fallback_title=source.name)], result
        items = await asyncio.to_thread(parse_feed, result.body, result.content_type, result.url)
        unknown = await self.store.articles.unknown([(item.url, item.guid) for item in items])
        fresh = [item for item, new in zip(items, unknown, strict=True) if new]
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
                    return page_article(page, fallback_title=item.title, item=item)
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
            image_url=item.image_url,
        )

    async def _record_failure(self, name: str, error: BaseException) -> None:
        fetch = self.config.fetch
        before, after = await self.store.sources.record_failure(
            name,
            str(error) or repr(error),
            backoff_after=fetch.backoff_after_failures,
            disable_after=fetch.disable_after_failures,
            backoff_base=fetch.source_backoff,
        )
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


def _kept(source: SourceConfig, articles: list[ArticleData]) -> list[ArticleData]:
    """The articles the source's word filters keep, each with its language settled."""
    keep = KeywordFilter(source.include, source.exclude)
    return [
        replace(
            article,
            language=source.language or article.language or detect_language(article.text),
        )
        for article in articles
        if keep.accepts(article.title, article.text)
    ]


def _new_summaries(batch: list[PendingArticle], results: list[Summary | None]) -> list[NewSummary]:
    return [
        NewSummary(
            article_id=article.id,
            backend=summary.backend,
            model=summary.model,
            language=summary.language or article.language,
            text=summary.text,
        )
        for article, summary in zip(batch, results, strict=True)
        if summary is not None
    ]
