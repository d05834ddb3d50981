"""Two pollers on one token: the fake Bot API answers 409 Conflict the way Telegram does."""

from __future__ import annotations

import asyncio

import httpx

from tests.helpers.fake_telegram import FakeTelegram


async def test_a_second_get_updates_ends_the_waiting_one_with_409() -> None:
    fake = FakeTelegram(long_poll_cap_s=10)  # the first poll would wait 10 s unless ended
    await fake.start()
    url = f"{fake.base_url}{fake.token}/getUpdates"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            first = asyncio.create_task(client.post(url, data={"timeout": "10"}))
            await fake.wait_for(lambda: fake.polling)
            second = await client.post(url, data={"timeout": "0"})
            ended = await asyncio.wait_for(first, 2)
    finally:
        await fake.close()
    assert ended.status_code == 409
    assert ended.json() == {
        "ok": False,
        "error_code": 409,
        "description": (
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        ),
    }
    assert second.status_code == 200 and second.json() == {"ok": True, "result": []}
    assert not fake.polling
