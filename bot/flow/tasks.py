"""The work itself: one module-level function per kind of work, the same on every engine.

Each task takes the process's `Flow` and ids, never payloads; it is idempotent, so an engine may
run it again after a crash (at-least-once) and the effect still happens once: stored articles
are deduplicated, a summary is one per (article, model), a post is one `deliveries` row.

fetch(source) → summarize(article_ids) → the store announces the summaries (an event) → every
`khulasa run` starts deliver() for the chats it serves; digest(subscription_id) on its schedule.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tqdm import tqdm

from bot.config import Config, SourceConfig
from bot.core import Core
from bot.core.delivery import Sender
from bot.core.requests import deliver_requested
from bot.errors import DatabaseUnavailable
from bot.flow.engine import Engine, Task
from bot.pipeline import Pipeline
from bot.store import Store
from bot.story_desk import StoryDesk

log = logging.getLogger(__name__)


class NotHere(RuntimeError):
    """A job reached a process that cannot run it (a digest on a worker without platforms)."""


@dataclass(slots=True)
class Flow:
    """One process's collaborators for tasks; engines hand it to every task they run."""

    config: Config
    store: Store
    pipeline: Pipeline
    core: Core
    engine: Engine | None = None  # where follow-up tasks go; set once the engine is built
    senders: list[Sender] = field(default_factory=list)  # the platforms this process serves
    desk: StoryDesk | None = None  # one per process; loads its embedder on first use
    progress: bool = False  # a bar on stderr while summarizing (`khulasa digest` at a terminal)

    def enabled_source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.config.sources if s.name == name and s.enabled), None)

    def sender_for(self, platform: str) -> Sender | None:
        return next((s for s in self.senders if s.platform == platform), None)

    async def then(self, task: Task, **ids: object) -> None:
        """Defers the next task of the flow on this process's engine."""
        assert self.engine is not None, "a task ran before its engine was attached"
        await self.engine.defer(task, **ids)


async def fetch(flow: Flow, source: str) -> None:
    """Fetches one enabled source; its new articles go on to `summarize` as one job."""
    found = flow.enabled_source(source)
    if found is None:
        log.info("fetch of %s skipped: not an enabled source here", source)
        return
    article_ids = await flow.pipeline.fetch_source_logged(found)
    if article_ids:
        await flow.then(summarize, article_ids=article_ids)


async def summarize(flow: Flow, article_ids: Sequence[int]) -> None:
    """Gives the articles their story, then summarizes those still without a summary, in
    model-sized batches.

    Storing the summaries announces them (`Store.summary_events`): that event, not this task,
    starts the delivery rounds, in this process or in any other `khulasa run`; stories come
    first, so a round finds every summarized article in its story (ADR 018).
    """
    size = flow.config.summarizer.batch_size
    ids = sorted(set(article_ids))
    await _assign_stories(flow, ids)
    created = 0
    with tqdm(
        total=len(ids), file=sys.stderr, unit="article", disable=None if flow.progress else True
    ) as bar:
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            created += len(await flow.pipeline.summarize_articles(batch))
            bar.update(len(batch))
    log.info("summarized %d of %d article(s)", created, len(ids))


async def _assign_stories(flow: Flow, ids: list[int]) -> None:
    """Stories before summaries; an embedder that fails leaves the articles ungrouped."""
    if flow.desk is None:
        return
    try:
        await flow.desk.assign(ids)
    except DatabaseUnavailable:
        raise
    except Exception:  # grouping is an editor's nicety: posting must not wait on it
        log.exception("stories of %d article(s) not assigned; they post on their own", len(ids))


async def deliver(flow: Flow) -> None:
    """One delivery round on each platform this process serves: immediate subscriptions, and
    readers' `/summary <url>` requests summarized since they asked; then, the sends done, edits
    of sent posts whose story gained sources."""
    for sender in flow.senders:
        try:
            sent = await flow.core.deliver_new(sender)
            sent += await deliver_requested(flow.core.context, sender)
            edited = await flow.core.edit_stories(sender)
        except DatabaseUnavailable:
            log.info("posts on %s wait for the database", sender.platform)
            continue
        log.info("delivered %d new post(s) on %s", sent, sender.platform)
        if edited:
            log.info("%d story post(s) on %s now list their new sources", edited, sender.platform)


async def digest(flow: Flow, subscription_id: int) -> None:
    """One digest subscription's pending posts, on the platform that holds it."""
    if not flow.senders:
        raise NotHere("digest jobs run in `khulasa run`, which holds the platforms")
    view = await flow.store.subscriptions.get(subscription_id)
    if view is None or not view.active:
        return
    sender = flow.sender_for(view.destination.platform)
    if sender is None:
        log.info(
            "digest %s skipped: %s not served here", subscription_id, view.destination.platform
        )
        return
    await flow.core.deliver_digest(sender, subscription_id)


async def sweep(flow: Flow, fetched_before: int) -> None:
    """Re-defers the summaries a crash or an outage lost: articles fetched before then, unsummarized.

    `fetched_before` is a Unix timestamp; the summarize job is idempotent, so a sweep that
    overlaps a live job costs a lookup, not a second summary.
    """
    before = datetime.fromtimestamp(fetched_before, UTC)
    lost = await flow.store.articles.unsummarized_ids(fetched_before=before)
    if lost:
        log.info("%d article(s) without a summary re-deferred", len(lost))
        await flow.then(summarize, article_ids=lost)


# Each task by name, and the queue it takes with external workers (`bot.flow.queued`).
TASKS: dict[str, Task] = {
    task.__name__: task for task in (fetch, summarize, deliver, digest, sweep)
}
FETCH, SUMMARIZE, DELIVER, SCHEDULE = "fetch", "summarize", "deliver", "schedule"
QUEUES = {"fetch": FETCH, "summarize": SUMMARIZE, "digest": DELIVER, "sweep": SCHEDULE}
