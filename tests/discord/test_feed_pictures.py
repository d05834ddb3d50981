"""Pictures from a real feed to a Discord channel: the embed's image, or none."""

from __future__ import annotations

from pathlib import Path

from tests.discord.conftest import StackFactory, make_config
from tests.helpers.fake_discord import TEXT_CHANNEL_ID
from tests.helpers.feed_server import FeedServer
from tests.helpers.picture_feed import serve_picture_feed


async def test_each_embed_has_its_picture_where_the_source_has_one(
    start_bot: StackFactory, tmp_path: Path, fake
) -> None:
    server = FeedServer()
    await server.start()
    try:
        served = serve_picture_feed(server)
        config = make_config(tmp_path, fake)
        source = config.sources[0].model_copy(
            update={"name": "wire", "url": served.url, "path": None}
        )
        bot = await start_bot(config.model_copy(update={"sources": [source]}))
        await bot.command("subscribe", {"channel": TEXT_CHANNEL_ID}, admin=True)
        assert len(await bot.fetch()) == 3
        assert await bot.core.deliver_new(bot.adapter.sender) == 3
    finally:
        await server.close()
    shown = {
        embed["title"]: (embed.get("image") or {}).get("url")
        for body in bot.fake.sent(TEXT_CHANNEL_ID)
        for embed in body["embeds"]
    }
    assert shown == served.pictures
