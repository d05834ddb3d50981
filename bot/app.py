"""Runtime wiring shared by `digest` and `run`: store, HTTP client, summarizer and pipeline."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.adapters import Adapter, build_adapters
from bot.config import Config
from bot.core.service import Core
from bot.i18n import t
from bot.news.http import make_client
from bot.pipeline import Pipeline
from bot.reload import POLL_SECONDS, ConfigReloader
from bot.scheduler import Scheduler
from bot.store import Store
from bot.summarizing import build_summarizer

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(slots=True)
class Runtime:
    """The collaborators every long or short run needs, opened and closed together."""

    config: Config
    store: Store
    pipeline: Pipeline


@asynccontextmanager
async def open_runtime(config: Config) -> AsyncIterator[Runtime]:
    """Opens the database (migrated), the shared HTTP client and the summarizer; closes them."""
    store = await asyncio.to_thread(Store, config.storage.url)
    try:
        summarizer = await asyncio.to_thread(build_summarizer, config.summarizer)
        async with make_client(config.fetch) as http:
            yield Runtime(config, store, Pipeline(config, store, summarizer, http))
    finally:
        store.close()


async def serve(config: Config, config_path: Path, *, owns_loop: bool = False) -> None:
    """`khulasa run` from start to finish, with SIGINT/SIGTERM caught the whole time.

    The handlers go in before anything opens and come out only after everything closed: a stop
    during start-up skips the rest of it, and a second signal during shutdown is absorbed
    instead of interrupting the wind-down half-way (nothing is left half-recorded). With
    `owns_loop` (the CLI), the loop's worker threads are also joined before the handlers go.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, _request_stop, stopping, sig)
    try:
        async with open_runtime(config) as runtime:
            if not stopping.is_set():
                await Application(runtime, config_path, stopping=stopping).run()
    finally:
        if owns_loop:  # asyncio.run would wait for the threads with Ctrl-C raising in the middle
            await loop.shutdown_default_executor()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def _request_stop(stopping: asyncio.Event, sig: signal.Signals) -> None:
    if not stopping.is_set():
        log.info("%s received: stopping after the work in flight", sig.name)
    stopping.set()


class Application:
    """`khulasa run`: scheduler, core and adapters in one loop; reloads config; stops cleanly."""

    def __init__(
        self,
        runtime: Runtime,
        config_path: Path,
        *,
        poll_seconds: float = POLL_SECONDS,
        stopping: asyncio.Event | None = None,
    ):
        self.runtime = runtime
        self.config = runtime.config
        self.poll_seconds = poll_seconds
        self.scheduler = Scheduler(runtime.pipeline, runtime.store)
        self.core = Core(
            runtime.config,
            runtime.store,
            runtime.pipeline,
            runtime.pipeline.summarizer,
            reschedule=self.scheduler.reschedule,
        )
        self.adapters = build_adapters(runtime.config, self.core)
        self.reloader = ConfigReloader(config_path, self.apply_config)
        self.stopping = stopping or asyncio.Event()
        self.started = asyncio.Event()
        self.scheduler.on_new_summaries(self._deliver_new)
        self.scheduler.on_digest(self._deliver_digest)
        runtime.pipeline.on_source_disabled(self._source_disabled)

    async def run(self) -> None:
        """Runs until `stop()`; in-flight jobs finish before adapters close; SIGHUP reloads."""
        loop = asyncio.get_running_loop()
        self.reloader.install_sighup(loop)
        started: list[Adapter] = []
        try:
            await self.core.start()
            await self._sync_channels(self.config)
            for adapter in self.adapters:
                await adapter.start()
                started.append(adapter)
            await self.scheduler.apply(self.config)
            self.scheduler.start()
            self.started.set()
            log.info("khulasa running: adapters %s", [a.platform for a in started])
            await self._watch()
        finally:
            loop.remove_signal_handler(signal.SIGHUP)
            await self.scheduler.shutdown()
            for adapter in reversed(started):
                await _stop_quietly(adapter)
            log.info("khulasa stopped")

    def stop(self) -> None:
        """Asks the run loop to finish (what SIGINT/SIGTERM do through `serve`)."""
        self.stopping.set()

    async def apply_config(self, config: Config) -> None:
        """Takes a validated new config: sources, schedules and channels change without restart."""
        self.config = config
        self.runtime.pipeline.update_config(config)
        self.core.update_config(config)
        await self._sync_channels(config)
        await self.scheduler.apply(config)

    async def _watch(self) -> None:
        """Polls the config file's mtime and the digest subscriptions until asked to stop."""
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), self.poll_seconds)
            except TimeoutError:
                await self.reloader.reload_if_changed()
                await self.scheduler.sync_digests()

    async def _sync_channels(self, config: Config) -> None:
        for platform in ("telegram", "discord"):
            section = getattr(config, platform)
            if section.enabled:
                await self.core.sync_config_channels(platform, section.channels)

    async def _deliver_new(self, summary_ids: list[int]) -> None:
        for adapter in self.adapters:
            sent = await self.core.deliver_new(adapter.sender)
            log.info("delivered %d new post(s) on %s", sent, adapter.platform)

    async def _deliver_digest(self, subscription_id: int, platform: str) -> None:
        adapter = next((a for a in self.adapters if a.platform == platform), None)
        if adapter is None:
            log.info("digest %s skipped: %s adapter not running", subscription_id, platform)
            return
        await self.core.deliver_digest(adapter.sender, subscription_id)

    async def _source_disabled(self, name: str, error: str) -> None:
        text = t("admin.source_disabled", self.config.delivery.language, source=name, error=error)
        for adapter in self.adapters:
            await adapter.sender.notify_admins(text)


async def _stop_quietly(adapter: Adapter) -> None:
    try:
        await adapter.stop()
    except Exception:  # one adapter failing to close must not keep the others open
        log.error("adapter %s failed to stop", adapter.platform, exc_info=True)
