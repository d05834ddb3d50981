"""`/metrics` and `/healthz` scraped over real HTTP on 127.0.0.1, healthy and not."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.config import ConfigError, parse_config
from bot.metrics import FailureKind, Metrics
from bot.metrics.server import MetricsServer, metrics_server


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Parsed Prometheus text: (sample name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def get(server: MetricsServer, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5) as client:
        return await client.get(f"http://127.0.0.1:{server.port}{path}")


async def test_metrics_serves_what_the_bot_counted(fresh_metrics: Metrics) -> None:
    metrics.article_fetched("tech-ar", 3)
    metrics.observe_summarize(2.5, 4, backend="ct2")
    metrics.delivered("telegram", lag_seconds=12.0)
    metrics.delivered("telegram")
    metrics.failure(FailureKind.FETCH)
    metrics.failure("delivery")
    metrics.set_queue_depth("summarize", 7)
    async with MetricsServer("127.0.0.1:0") as server:
        response = await get(server, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    got = samples(response.text)
    assert got[("khulasa_articles_fetched_total", (("source", "tech-ar"),))] == 3
    assert got[("khulasa_articles_summarized_total", (("backend", "ct2"),))] == 4
    assert got[("khulasa_summarize_seconds_count", (("backend", "ct2"),))] == 1
    assert got[("khulasa_summarize_seconds_sum", (("backend", "ct2"),))] == 2.5
    assert got[("khulasa_summarize_batch_size_sum", ())] == 4
    assert got[("khulasa_deliveries_total", (("platform", "telegram"),))] == 2
    assert got[("khulasa_delivery_lag_seconds_count", (("platform", "telegram"),))] == 1
    assert (
        got[("khulasa_delivery_lag_seconds_bucket", (("le", "15.0"), ("platform", "telegram")))]
        == 1
    )
    assert got[("khulasa_failures_total", (("kind", "fetch"),))] == 1
    assert got[("khulasa_failures_total", (("kind", "delivery"),))] == 1
    assert got[("khulasa_failures_total", (("kind", "database"),))] == 0  # shown before any
    assert got[("khulasa_job_queue_depth", (("queue", "summarize"),))] == 7


async def test_metrics_speaks_openmetrics_when_prometheus_asks_for_it(
    fresh_metrics: Metrics,
) -> None:
    metrics.delivered("discord")
    async with MetricsServer("127.0.0.1:0") as server:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(
                f"http://127.0.0.1:{server.port}/metrics",
                headers={"Accept": "application/openmetrics-text; version=1.0.0"},
            )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert 'khulasa_deliveries_total{platform="discord"} 1.0' in response.text
    assert response.text.endswith("# EOF\n")


async def test_refreshers_run_before_each_scrape(fresh_metrics: Metrics) -> None:
    depth = iter([5, 2])

    async def read_queue() -> None:
        metrics.set_queue_depth("fetch", next(depth))

    async with MetricsServer("127.0.0.1:0", refreshers=[read_queue]) as server:
        first = samples((await get(server, "/metrics")).text)
        second = samples((await get(server, "/metrics")).text)
    assert first[("khulasa_job_queue_depth", (("queue", "fetch"),))] == 5
    assert second[("khulasa_job_queue_depth", (("queue", "fetch"),))] == 2


async def test_healthz_follows_the_health_check(caplog: pytest.LogCaptureFixture) -> None:
    reachable = True

    async def ping() -> None:
        if not reachable:
            raise ConnectionRefusedError("database down")

    caplog.set_level(logging.INFO, logger="bot.metrics.server")
    async with MetricsServer("127.0.0.1:0", health=ping) as server:
        healthy = await get(server, "/healthz")
        reachable = False
        down = [await get(server, "/healthz") for _ in range(3)]
        reachable = True
        back = await get(server, "/healthz")
    assert (healthy.status_code, healthy.text) == (200, "ok\n")
    assert [r.status_code for r in down] == [503, 503, 503]
    assert down[0].text == "unavailable: ConnectionRefusedError\n"
    assert back.status_code == 200
    changes = [r.getMessage() for r in caplog.records if "health check" in r.getMessage()]
    assert changes == [
        "health check fails: ConnectionRefusedError",
        "health check passes again",
    ]  # one line per change, not one per probe


async def test_a_hanging_health_check_is_unhealthy_after_its_timeout() -> None:
    async def hang() -> None:
        await asyncio.Event().wait()

    async with MetricsServer("127.0.0.1:0", health=hang, health_timeout=0.05) as server:
        response = await get(server, "/healthz")
    assert response.status_code == 503
    assert "no answer in 0.05s" in response.text


async def test_a_check_returning_false_is_unhealthy() -> None:
    async def says_no() -> bool:
        return False

    async with MetricsServer("127.0.0.1:0", health=says_no) as server:
        assert (await get(server, "/healthz")).status_code == 503


async def test_the_server_stops_listening_when_left() -> None:
    async with MetricsServer("127.0.0.1:0") as server:
        port = server.port
        assert (await get(server, "/healthz")).status_code == 200
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")


async def test_a_busy_port_is_one_config_error_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            ConfigError, match=rf"metrics.listen: cannot listen on 127.0.0.1:{port}"
        ):
            async with MetricsServer(f"127.0.0.1:{port}"):
                pass


async def test_no_listen_address_serves_nothing() -> None:
    async with metrics_server(None) as server:
        assert server is None


def test_metrics_listen_is_checked_by_the_config_loader() -> None:
    assert parse_config("metrics: {listen: '127.0.0.1:9464'}").metrics.listen == "127.0.0.1:9464"
    assert parse_config("metrics: {listen: '[::1]:9464'}").metrics.listen == "[::1]:9464"
    assert parse_config("{}").metrics.listen is None
    with pytest.raises(ConfigError, match=r"metrics.listen: expected HOST:PORT, got '9464'"):
        parse_config("metrics: {listen: '9464'}")
    with pytest.raises(ConfigError, match=r"metrics.listen: expected HOST:PORT"):
        parse_config("metrics: {listen: 'localhost:99999'}")
