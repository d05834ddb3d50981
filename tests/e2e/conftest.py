"""Fixtures of the end-to-end tests: the fake Bot API with the wire's four channels; children."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers.bot_process import BotProcess
from tests.helpers.fake_telegram import BOT_ID, FakeTelegram
from tests.helpers.wire import CHANNELS


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    for chat, chat_id in CHANNELS.items():
        username = chat[1:] if chat.startswith("@") else None
        server.add_chat(chat_id, "channel", title=f"channel {chat_id}", username=username)
        server.set_member(chat_id, BOT_ID, "administrator")
    yield server
    await server.close()


@pytest.fixture
def bots() -> Iterator[list[BotProcess]]:
    """Every child started by a test, killed at teardown whatever the test did."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        bot.kill()
