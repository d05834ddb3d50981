"""A fake Discord (REST API v10 + gateway websocket) on 127.0.0.1 for the real discord.py client."""

from .rest import VALID_TOKEN, Call, limit_errors
from .server import FakeDiscord
from .world import (
    ADMIN_ID,
    APP_ID,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    OTHER_CHANNEL_ID,
    READER_ID,
    TEXT_CHANNEL_ID,
    THREAD_ID,
)

__all__ = [
    "ADMIN_ID",
    "APP_ID",
    "FORUM_CHANNEL_ID",
    "GUILD_ID",
    "OTHER_CHANNEL_ID",
    "READER_ID",
    "TEXT_CHANNEL_ID",
    "THREAD_ID",
    "VALID_TOKEN",
    "Call",
    "FakeDiscord",
    "limit_errors",
]
