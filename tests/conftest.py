"""Shared fixtures: a config factory on a temporary database, a feed server, a pipeline factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.composition import open_services
from bot.config import Config
from bot.pipeline import Pipeline
from tests.helpers.feed_server import FeedServer, feed_server

ConfigFactory = Callable[..., Config]


@pytest.fixture
def make_config(tmp_path: Path) -> ConfigFactory:
    """Config on a database in tmp_path with the extractive summarizer; sections overridable."""

    def build(**sections: Any) -> Config:
        data: dict[str, Any] = {
            "storage": {"url": f"sqlite:///{tmp_path / 'data' / 'khulasa.db'}"},
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
