"""Config reload while running: on SIGHUP and when the file changes on disk (mtime polling).

A new config that does not validate is rejected with one log line naming the key and line;
the running config stays in force.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Config, load_config
from bot.errors import ConfigError

log = logging.getLogger(__name__)

ApplyConfig = Callable[[Config], Awaitable[None]]
POLL_SECONDS = 3.0


class ConfigReloader:
    """Loads the config file again and hands a valid one to `apply`; one reload at a time."""

    def __init__(self, path: Path, apply: ApplyConfig) -> None:
        self.path = path
        self.apply = apply
        self._lock = asyncio.Lock()
        self._mtime = self._current_mtime()
        self._tasks: set[asyncio.Task[bool]] = set()

    async def reload(self) -> bool:
        """True when the new config was applied; False when it was rejected."""
        async with self._lock:
            self._mtime = self._current_mtime()
            try:
                config = await asyncio.to_thread(load_config, self.path)
            except ConfigError as error:
                log.error("config reload rejected, keeping the running config: %s", error)
                return False
            await self.apply(config)
            log.info("config reloaded from %s", self.path)
            return True

    async def reload_if_changed(self) -> bool:
        """Reloads when the file's modification time moved since the last load."""
        if self._current_mtime() == self._mtime:
            return False
        return await self.reload()

    def install_sighup(self, loop: asyncio.AbstractEventLoop) -> None:
        """SIGHUP schedules a reload on the loop (POSIX only)."""
        loop.add_signal_handler(signal.SIGHUP, self._reload_soon)

    def _reload_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _current_mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None
