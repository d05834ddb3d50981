"""Readers' `/summary <url>` requests that outlived their wait, posted once summarized.

The same exactly-once rows as every post: a `deliveries` row reserved before the send and
completed after it, so a request answered before a crash is never posted twice; the request
row goes once its post is recorded (or was recorded already).
"""

from __future__ import annotations

import logging

from bot.core.context import CoreContext
from bot.core.delivery import Sender, TransientDeliveryError
from bot.core.posts import to_post
from bot.errors import DeliveryError

log = logging.getLogger(__name__)


async def deliver_requested(context: CoreContext, sender: Sender) -> int:
    """Posts each ready request of the sender's platform in the chat that asked; returns how many."""
    store = context.store
    sent = 0
    for request in await store.summary_requests.ready(sender.platform):
        dest, item = request.destination, request.item
        delivery_id = await store.deliveries.reserve(dest, item.article_id, item.summary_id)
        if delivery_id is not None:
            try:
                message_id = await sender.send_post(dest, to_post(item), request.language)
            except TransientDeliveryError as error:
                await store.deliveries.release(delivery_id)
                log.info("summary request %s deferred: %s", request.id, error)
                continue
            except DeliveryError as error:  # the chat refuses posts: the request is dropped
                await store.deliveries.release(delivery_id)
                log.warning("summary request %s dropped: %s", request.id, error)
            else:
                await store.deliveries.record_sent(delivery_id, dest, message_id, item.article_id)
                log.info("summary request %s posted as message %s", request.id, message_id)
                sent += 1
        await store.summary_requests.remove(request.id)
    return sent
