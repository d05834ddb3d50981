"""Console adapter: subscribes stdout to every source and prints posts as they arrive."""

from __future__ import annotations

import itertools
import logging
import sys
from typing import Protocol, TextIO

from bot.core.types import Caller, Destination, Post, Reply

log = logging.getLogger(__name__)

CONSOLE_CHAT = Destination(platform="console", chat_id="stdout", kind="private")


class _Core(Protocol):
    async def handle(self, name: str, caller: Caller, args: str = "") -> Reply: ...


class ConsoleSender:
    """The Sender for stdout: message ids are a counter, admins are the operator on stderr."""

    platform = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._ids = itertools.count(1)

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        footer = " | ".join(part for part in (post.source, post.url) if part)
        return self._write(f"{post.title}\n{post.summary}\n— {footer}\n")

    async def send_text(self, dest: Destination, text: str) -> str:
        return self._write(f"{text}\n")

    async def notify_admins(self, text: str) -> None:
        log.warning("admin notice: %s", text)

    def _write(self, text: str) -> str:
        self.stream.write(text + "\n")
        self.stream.flush()
        return str(next(self._ids))


class ConsoleAdapter:
    """Subscribes the console (platform `console`, chat `stdout`) through the core at start."""

    platform = "console"

    def __init__(self, core: _Core, stream: TextIO | None = None) -> None:
        self.core = core
        self.sender = ConsoleSender(stream)

    async def start(self) -> None:
        caller = Caller(
            user_id="console", destination=CONSOLE_CHAT, language="en", can_manage_chat=True
        )
        await self.core.handle("subscribe", caller, "")
        log.info("console adapter subscribed to all sources")

    async def stop(self) -> None:
        """Nothing to close: stdout belongs to the process."""
