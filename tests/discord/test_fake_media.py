"""The fake Discord's embed images and message edits, through the real discord.py client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
from discord.http import Route

from tests.helpers.fake_discord import TEXT_CHANNEL_ID, VALID_TOKEN, FakeDiscord

PICTURE = "https://cdn.example.org/chip.jpg"


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def channel(
    server: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[discord.PartialMessageable]:
    """A channel reached over REST only, as a sender sees it (no gateway needed)."""
    monkeypatch.setattr(Route, "BASE", server.api_base_url)
    client = discord.Client(intents=discord.Intents.none())
    await client.login(VALID_TOKEN)
    yield client.get_partial_messageable(TEXT_CHANNEL_ID)
    await client.close()


def story(title: str, picture: str | None = PICTURE) -> discord.Embed:
    embed = discord.Embed(title=title, description="Chips ship early.")
    if picture:
        embed.set_image(url=picture)
    return embed


async def test_an_embed_image_is_recorded(server, channel):
    await channel.send(embed=story("Chips"))
    (body,) = server.sent(TEXT_CHANNEL_ID)
    assert body["embeds"][0]["image"] == {"url": PICTURE}
    assert server.images(TEXT_CHANNEL_ID) == [PICTURE]


async def test_a_refused_image_fails_the_message_and_nothing_else(server, channel):
    server.refuse_image(PICTURE)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=story("Chips"))
    assert (raised.value.status, raised.value.code) == (400, 50035)
    await channel.send(embed=story("Chips", picture=None))
    assert server.images(TEXT_CHANNEL_ID) == []
    assert len(server.sent(TEXT_CHANNEL_ID)) == 1


async def test_an_edit_replaces_the_embed(server, channel):
    sent = await channel.send(embed=story("One source"))
    edited = await sent.edit(embed=story("Two sources", "https://cdn.example.org/two.jpg"))
    assert edited.embeds[0].title == "Two sources" and edited.edited_at is not None
    assert [body["embeds"][0]["title"] for body in server.edits(TEXT_CHANNEL_ID)] == ["Two sources"]
    assert server.images(TEXT_CHANNEL_ID) == ["https://cdn.example.org/two.jpg"]
    await channel.get_partial_message(sent.id).edit(embed=story("Three sources", None))
    assert server.images(TEXT_CHANNEL_ID) == []


async def test_an_edit_is_checked_like_a_send(server, channel):
    sent = await channel.send(embed=story("Chips", None))
    server.refuse_image(PICTURE)
    with pytest.raises(discord.HTTPException) as refused:
        await sent.edit(embed=story("Chips"))
    with pytest.raises(discord.HTTPException) as too_long:
        await sent.edit(content="x" * 2001)
    with pytest.raises(discord.NotFound) as unknown:
        await channel.get_partial_message(123).edit(content="x")
    assert (refused.value.code, too_long.value.code, unknown.value.code) == (50035, 50035, 10008)
    assert server.edits(TEXT_CHANNEL_ID) == [] and server.images(TEXT_CHANNEL_ID) == []


async def test_a_rate_limited_edit_is_retried_by_the_client(server, channel):
    sent = await channel.send(content="One source")
    server.fail("PATCH", rf"/channels/{TEXT_CHANNEL_ID}/messages/\d+", 429, retry_after=0.01)
    edited = await sent.edit(content="Two sources")
    assert edited.content == "Two sources"
    statuses = [call.status for call in server.calls("PATCH", r"/channels/\d+/messages/\d+")]
    assert statuses == [429, 200]
