"""`khulasa run`: the long-running bot over the services the composition root built."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from pathlib import Path

from bot.adapters import Adapter
from bot.composition import LazySummarizer, Services, open_services
from bot.config import Config
from bot.errors import DatabaseUnavailable, KhulasaError
from bot.flow import tasks
from bot.i18n import t
from bot.metrics.server import metrics_server
from bot.reload import POLL_SECONDS, ConfigReloader
from bot.signals import stop_signals

log = logging.getLogger(__name__)


async def serve(config: Config, config_path: Path, *, owns_loop: bool = False) -> None:
    """`khulasa run` from start to finish, with SIGINT/SIGTERM caught the whole time.

    With external workers the model is theirs: this process builds none unless a reader sends
    a text to summarize. An adapter's fatal error (`Application.fail`) is raised once everything
    has closed.
    """
    summarizer = LazySummarizer(config.summarizer) if config.workers.external else None
    async with stop_signals(owns_loop=owns_loop) as stopping:
        async with open_services(config, summarizer=summarizer) as services:
            if stopping.is_set():
                return
            async with metrics_server(config.metrics.listen, services.store.ping):
                await Application(services, config_path, stopping=stopping).run()


class Application:
    """`khulasa run`: triggers, engine, core and adapters in one loop; reloads config; stops cleanly.

    Work flows one way (docs/adr/014): a trigger defers a task, tasks defer the next one, and
    stored summaries announce themselves, which starts a delivery round here for the chats this
    process serves. In process the clock (APScheduler) triggers fetches and digests; with
    `workers.external`, `khulasa worker` fetches and summarizes, and this process takes the
    `deliver` and `schedule` queues.

    A database outage stops nothing: jobs wait, and when the database is back the lost work is
    deferred again and one delivery round runs. An adapter that cannot go on calls `fail()`:
    the run stops as on SIGTERM, then raises.
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
        self.flow = services.flow
        self.engine = services.engine
        self.local = services.local
        self.clock = services.clock
        self.core = services.core
        self.poll_seconds = poll_seconds
        self.adapters = services.adapters(self.fail)
        self.reloader = ConfigReloader(config_path, self.apply_config)
        self.stopping = stopping or asyncio.Event()
        self.started = asyncio.Event()
        self.failure: KhulasaError | None = None
        services.pipeline.on_source_disabled(self._source_disabled)
        services.store.on_recovered(self._database_back)
        services.store.summary_events.subscribe(self._summaries_stored)

    async def run(self) -> None:
        """Runs until `stop()` or `fail()`; in-flight jobs finish before adapters close.

        SIGHUP reloads the config. After `fail()`, raises its error once everything is closed.
        """
        loop = asyncio.get_running_loop()
        self.reloader.install_sighup(loop)
        started: list[Adapter] = []
        listening: asyncio.Task[None] | None = None
        queue_worker: asyncio.Task[None] | None = None
        try:
            await self.core.start()
            await self._sync_channels(self.config)
            for adapter in self.adapters:
                await adapter.start()
                started.append(adapter)
            self.flow.senders[:] = [adapter.sender for adapter in started]
            listening = asyncio.create_task(self.services.store.summary_events.listen())
            await tasks.deliver(self.flow)  # what fell due while no process served these chats
            queue_worker = await self._start_triggers()
            self.started.set()
            log.info("khulasa running: adapters %s", [a.platform for a in started])
            await self._watch()
        finally:
            loop.remove_signal_handler(signal.SIGHUP)
            if self.clock is not None:
                await self.clock.shutdown()
            if listening is not None:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening
            if queue_worker is not None:
                await queue_worker  # `stopping` is set: running jobs finish, then it returns
            await self.local.stop()
            for adapter in reversed(started):
                await _stop_quietly(adapter)
            log.info("khulasa stopped")
        if self.failure is not None:
            raise self.failure

    async def _start_triggers(self) -> asyncio.Task[None] | None:
        """The clock here, or (external workers) a queue worker on the run queues."""
        if self.clock is not None:
            await self.clock.apply(self.config)
            self.clock.start()
            return None
        from bot.flow.queued import RUN_QUEUES, QueuedEngine

        assert isinstance(self.engine, QueuedEngine)
        log.info("fetching and summarizing left to khulasa worker (workers.external)")
        work = self.engine.work(self.flow, RUN_QUEUES, len(RUN_QUEUES), self.stopping)
        return asyncio.create_task(work)

    def stop(self) -> None:
        """Asks the run loop to finish (what SIGINT/SIGTERM do through `serve`)."""
        self.stopping.set()

    def fail(self, error: KhulasaError) -> None:
        """An adapter's `ReportFatal`: stops like `stop()`, and `run()` then raises the first error.

        Sync and idempotent, as a library callback may report the same failure again while the
        run winds down.
        """
        if self.failure is None:
            self.failure = error
        self.stopping.set()

    async def apply_config(self, config: Config) -> None:
        """Takes a validated new config: sources, schedules and channels change without restart."""
        self.config = config
        self.flow.config = config
        self.services.pipeline.update_config(config)
        self.core.update_config(config)
        await self._sync_channels(config)
        if self.clock is not None:
            await self.clock.apply(config)

    async def _watch(self) -> None:
        """Polls the config file's mtime and the digest subscriptions until asked to stop."""
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), self.poll_seconds)
            except TimeoutError:
                try:
                    await self.reloader.reload_if_changed()
                    if self.clock is not None:  # with workers, each tick reads the digests itself
                        await self.clock.sync_digests()
                except DatabaseUnavailable:
                    log.debug("config and digest sync wait for the database")

    async def _sync_channels(self, config: Config) -> None:
        for platform in config.enabled_platforms():
            await self.core.sync_config_channels(platform, config.platform(platform).channels)

    async def _summaries_stored(self) -> None:
        """Summaries were stored, by this process or (PostgreSQL) any other: a delivery round."""
        if self.started.is_set():
            await self.local.defer(tasks.deliver)

    async def _database_back(self) -> None:
        """After an outage: the lost summaries are deferred again, and one delivery round runs."""
        if not self.started.is_set() or self.stopping.is_set():
            return
        await self.engine.defer(tasks.sweep, fetched_before=int(time.time()))
        await self.local.defer(tasks.deliver)

    async def _source_disabled(self, name: str, error: str) -> None:
        text = t("admin.source_disabled", self.config.delivery.language, source=name, error=error)
        for adapter in self.adapters:
            await adapter.sender.notify_admins(text)


async def _stop_quietly(adapter: Adapter) -> None:
    try:
        await adapter.stop()
    except Exception:  # one adapter failing to close must not keep the others open
        log.error("adapter %s failed to stop", adapter.platform, exc_info=True)
