"""Telegram adapter (python-telegram-bot): translates updates for the core and renders its replies."""

from bot.adapters.telegram.adapter import (
    RequestTimeouts,
    TelegramAdapter,
    build_telegram_adapter,
    create_adapter,
    default_rate_limiter,
)
from bot.adapters.telegram.errors import RetryPolicy
from bot.adapters.telegram.sender import TelegramSender

__all__ = [
    "RequestTimeouts",
    "RetryPolicy",
    "TelegramAdapter",
    "TelegramSender",
    "build_telegram_adapter",
    "create_adapter",
    "default_rate_limiter",
]
