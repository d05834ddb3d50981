"""Telegram adapter (python-telegram-bot): translates updates for the core and renders its replies.

The package itself stays empty: `settings` (the config section) must load without the Telegram
library; `adapter.create_adapter` is what `khulasa run` imports when Telegram is enabled.
"""
