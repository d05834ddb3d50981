"""/summary: the latest stories, one URL summarized now, or a text (argument or replied message)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.core.context import CoreContext
from bot.core.posts import story_post, to_post
from bot.core.types import Caller, Destination, RepliedMessage, Reply
from bot.errors import FetchError, UnsafeURLError, UserError
from bot.i18n import t
from bot.store import SummaryItem
from summarizer import Article, Summarizer
from summarizer.errors import SummarizerError

log = logging.getLogger(__name__)

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
MIN_TEXT_CHARS = 80  # shorter than this there is nothing to condense
MAX_COUNT = 20


class ArticleIntake(Protocol):
    """What /summary needs of the news pipeline: a URL in, an article summarized."""

    async def fetch_url(self, url: str, *, untrusted: bool) -> int: ...


# Summarizes one article, or hands it to the workers: True when the outcome is final here,
# False when the summary comes later (a job on the summarize queue).
SummarizeArticle = Callable[[int], Awaitable[bool]]


class SummaryCommand:
    """Decides what `/summary ARGS` means and produces posts or a summary text."""

    def __init__(
        self,
        context: CoreContext,
        pipeline: ArticleIntake,
        summarizer: Summarizer,
        summarize_article: SummarizeArticle,
    ) -> None:
        self.context = context
        self.pipeline = pipeline
        self.summarizer = summarizer
        self.summarize_article = summarize_article

    async def run(self, caller: Caller, args: str, replied: RepliedMessage | None) -> Reply:
        args = args.strip()
        if not args and replied is not None and replied.text.strip():
            return await self.summarize_text(replied.text, caller.language)
        if not args:
            return await self.latest(self.context.config.delivery.summary_count, caller.language)
        if args.isdigit():
            count = int(args)
            if not 1 <= count <= MAX_COUNT:
                raise UserError("error.summary_count", max=MAX_COUNT)
            return await self.latest(count, caller.language)
        if _URL.match(args):
            return await self.summarize_url(args, caller.language, caller.destination)
        return await self.summarize_text(args, caller.language)

    async def latest(self, count: int, language: str) -> Reply:
        """The `count` latest stories, one post each: its first summarized article, with the
        story's other sources listed (all that fit: the count of sources shows)."""
        stories = await self.context.store.stories.latest(count)
        if not stories:
            return Reply(text=t("summary.none", language))
        return Reply(posts=[story_post(story) for story in stories])

    async def summarize_url(self, url: str, language: str, destination: Destination) -> Reply:
        """Fetches through the pipeline (untrusted: public addresses only); a stored article answers at once.

        Only this article is summarized: here, or with external workers as a summarize job
        whose summary is awaited for `delivery.summary_wait` seconds, then posted when stored.
        """
        try:
            article_id = await self.pipeline.fetch_url(url, untrusted=True)
        except UnsafeURLError:
            raise UserError("error.unsafe_url") from None
        except FetchError as error:
            log.info("reader URL not fetched: %s: %s", url, error)
            raise UserError("error.fetch_failed") from None
        articles = self.context.store.articles
        row = await articles.summary_of(article_id)
        if row is None:
            if await self.summarize_article(article_id):
                row = await articles.summary_of(article_id)
            elif (row := await self._wait_for(article_id)) is None:
                # past the wait: the next delivery round posts it here once it is stored
                post_language = self.context.post_language(destination, language)
                await self.context.store.summary_requests.add(
                    destination, article_id, post_language
                )
                return Reply(text=t("summary.queued", language))
        if row is None:
            log.warning("article %s from %s fetched but not summarized", article_id, url)
            raise UserError("error.summary_failed")
        return Reply(posts=[to_post(row)])

    async def _wait_for(self, article_id: int) -> SummaryItem | None:
        """The article's summary once stored, for at most `delivery.summary_wait` seconds.

        Each wait ends at a summary event (`Store.summary_events`), not on a timer.
        """
        articles = self.context.store.articles
        deadline = asyncio.get_running_loop().time() + self.context.config.delivery.summary_wait
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            await self.context.store.summary_events.next(within=left)
            row = await articles.summary_of(article_id)
            if row is not None:
                return row
        return None

    async def summarize_text(self, text: str, language: str) -> Reply:
        text = text.strip()
        if len(text) < MIN_TEXT_CHARS:
            raise UserError("error.text_too_short", min=MIN_TEXT_CHARS)
        try:
            async with self.context.inference:
                summaries = await asyncio.to_thread(self.summarizer.summarize, [Article(text=text)])
        except SummarizerError as error:
            log.warning("reader text not summarized (%d chars): %s", len(text), error)
            raise UserError("error.summary_failed") from None
        return Reply(text=summaries[0].text)
