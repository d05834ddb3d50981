"""Tokens and ways in: missing or rejected tokens exit 2 in one line; webhook mode receives updates."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from pydantic import SecretStr

from bot.adapters.telegram.adapter import TelegramAdapter, api_urls, build_telegram_adapter
from bot.cli import main
from bot.errors import TokenError
from tests.helpers.fake_telegram import FakeTelegram
from tests.telegram.conftest import READER_EN, StackFactory, make_config


@pytest.fixture
def threaded_fake() -> Iterator[FakeTelegram]:
    """A fake on its own loop and thread, for `khulasa run`, which owns the main loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakeTelegram()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(5)
    yield server
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def _config_file(tmp_path: Path, fake: FakeTelegram) -> Path:
    (tmp_path / "news").mkdir(exist_ok=True)
    config = make_config(tmp_path, fake).model_dump(mode="json", exclude_defaults=True)
    path = tmp_path / "khulasa.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_run_without_a_token_exits_2_in_one_line(
    tmp_path: Path,
    threaded_fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run", "--config", str(_config_file(tmp_path, threaded_fake))]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN" in line


def test_run_with_a_rejected_token_exits_2_in_one_line(
    tmp_path: Path,
    threaded_fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:REVOKED")
    assert main(["run", "--config", str(_config_file(tmp_path, threaded_fake))]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "rejected" in line and "REVOKED" not in line


def test_factory_reads_the_token_from_the_environment(
    tmp_path: Path, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(TokenError, match="TELEGRAM_BOT_TOKEN"):
        build_telegram_adapter(make_config(tmp_path, fake), None, print)  # type: ignore[arg-type]


async def test_start_with_a_rejected_token_is_a_token_error(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    config = make_config(tmp_path, fake)
    adapter = TelegramAdapter(config, None, SecretStr("1:WRONG"), print)  # type: ignore[arg-type]
    with pytest.raises(TokenError):
        await adapter.start()
    await adapter.stop()


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8081", "http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"]
)
def test_a_self_hosted_server_root_or_bot_url_gives_the_same_endpoints(base_url: str) -> None:
    assert api_urls(base_url, None) == (
        "http://127.0.0.1:8081/bot",
        "http://127.0.0.1:8081/file/bot",
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode_receives_updates_with_the_secret(
    start_bot: StackFactory, tmp_path: Path, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = {"enabled": True, "listen": "127.0.0.1", "port": port, "url": url}
    stack = await start_bot(make_config(tmp_path, fake, telegram={"webhook": webhook}))
    [registered] = fake.calls_of("setWebhook")
    assert registered.params["url"] == url and registered.params["secret_token"] == "s3cret"
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 300, "type": "private", "first_name": "Reader"},
            "from": READER_EN,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    async with httpx.AsyncClient() as client:
        refused = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )
        accepted = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        )
    assert refused.status_code == 403 and accepted.status_code == 200
    [reply] = await stack.replies(300, 0)
    assert "/subscribe" in reply.result["text"]
