"""Start, reconnect, restart and stop: tokens checked, sessions resumed, nothing posted twice."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters import build_adapters
from bot.adapters.discord.adapter import build_discord_adapter
from bot.cli import main
from bot.errors import ConfigError, TokenError
from tests.discord.conftest import (
    NEWS_LATER,
    DiscordStack,
    StackFactory,
    make_config,
    write_article,
)
from tests.helpers.fake_discord import TEXT_CHANNEL_ID, VALID_TOKEN, FakeDiscord

RESUMABLE = 4000  # "unknown error": Discord's way of asking for a RESUME
DISALLOWED_INTENTS = 4014


@pytest.fixture
def threaded_fake() -> Iterator[FakeDiscord]:
    """A fake on its own loop and thread, for `khulasa run`, which owns the main loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def started() -> FakeDiscord:
        server = FakeDiscord()
        await server.start()
        return server

    server = asyncio.run_coroutine_threadsafe(started(), loop).result(5)
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def config_file(tmp_path: Path, fake: FakeDiscord) -> Path:
    """The tests' config as a YAML file for `khulasa run --config`."""
    (tmp_path / "news").mkdir(exist_ok=True)
    config = make_config(tmp_path, fake).model_dump(mode="json", exclude_defaults=True)
    path = tmp_path / "khulasa.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def test_a_dropped_gateway_resumes_the_session_and_events_flow_again(
    bot: DiscordStack,
) -> None:
    await bot.fake.gateway.drop(RESUMABLE)
    await bot.fake.wait_for(
        lambda: bot.fake.gateway.log.resumes == 1 and bot.fake.gateway.connected
    )
    assert bot.fake.gateway.log.readies == 1  # resumed, not identified again
    assert await bot.command("help")


async def test_posts_after_a_reconnect_are_not_repeated(bot: DiscordStack) -> None:
    await bot.command("subscribe", admin=True)
    write_article(Path(bot.config.sources[0].path), "later.md", NEWS_LATER)
    await bot.fetch()
    assert await bot.core.deliver_new(bot.adapter.sender) == 1
    await bot.fake.gateway.drop(RESUMABLE)
    await bot.fake.wait_for(lambda: bot.fake.gateway.log.resumes == 1)
    assert await bot.core.deliver_new(bot.adapter.sender) == 0
    assert len(bot.fake.sent(TEXT_CHANNEL_ID)) == 1


async def test_a_restart_on_the_same_database_posts_nothing_twice(
    start_bot: StackFactory, fake: FakeDiscord, tmp_path: Path
) -> None:
    first = await start_bot()
    await first.fetch()
    await first.command("subscribe", admin=True)
    write_article(tmp_path / "news", "later.md", NEWS_LATER)
    await first.fetch()
    assert await first.core.deliver_new(first.adapter.sender) == 1
    await first.stop()
    second = await start_bot()
    await second.fetch()
    assert await second.core.deliver_new(second.adapter.sender) == 0
    assert len(fake.sent(TEXT_CHANNEL_ID)) == 1
    assert fake.gateway.log.readies == 2


async def test_a_missing_token_is_a_token_error(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    with pytest.raises(TokenError, match="DISCORD_BOT_TOKEN") as caught:
        build_discord_adapter(make_config(tmp_path, fake), None, print)  # type: ignore[arg-type]
    assert caught.value.exit_code == 2


def test_run_without_a_token_exits_2_in_one_line(
    tmp_path: Path,
    threaded_fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    assert main(["run", "--config", str(config_file(tmp_path, threaded_fake))]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "DISCORD_BOT_TOKEN" in line


def test_run_with_a_rejected_token_exits_2_in_one_line(
    tmp_path: Path,
    threaded_fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "revoked-token-value")
    assert main(["run", "--config", str(config_file(tmp_path, threaded_fake))]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "rejected" in line and "revoked-token-value" not in line
    assert [call.status for call in threaded_fake.calls("GET", r"/users/@me")] == [401]


async def test_a_refused_message_content_intent_says_how_to_enable_it(
    start_bot: StackFactory, fake: FakeDiscord
) -> None:
    fake.gateway.refuse_identify = DISALLOWED_INTENTS
    with pytest.raises(ConfigError, match="Message Content Intent") as caught:
        await start_bot()
    assert caught.value.exit_code == 2


async def test_a_rejected_token_is_a_token_error_and_leaves_discord_py_as_it_was(
    start_bot: StackFactory, fake: FakeDiscord
) -> None:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    with pytest.raises(TokenError, match="rejected") as caught:
        await start_bot(token="not-the-token")
    assert caught.value.exit_code == 2
    assert [call.status for call in fake.calls("GET", r"/users/@me")] == [401]
    assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == (base, gateway)


async def test_stop_restores_discord_py_endpoints(
    start_bot: StackFactory, fake: FakeDiscord
) -> None:
    base = Route.BASE
    stack = await start_bot()
    assert Route.BASE == fake.api_base_url
    await stack.stop()
    assert Route.BASE == base


async def test_heartbeats_are_acknowledged(start_bot: StackFactory, tmp_path: Path) -> None:
    fast = FakeDiscord(heartbeat_interval_ms=30)
    await fast.start()
    try:
        stack = await start_bot(make_config(tmp_path, fast))
        await fast.wait_for(lambda: fast.gateway.log.heartbeat_acks >= 3)
        assert math.isfinite(stack.adapter.client.latency)
        await stack.stop()
    finally:
        await fast.stop()


async def test_the_composition_root_builds_this_adapter_when_enabled(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", VALID_TOKEN)
    adapters = build_adapters(make_config(tmp_path, fake), None, print)  # type: ignore[arg-type]
    [discord_adapter] = [adapter for adapter in adapters if adapter.platform == "discord"]
    assert discord_adapter.sender.platform == "discord"
