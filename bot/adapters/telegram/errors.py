"""Bot API failures → the core's delivery errors, plus a bounded retry for network hiccups.

`sendMessage` is not idempotent, so a network error is judged by where it happened: a
connection that was never made (refused, connect or pool timeout) surely never reached
Telegram and is retried, then deferred to the next round; a read timeout or a dropped answer
may hide a message Telegram did send, so it is neither retried nor deferred but reported as an
unknown outcome, which the core records as `unknown` and never re-sends. That is the core's
at-most-once rule for a crash between sending and recording, applied to a lost answer: a
reader may miss one post, never sees it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.adapters.telegram.transport import NEVER_SENT
from bot.core.delivery import DestinationForbidden, DestinationMigrated, TransientDeliveryError
from bot.errors import DeliveryError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Bad requests that mean the destination itself is gone, not that our message was wrong.
_GONE = (
    "chat not found",
    "have no rights to send",
    "not enough rights",
    "need administrator rights",
)

_NOT_MODIFIED = "message is not modified"
_OTHER_KIND = (
    "there is no caption in the message to edit",
    "there is no text in the message to edit",
)


def never_sent(error: NetworkError) -> bool:
    """True when the request surely never reached Telegram (the transport's error is the cause)."""
    return not isinstance(error, BadRequest) and isinstance(error.__cause__, NEVER_SENT)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a send is retried after a connection that was never made."""

    attempts: int = 3
    backoff_s: float = 0.5  # doubled after each failure


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Runs `call`, retrying only errors that surely never reached Telegram; the rest pass through."""
    for attempt in range(1, policy.attempts):
        try:
            return await call()
        except NetworkError as error:
            if not never_sent(error):
                raise  # a refusal (BadRequest) or an unknown outcome: sending again may duplicate
            delay = policy.backoff_s * 2 ** (attempt - 1)
            log.warning(
                "Bot API call failed (%s), attempt %d/%d; retrying in %.2fs",
                error,
                attempt,
                policy.attempts,
                delay,
            )
            await asyncio.sleep(delay)
    return await call()


def destination_gone(error: BadRequest) -> bool:
    """True when a 400 says the chat itself is gone or closed to us, not that our message was wrong."""
    return any(marker in error.message.lower() for marker in _GONE)


def not_modified(error: BadRequest) -> bool:
    """An edit to what the message already shows: Telegram refuses it, and that is success."""
    return _NOT_MODIFIED in error.message.lower()


def other_kind(error: BadRequest) -> bool:
    """An edit of the wrong kind: a caption edit of a text message, or a text edit of a photo."""
    return any(marker in error.message.lower() for marker in _OTHER_KIND)


def picture_refused(error: BadRequest) -> bool:
    """A 400 to sendPhoto that a text can avoid: any but a gone chat's (photos alone may be barred)."""
    return "photos" in error.message.lower() or not destination_gone(error)


@contextmanager
def delivery_errors() -> Iterator[None]:
    """Translates what Telegram said into what the core must do about the destination."""
    try:
        yield
    except Forbidden as error:
        raise DestinationForbidden(error.message) from error
    except ChatMigrated as error:
        raise DestinationMigrated(str(error.new_chat_id)) from error
    except BadRequest as error:
        if destination_gone(error):
            raise DestinationForbidden(error.message) from error
        raise DeliveryError(f"Telegram refused the message: {error.message}") from error
    except RetryAfter as error:
        raise TransientDeliveryError(str(error)) from error
    except NetworkError as error:
        if never_sent(error):
            raise TransientDeliveryError(str(error)) from error
        raise DeliveryError(f"Telegram may have sent the message (no answer): {error}") from error
