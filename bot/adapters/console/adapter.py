"""Console adapter: subscribes stdout to every source and prints posts as they arrive."""

from __future__ import annotations

import itertools
import json
import logging
import sys
from typing import Literal, Protocol, TextIO

from bot.core.types import Caller, ChatKind, Destination, EditOutcome, Post, Reply
from bot.render import sources_line

log = logging.getLogger(__name__)

PLATFORM = "console"
CONSOLE_CHAT = Destination(platform=PLATFORM, chat_id="stdout", kind=ChatKind.PRIVATE)
OutputFormat = Literal["text", "json"]


class _Core(Protocol):
    async def handle(self, name: str, caller: Caller, args: str = "") -> Reply: ...


class ConsoleSender:
    """The Sender for stdout: message ids are a counter, admins are the operator on stderr.

    `json` writes one object per post, the `khulasa digest --format json` contract.
    """

    platform = PLATFORM

    def __init__(self, stream: TextIO | None = None, output: OutputFormat = "text") -> None:
        self.stream = stream or sys.stdout
        self.output = output
        self._ids = itertools.count(1)

    async def send_post(self, dest: Destination, post: Post, language: str) -> str:
        if self.output == "json":
            return self._write_line(json.dumps(post_json(post), ensure_ascii=False))
        footer = " | ".join(part for part in (post.source, post.url) if part)
        lines = [post.title, post.summary, f"— {footer}"]
        others = [f"{s.source} ({s.url})" if s.url else s.source for s in post.also]
        also = sources_line(others, language)  # a story's other sources; "" for none
        return self._write("\n".join([*lines, also] if also else lines) + "\n")

    async def send_text(self, dest: Destination, text: str) -> str:
        return self._write(f"{text}\n")

    async def edit_post(
        self, dest: Destination, message_id: str, post: Post, language: str
    ) -> EditOutcome:
        """Printed text cannot change: the edit is logged, stdout (`khulasa digest`) stays as is."""
        log.info(
            "console post %s of story %s not reprinted: %d other sources now",
            message_id,
            post.story_id,
            len(post.also),
        )
        return EditOutcome.UNCHANGED

    async def notify_admins(self, text: str) -> None:
        log.warning("admin notice: %s", text)

    def _write(self, text: str) -> str:
        return self._write_line(text + "\n")

    def _write_line(self, text: str) -> str:
        self.stream.write(text + "\n")
        self.stream.flush()
        return str(next(self._ids))


def post_json(post: Post) -> dict[str, object]:
    """A post as `khulasa digest --format json` prints it."""
    return {
        "id": post.article_id,
        "source": post.source,
        "title": post.title,
        "url": post.url,
        "language": post.language,
        "published": post.published.isoformat() if post.published else None,
        "summary": post.summary,
    }


class ConsoleAdapter:
    """Subscribes the console (platform `console`, chat `stdout`) through the core at start."""

    platform = PLATFORM

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
