"""Shared fixtures: databases on both backends, a config factory, a feed server, a pipeline factory.

Storage fixtures (see tests/helpers/postgres.py):
- `database_url`: a fresh empty database, once as SQLite (id `sqlite`) and once on PostgreSQL
  (id `postgres`); a test that asks for it runs on both.
- `postgres_url`: a fresh empty PostgreSQL database (CREATE DATABASE, dropped after the test).
- `postgres_server`: the session's PostgreSQL (started on first use, or KHULASA_TEST_DATABASE_URL).
- `own_postgres`: a private server a test may `stop()` and `start()` (outages).

`fresh_metrics` gives a test instruments of its own, so its counts start at 0.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot import metrics
from bot.composition import open_services
from bot.config import Config
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from tests.helpers.feed_server import FeedServer, feed_server
from tests.helpers.postgres import (
    DATABASE_URL_ENV,
    ExternalPostgres,
    PostgresServer,
    create_database,
    drop_database,
    requested_database_url,
    sqlalchemy_url,
)

ConfigFactory = Callable[..., Config]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | ExternalPostgres]:
    """The session's PostgreSQL: KHULASA_TEST_DATABASE_URL if set, else one started here."""
    external = os.environ.get(DATABASE_URL_ENV, "").strip()
    if external:
        yield ExternalPostgres(sqlalchemy_url(external))
        return
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | ExternalPostgres) -> Iterator[str]:
    """A new empty database on the session's server, as a `postgresql+psycopg://` URL."""
    url = create_database(postgres_server.admin_url)
    yield url
    drop_database(postgres_server.admin_url, url)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database URL, once per backend: the same test runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'khulasa.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A started server of this test's own, to stop and restart at will; deleted afterwards."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def make_config(request: pytest.FixtureRequest, tmp_path: Path) -> ConfigFactory:
    """Config with the extractive summarizer; sections overridable.

    The database is a SQLite file in tmp_path, or `database_url` when the test requests it.
    """
    url = requested_database_url(request) or f"sqlite:///{tmp_path / 'data' / 'khulasa.db'}"

    def build(**sections: Any) -> Config:
        data: dict[str, Any] = {
            "storage": {"url": url},
            "summarizer": {"backend": "extractive"},
            "fetch": {"retries": 0, "backoff": 0.01},
        }
        for key, value in sections.items():
            data[key] = {**data[key], **value} if isinstance(data.get(key), dict) else value
        return Config.model_validate(data)

    return build


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    """A feed server on 127.0.0.1 serving tests/fixtures/feeds."""
    async for server in feed_server():
        yield server


@pytest.fixture
def open_pipeline() -> Callable[..., Any]:
    """`async with open_pipeline(config) as pipeline`: real store, real httpx client."""

    @asynccontextmanager
    async def opened(config: Config, **kwargs: Any) -> AsyncIterator[Pipeline]:
        async with open_services(config, **kwargs) as services:
            yield services.pipeline

    return opened


@pytest.fixture
def fresh_metrics() -> Iterator[Metrics]:
    """A fresh set of instruments as the process's, the previous one restored afterwards."""
    instruments = Metrics()
    previous = metrics.use(instruments)
    yield instruments
    metrics.use(previous)
