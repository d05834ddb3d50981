"""`/metrics` (Prometheus text) and `/healthz` over HTTP, on the bot's running event loop.

An async context manager: entering binds the socket and serves from the current loop,
leaving closes it; nothing blocks and nothing starts at import. The health check is a
callable the composition root passes (e.g. the store's ping): `/healthz` is 200 while it
returns within its timeout, 503 otherwise, and the log says so once per change, not per probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from bot.config import split_listen
from bot.errors import ConfigError
from bot.metrics.instruments import Metrics, current

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[object]]
Refresher = Callable[[], Awaitable[None]]
HEALTH_TIMEOUT_S = 2.0


class MetricsServer:
    """Serves one process's metrics and health at `listen` (HOST:PORT; port 0 picks a free one)."""

    def __init__(
        self,
        listen: str,
        health: HealthCheck | None = None,
        *,
        metrics: Metrics | None = None,
        refreshers: Sequence[Refresher] = (),
        health_timeout: float = HEALTH_TIMEOUT_S,
    ) -> None:
        self.host, self._port = split_listen(listen)
        self._health = health
        self._metrics = metrics
        self._refreshers = tuple(refreshers)
        self._health_timeout = health_timeout
        self._healthy: bool | None = None
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (the chosen one when `listen` asked for port 0)."""
        return self._port

    async def __aenter__(self) -> MetricsServer:
        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)  # no log line per scrape
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            self._runner = None
            raise ConfigError(
                f"metrics.listen: cannot listen on {self.host}:{self._port}: {error.strerror}"
            ) from None
        self._port = self._runner.addresses[0][1]
        log.info("metrics at http://%s:%d/metrics, health at /healthz", self.host, self._port)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _scrape(self, request: web.Request) -> web.Response:
        for refresh in self._refreshers:  # e.g. queue depths read from the job engine
            try:
                async with asyncio.timeout(self._health_timeout):
                    await refresh()
            except Exception:  # a scrape still answers with what it has
                log.debug("metrics refresher %r failed", refresh, exc_info=True)
        metrics = self._metrics or current()
        # Prometheus says which formats it takes (text 0.0.4, OpenMetrics); the library picks
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(body=encode(metrics.registry), headers={"Content-Type": content_type})

    async def _healthz(self, request: web.Request) -> web.Response:
        healthy, reason = await self._check()
        if not healthy and self._healthy is not False:
            log.warning("health check fails: %s", reason)
        elif healthy and self._healthy is False:
            log.info("health check passes again")
        self._healthy = healthy
        status = 200 if healthy else 503
        return web.Response(status=status, text="ok\n" if healthy else f"unavailable: {reason}\n")

    async def _check(self) -> tuple[bool, str]:
        if self._health is None:
            return True, ""
        try:
            async with asyncio.timeout(self._health_timeout):
                result = await self._health()
        except TimeoutError:
            return False, f"no answer in {self._health_timeout:g}s"
        except Exception as error:  # any failure of the check means unhealthy, never a 500
            return False, type(error).__name__
        return (result is not False), "check returned false"


def metrics_server(
    listen: str | None,
    health: HealthCheck | None = None,
    **options: object,
) -> contextlib.AbstractAsyncContextManager[MetricsServer | None]:
    """The server when `metrics.listen` is set; otherwise a context that serves nothing."""
    if listen is None:
        return contextlib.nullcontext(None)
    return MetricsServer(listen, health, **options)  # type: ignore[arg-type]
