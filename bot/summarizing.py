"""The bot's summarizer config mapped onto the library's own options (the library never sees ours)."""

from __future__ import annotations

import logging

from bot.config import SummarizerConfig
from bot.store.articles import PendingArticle
from summarizer.backends import build_summarizer as _build
from summarizer.errors import SummarizerError
from summarizer.types import Article, GenerationSettings, Summarizer, SummarizerOptions, Summary

log = logging.getLogger(__name__)


def summarizer_options(config: SummarizerConfig) -> SummarizerOptions:
    """SummarizerOptions with the same meaning as the `summarizer:` section."""
    return SummarizerOptions(
        backend=config.backend,
        model=config.model,
        language_models=dict(config.language_models),
        output_languages=dict(config.output_languages),
        sentences=config.sentences,
        max_chars=config.max_chars,
        generation=GenerationSettings(
            num_beams=config.num_beams,
            min_new_tokens=config.min_new_tokens,
            max_new_tokens=config.max_new_tokens,
        ),
        device=config.device,
        quantize=config.quantize,
        batch_size=config.batch_size,
        cuda_batch_size=config.cuda_batch_size,
        ct2_cpu_batch_size=config.ct2_cpu_batch_size,
        inter_threads=config.inter_threads,
        long_input=config.long_input,
        output_vocabulary=config.output_vocabulary,
        local_files_only=config.local_files_only,
        cache_dir=config.cache_dir,
        threads=config.threads,
        compute_type=config.compute_type,
        max_input_chars=config.max_input_chars,
    )


def build_summarizer(config: SummarizerConfig) -> Summarizer:
    """The configured backend; `auto` falls back to extractive when no model can run here."""
    return _build(summarizer_options(config))


def summarize_batch(summarizer: Summarizer, batch: list[PendingArticle]) -> list[Summary | None]:
    """Summaries in batch order; an article the model cannot take gets None, not the batch.

    Blocking (the model runs here): call it through `asyncio.to_thread`.
    """
    articles = [_as_input(article) for article in batch]
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


def _as_input(article: PendingArticle) -> Article:
    return Article(
        text=article.text, title=article.title, language=article.language, id=str(article.id)
    )
