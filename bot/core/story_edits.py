"""Edits of sent story posts: a story that gained sources shows them on the post already sent.

After each delivery round's sends (so edits never delay a first post), every post sent within
`stories.edit_within` whose story has more distinct sources than the post shows is edited with
the whole updated `Post`. An edit is idempotent by (chat, message id): a crash between the edit
and its record edits once more, and "not modified" is success. No outcome sends a new post:
`EDITED`/`UNCHANGED` record the sources shown, `GONE` closes the post for edits, a
`TransientDeliveryError` leaves it for the next round. The sender logs each outcome (one line);
the core writes the state (ADR 018).
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.context import CoreContext
from bot.core.delivery import SENDS_IN_FLIGHT, Sender, TransientDeliveryError
from bot.core.posts import story_post
from bot.core.types import EditOutcome
from bot.errors import DatabaseUnavailable
from bot.store import GrownPost
from bot.store.types import utcnow

log = logging.getLogger(__name__)


class StoryEdits:
    """Brings sent story posts up to date with their story's sources."""

    def __init__(self, context: CoreContext) -> None:
        self.context = context
        self._editing = asyncio.Lock()  # one edit pass at a time in this process

    async def edit_grown(self, sender: Sender) -> int:
        """Edits the sender's platform's posts whose story grew; returns how many now show it."""
        store = self.context.store
        if await store.settings.is_paused(sender.platform):
            return 0
        async with self._editing:
            since = utcnow() - self.context.config.stories.edit_within_delta()
            grown = await store.story_posts.grown(sender.platform, since)
            if not grown:
                return 0
            slots = asyncio.Semaphore(SENDS_IN_FLIGHT)

            async def one(post: GrownPost) -> bool:
                async with slots:
                    return await self._edit(sender, post)

            done = await asyncio.gather(*(one(post) for post in grown), return_exceptions=True)
        for outcome in done:
            if isinstance(outcome, DatabaseUnavailable):
                raise outcome  # the next round edits what is left
        return sum(1 for outcome in done if outcome is True)

    async def _edit(self, sender: Sender, grown: GrownPost) -> bool:
        """One post: edited or already current → recorded; gone → closed; transient → later."""
        post = story_post(grown.story.post, images=grown.images)
        records = self.context.store.story_posts
        try:
            outcome = await sender.edit_post(
                grown.destination, grown.message_id, post, grown.language
            )
        except TransientDeliveryError:
            return False  # the sender logged it; the post stays due for the next round
        except DatabaseUnavailable:
            raise
        except Exception:  # per-post loop: one broken edit must not stop the others
            log.exception(
                "edit of delivery %s (story %s) failed", grown.delivery_id, grown.story.story_id
            )
            return False
        if outcome is EditOutcome.GONE:
            await records.close_edits(grown.delivery_id)
            return False
        await records.record_edit(grown.delivery_id, grown.story.sources)
        return True
