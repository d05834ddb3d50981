"""The aiohttp transport under PTB: real calls to the fake, and what each failure means for a resend."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.adapters.telegram.errors import never_sent
from bot.adapters.telegram.transport import AiohttpRequest
from tests.helpers.fake_telegram import Delay, Drop, FakeTelegram

CHAT = 4242


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.close()


def client(base_url: str, token: str, connections: int = 4, read: float = 5.0) -> Bot:
    """A PTB bot on the transport, with short timeouts so failures come quickly."""
    request = AiohttpRequest(connections, connect=0.3, read=read, write=1.0, pool=0.2)
    return Bot(token, base_url=base_url, request=request, get_updates_request=request)


async def test_a_message_and_an_upload_reach_the_api(server: FakeTelegram) -> None:
    async with client(server.base_url, server.token) as bot:
        message = await bot.send_message(CHAT, "<b>خبر</b>", parse_mode="HTML")
        photo = await bot.send_photo(CHAT, b"\x89PNG fake bytes", filename="chip.png")
    assert server.sent_texts(CHAT) == ["خبر"]
    assert message.text == "خبر"
    assert server.photos[(CHAT, photo.message_id)] == "upload:chip.png"


async def test_a_refused_connection_never_reached_telegram() -> None:
    with socket.socket() as unused:  # a port nobody listens on once closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        async with client(f"http://127.0.0.1:{port}/bot", "1:T"):  # its getMe is refused
            pass
    assert never_sent(raised.value)


async def test_no_free_connection_in_time_never_reached_telegram(server: FakeTelegram) -> None:
    server.fail_next("sendMessage", Delay(1.0))
    async with client(server.base_url, server.token, connections=1) as bot:
        slow = asyncio.create_task(bot.send_message(CHAT, "first"))
        await asyncio.sleep(0.1)  # the only connection is now busy with the slow call
        with pytest.raises(TimedOut) as raised:
            await bot.send_message(CHAT, "second")
        await slow
    assert never_sent(raised.value)
    assert server.sent_texts(CHAT) == ["first"]


async def test_an_answer_that_never_came_may_hide_a_sent_message(server: FakeTelegram) -> None:
    server.fail_next("sendMessage", Delay(1.0))
    async with client(server.base_url, server.token, read=0.2) as bot:
        with pytest.raises(TimedOut) as raised:
            await bot.send_message(CHAT, "slow")
    assert not never_sent(raised.value)


async def test_a_dropped_connection_may_hide_a_sent_message(server: FakeTelegram) -> None:
    server.fail_next("sendMessage", Drop(after_sending=True))
    async with client(server.base_url, server.token) as bot:
        with pytest.raises(NetworkError) as raised:
            await bot.send_message(CHAT, "lost answer")
    assert not never_sent(raised.value)
    assert server.sent_texts(CHAT) == ["lost answer"]
