"""A whole Discord bot per test: fake Discord, real discord.py, real Core over tmp SQLite and pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from pydantic import SecretStr

from bot.adapters.discord.adapter import DiscordAdapter
from bot.config import Config
from tests.helpers.bot_stack import CoreStack, start_core, with_database, write_article
from tests.helpers.fake_discord import ADMIN_ID, VALID_TOKEN, FakeDiscord
from tests.helpers.postgres import requested_database_url

ARTICLE = (
    "# Chipmaker ships a 2nm processor early\n\n"
    "A major chipmaker said on Monday that its first 2nm processors are shipping months ahead of plan. "
    "The company expects the new chips to cut power use in phones by nearly a third. "
    "Analysts said the early launch puts pressure on rivals that planned similar parts for next year. "
    "The firm also said prices would stay close to the current generation for large customers.\n"
)
NEWS_LATER = (
    "# Startup opens an Arabic speech lab\n\n"
    "A startup opened a speech lab for Arabic dialects on Sunday. "
    "It plans to release open models next spring. The lab hired forty researchers from the region.\n"
)
READY_WAIT_S = 0.02  # discord.py waits this long after the last GUILD_CREATE before READY


class FakeEndpoints(Protocol):
    """Where a fake Discord listens: a `FakeDiscord`, or one serving in another process."""

    @property
    def api_base_url(self) -> str: ...

    @property
    def gateway_url(self) -> str: ...


def make_config(
    tmp_path: Path, fake: FakeEndpoints, language: str = "en", **discord: Any
) -> Config:
    """Extractive summaries, one local source, the fake as Discord; English posts by default.

    Readers' links may reach 127.0.0.1, where the tests serve article pages.
    """
    return Config.model_validate(
        {
            "storage": {"url": f"sqlite:///{tmp_path / 'khulasa.db'}"},
            "summarizer": {"backend": "extractive", "sentences": 2},
            "sources": [{"name": "local", "path": str(tmp_path / "news"), "language": "en"}],
            "fetch": {"allow_private_urls": True, "retries": 0},
            "discord": {
                "enabled": True,
                "api_base_url": fake.api_base_url,
                "gateway_url": fake.gateway_url,
                **discord,
            },
            "admins": {"discord": [ADMIN_ID]},
            "delivery": {"language": language},
        }
    )


@dataclass
class DiscordStack(CoreStack):
    """One running bot: the fake to drive and inspect, the core and store behind the adapter."""

    fake: FakeDiscord
    adapter: DiscordAdapter

    async def command(
        self, name: str, options: dict[str, str] | None = None, **how: Any
    ) -> list[dict[str, Any]]:
        """Uses a slash command and waits until its deferred response got a followup; their bodies."""
        token = await self.fake.interaction(name, options, **how)
        await self.fake.wait_for(lambda: self.fake.followups(token))
        return [call.body for call in self.fake.followups(token)]


StackFactory = Callable[..., Awaitable[DiscordStack]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    write_article(folder, "chips.md", ARTICLE)
    return folder


@pytest.fixture
async def start_bot(
    request: pytest.FixtureRequest, tmp_path: Path, fake: FakeDiscord, news_dir: Path
) -> AsyncIterator[StackFactory]:
    """Starts a bot (again, for restarts) over the same database; all stopped at the end.

    The database is a SQLite file, or `database_url` when the test requests it (then the test
    runs on SQLite and on PostgreSQL).
    """
    stacks: list[DiscordStack] = []
    database_url = requested_database_url(request)

    async def start(config: Config | None = None, token: str = VALID_TOKEN) -> DiscordStack:
        config = with_database(config or make_config(tmp_path, fake), database_url)
        store, pipeline, core, closers = await start_core(config)
        adapter = DiscordAdapter(
            config, core, SecretStr(token), guild_ready_timeout=READY_WAIT_S, ready_timeout=5
        )
        stack = DiscordStack(config, store, pipeline, core, closers, fake=fake, adapter=adapter)
        stacks.append(stack)
        await adapter.start()
        stack.closers.append(adapter.stop)
        return stack

    yield start
    for stack in reversed(stacks):
        await stack.stop()


@pytest.fixture
async def bot(start_bot: StackFactory) -> DiscordStack:
    """The usual bot with the sample article fetched and summarized."""
    stack = await start_bot()
    assert await stack.fetch()
    return stack
