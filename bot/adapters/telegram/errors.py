"""Bot API failures → the core's delivery errors, plus a bounded retry for network hiccups."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

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


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a send is retried after a network error (not a 4xx)."""

    attempts: int = 3
    backoff_s: float = 0.5  # doubled after each failure


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Runs `call`, retrying timeouts and connection errors; Telegram's refusals pass through."""
    for attempt in range(1, policy.attempts):
        try:
            return await call()
        except BadRequest:
            raise  # a subclass of NetworkError in PTB, but retrying cannot fix it
        except NetworkError as error:
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
        if any(marker in error.message.lower() for marker in _GONE):
            raise DestinationForbidden(error.message) from error
        raise DeliveryError(f"Telegram refused the message: {error.message}") from error
    except (RetryAfter, NetworkError) as error:
        raise TransientDeliveryError(str(error)) from error
