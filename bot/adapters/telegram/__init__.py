"""Telegram adapter (python-telegram-bot): translates updates for the core and renders its replies.

The names below load on first use, so reading the `telegram:` config section (`settings`)
never imports the Telegram library.
"""

from __future__ import annotations

from bot.lazy import lazy_exports

_EXPORTS = {
    "RequestTimeouts": "bot.adapters.telegram.adapter",
    "TelegramAdapter": "bot.adapters.telegram.adapter",
    "build_telegram_adapter": "bot.adapters.telegram.adapter",
    "create_adapter": "bot.adapters.telegram.adapter",
    "default_rate_limiter": "bot.adapters.telegram.adapter",
    "RetryPolicy": "bot.adapters.telegram.errors",
    "TelegramSender": "bot.adapters.telegram.sender",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
