"""The console adapter: posts and notices printed to stdout, for `khulasa run` without tokens."""

from bot.adapters.console.adapter import CONSOLE_CHAT, ConsoleAdapter, ConsoleSender

__all__ = ["CONSOLE_CHAT", "ConsoleAdapter", "ConsoleSender"]
