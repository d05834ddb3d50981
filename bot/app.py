"""`khulasa run`: the long-running bot over the services the composition root built."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from bot.adapters import Adapter
from bot.composition import Services, open_services
from bot.config import Config
from bot.errors import DatabaseUnavailable
from bot.i18n import t
from bot.reload import POLL_SECONDS, ConfigReloader

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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
        async with open_services(config) as services:
            if not stopping.is_set():
                await Application(services, config_path, stopping=stopping).run()
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
    """`khulasa run`: scheduler, core and adapters in one loop; reloads config; stops cleanly.

    A database outage stops nothing: jobs and commands fail softly meanwhile, and when the
    database is back the work that waited (summaries, immediate posts, digests that fell in
    the outage) runs at once.
    """

    def __init__(
        self,
        services: Services,
        config_path: Path,
        *,
        poll_seconds: float = POLL_SECONDS,
        stopping: asyncio.Event | None = None,
    ):
        self.services = services
        self.config = services.config
        self.poll_seconds = poll_seconds
        self.scheduler = services.scheduler
        self.core = services.core
        self.adapters = services.adapters()
        self.reloader = ConfigReloader(config_path, self.apply_config)
        self.stopping = stopping or asyncio.Event()
        self.started = asyncio.Event()
        self._missed_digests: dict[int, str] = {}
        self._catch_up = asyncio.Lock()
        self.scheduler.on_new_summaries(self._deliver_new)
        self.scheduler.on_digest(self._deliver_digest)
        services.pipeline.on_source_disabled(self._source_disabled)
        services.store.on_recovered(self._database_back)

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
        self.services.pipeline.update_config(config)
        self.core.update_config(config)
        await self._sync_channels(config)
        await self.scheduler.apply(config)

    async def _watch(self) -> None:
        """Polls the config file's mtime and the digest subscriptions until asked to stop."""
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), self.poll_seconds)
            except TimeoutError:
                try:
                    await self.reloader.reload_if_changed()
                    await self.scheduler.sync_digests()
                except DatabaseUnavailable:
                    log.debug("config and digest sync wait for the database")

    async def _sync_channels(self, config: Config) -> None:
        for platform in config.enabled_platforms():
            await self.core.sync_config_channels(platform, config.platform(platform).channels)

    async def _deliver_new(self, summary_ids: list[int]) -> None:
        for adapter in self.adapters:
            try:
                sent = await self.core.deliver_new(adapter.sender)
            except DatabaseUnavailable:
                log.info("posts on %s wait for the database", adapter.platform)
                continue
            log.info("delivered %d new post(s) on %s", sent, adapter.platform)

    async def _deliver_digest(self, subscription_id: int, platform: str) -> None:
        adapter = next((a for a in self.adapters if a.platform == platform), None)
        if adapter is None:
            log.info("digest %s skipped: %s adapter not running", subscription_id, platform)
            return
        try:
            await self.core.deliver_digest(adapter.sender, subscription_id)
        except DatabaseUnavailable:
            log.info("digest %s waits for the database", subscription_id)
            self._missed_digests[subscription_id] = platform

    async def _database_back(self) -> None:
        """After an outage: summarize what was fetched, deliver what is due, send missed digests."""
        if not self.started.is_set() or self.stopping.is_set():
            return
        async with self._catch_up:
            await self.scheduler.run_missed()
            try:
                await self.services.pipeline.summarize_pending()
            except DatabaseUnavailable:
                return  # down again: the next recovery runs this anew
            await self._deliver_new([])
            missed, self._missed_digests = self._missed_digests, {}
            for subscription_id, platform in missed.items():
                await self._deliver_digest(subscription_id, platform)

    async def _source_disabled(self, name: str, error: str) -> None:
        text = t("admin.source_disabled", self.config.delivery.language, source=name, error=error)
        for adapter in self.adapters:
            await adapter.sender.notify_admins(text)


async def _stop_quietly(adapter: Adapter) -> None:
    try:
        await adapter.stop()
    except Exception:  # one adapter failing to close must not keep the others open
        log.error("adapter %s failed to stop", adapter.platform, exc_info=True)
