"""The summarizer as the bot uses it: built from its config section, run over stored articles."""

from __future__ import annotations

import logging

from bot.config import SummarizerConfig
from bot.store import PendingArticle
from summarizer.backends import build_summarizer as _build
from summarizer.errors import SummarizerError
from summarizer.types import Summarizer, Summary

log = logging.getLogger(__name__)


def build_summarizer(config: SummarizerConfig) -> Summarizer:
    """The configured backend; `auto` falls back to extractive when no model can run here."""
    return _build(config.to_options())


def summarize_batch(summarizer: Summarizer, batch: list[PendingArticle]) -> list[Summary | None]:
    """Summaries in batch order; an article the model cannot take gets None, not the batch.

    Blocking (the model runs here): call it through `asyncio.to_thread`.
    """
    articles = [article.as_summarizer_article() for article in batch]
    try:
        return list(summarizer.summarize(articles))
    except SummarizerError as error:
        log.info("batch of %d failed (%s); summarizing one by one", len(batch), error)
    results: list[Summary | None] = []
    for article in articles:
        try:
            results.extend(summarizer.summarize([article]))
        except SummarizerError as error:
            log.warning("cannot summarize article %s: %s", article.id, error)
            results.append(None)
    return results
