"""`khulasa run`: the long-running bot over the services the composition root built."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from bot.adapters import Adapter
from bot.composition import Services, open_services
from bot.config import Config
from bot.errors import DatabaseUnavailable, KhulasaError
from bot.i18n import t
from bot.jobs.engine import JobEngine
from bot.jobs.runtime import JobRuntime
from bot.jobs.tasks import RUN_QUEUES
from bot.metrics.server import metrics_server
from bot.reload import POLL_SECONDS, ConfigReloader
from bot.signals import stop_signals

log = logging.getLogger(__name__)


async def serve(config: Config, config_path: Path, *, owns_loop: bool = False) -> None:
    """`khulasa run` from start to finish, with SIGINT/SIGTERM caught the whole time.

    An adapter's fatal error (`Application.fail`) is raised once everything has closed.
    """
    async with stop_signals(owns_loop=owns_loop) as stopping:
        async with open_services(config) as services:
            if stopping.is_set():
                return
            async with metrics_server(config.metrics.listen, services.store.ping):
                if config.workers.external:
                    async with JobEngine(services.store, config.workers) as jobs:
                        await Application(services, config_path, stopping=stopping, jobs=jobs).run()
                else:
                    await Application(services, config_path, stopping=stopping).run()


class Application:
    """`khulasa run`: scheduler, core and adapters in one loop; reloads config; stops cleanly.

    A database outage stops nothing: jobs and commands fail softly meanwhile, and when the
    database is back the work that waited (summaries, immediate posts, digests that fell in
    the outage) runs at once.

    With `jobs` (`workers.external`), fetching and summarizing are `khulasa worker`'s: this
    process takes only the `deliver` and `schedule` queues, and APScheduler stays off.

    An adapter that cannot go on calls `fail()`: the run stops as on SIGTERM, then raises.
    """

    def __init__(
        self,
        services: Services,
        config_path: Path,
        *,
        poll_seconds: float = POLL_SECONDS,
        stopping: asyncio.Event | None = None,
        jobs: JobEngine | None = None,
    ):
        self.services = services
        self.jobs = jobs
        self.job_runtime = JobRuntime.build(services.config, services.store, services.pipeline)
        self.job_runtime.on_digest = self._digest_job
        self.config = services.config
        self.poll_seconds = poll_seconds
        self.scheduler = services.scheduler
        self.core = services.core
        self.adapters = services.adapters(self.fail)
        self.reloader = ConfigReloader(config_path, self.apply_config)
        self.stopping = stopping or asyncio.Event()
        self.started = asyncio.Event()
        self.failure: KhulasaError | None = None
        self._missed_digests: dict[int, str] = {}
        self._catch_up = asyncio.Lock()
        self._newest_summary: int | None = None  # with external workers: what was delivered
        self.scheduler.on_new_summaries(self._deliver_new)
        self.scheduler.on_digest(self._deliver_digest)
        services.pipeline.on_source_disabled(self._source_disabled)
        services.store.on_recovered(self._database_back)

    async def run(self) -> None:
        """Runs until `stop()` or `fail()`; in-flight jobs finish before adapters close.

        SIGHUP reloads the config. After `fail()`, raises its error once everything is closed.
        """
        loop = asyncio.get_running_loop()
        self.reloader.install_sighup(loop)
        started: list[Adapter] = []
        job_worker: asyncio.Task[None] | None = None
        try:
            await self.core.start()
            await self._sync_channels(self.config)
            for adapter in self.adapters:
                await adapter.start()
                started.append(adapter)
            job_worker = await self._start_work()
            self.started.set()
            log.info("khulasa running: adapters %s", [a.platform for a in started])
            await self._watch()
        finally:
            loop.remove_signal_handler(signal.SIGHUP)
            await self.scheduler.shutdown()
            if job_worker is not None:
                await job_worker  # `stopping` is set: running jobs finish, then it returns
            for adapter in reversed(started):
                await _stop_quietly(adapter)
            log.info("khulasa stopped")
        if self.failure is not None:
            raise self.failure

    async def _start_work(self) -> asyncio.Task[None] | None:
        """APScheduler's jobs here, or (external workers) a job worker on the run queues."""
        if self.jobs is None:
            await self.scheduler.apply(self.config)
            self.scheduler.start()
            return None
        work = self.jobs.work(self.job_runtime, RUN_QUEUES, len(RUN_QUEUES), self.stopping)
        log.info("fetching and summarizing left to khulasa worker (workers.external)")
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
        self.services.pipeline.update_config(config)
        self.core.update_config(config)
        await self._sync_channels(config)
        self.job_runtime.config = config
        if self.jobs is None:
            await self.scheduler.apply(config)

    async def _watch(self) -> None:
        """Polls the config file's mtime and the digest subscriptions until asked to stop."""
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), self.poll_seconds)
            except TimeoutError:
                try:
                    await self.reloader.reload_if_changed()
                    if self.jobs is None:  # with workers, each tick reads the digests itself
                        await self.scheduler.sync_digests()
                    else:
                        await self._deliver_if_summarized()
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

    async def _deliver_if_summarized(self) -> None:
        """External workers store summaries: a new newest one starts a delivery round here."""
        newest = await self.services.store.articles.newest_summary_id()
        if newest is not None and newest != self._newest_summary:
            self._newest_summary = newest
            await self._deliver_new([])

    async def _digest_job(self, subscription_id: int) -> None:
        view = await self.services.store.subscriptions.get(subscription_id)
        if view is not None and view.active:
            await self._deliver_digest(subscription_id, view.destination.platform)

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
