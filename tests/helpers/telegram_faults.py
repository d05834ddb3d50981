"""The Bot API's failures as the fake Telegram serves them: error envelopes, drops and delays.

The descriptions are Telegram's own words, so code that reads them is tested against the real text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fail:
    """An error envelope: Telegram's error_code, description and optional parameters."""

    error_code: int
    description: str
    parameters: dict[str, Any] | None = None


@dataclass(frozen=True)
class Drop:
    """Closes the connection without an answer: the client sees a network error.

    With `after_sending`, the method runs first (the message exists, as when Telegram sent it
    and only its answer was lost); the call is then recorded as successful.
    """

    after_sending: bool = False


@dataclass(frozen=True)
class Delay:
    """Answers normally after `seconds` (longer than the client's read timeout = a timeout)."""

    seconds: float


Fault = Fail | Drop | Delay


def retry_after(seconds: int) -> Fail:
    """A 429 flood-control answer."""
    return Fail(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def migrated_to(new_chat_id: int) -> Fail:
    """The 400 Telegram sends to a group that became a supergroup."""
    return Fail(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


BLOCKED = Fail(403, "Forbidden: bot was blocked by the user")
KICKED = Fail(403, "Forbidden: bot was kicked from the channel chat")
BAD_REQUEST = Fail(400, "Bad Request: chat not found")
# What Telegram answers when it cannot use a photo's URL: not a URL or file id it knows, or a
# URL it could not download (unreachable, not an image, too big).
WRONG_PHOTO_URL = Fail(400, "Bad Request: wrong file identifier/HTTP URL specified")
PHOTO_UNREACHABLE = Fail(400, "Bad Request: failed to get HTTP URL content")
NOT_MODIFIED = Fail(
    400,
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message",
)
EDIT_NOT_FOUND = Fail(400, "Bad Request: message to edit not found")
CONFLICT = Fail(
    409,
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
)
