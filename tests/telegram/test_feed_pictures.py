"""Pictures from a real feed to a Telegram chat: found in the item or on its page, or none."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.feed_server import FeedServer
from tests.helpers.picture_feed import serve_picture_feed
from tests.telegram.conftest import READER_EN, READER_ID, StackFactory, make_config


async def test_each_post_has_its_picture_where_the_source_has_one(
    start_bot: StackFactory, tmp_path: Path, fake
) -> None:
    server = FeedServer()
    await server.start()
    try:
        served = serve_picture_feed(server)
        sources = [{"name": "wire", "url": served.url, "language": "en"}]
        stack = await start_bot(make_config(tmp_path, fake, sources=sources))
        await stack.say(READER_ID, READER_EN, "/subscribe")
        assert len(await stack.fetch()) == 3
        await stack.core.deliver_new(stack.adapter.sender)
    finally:
        await server.close()
    photos = {caption.split("\n")[0]: photo for photo, caption in fake.sent_photos(READER_ID)}
    texts = [text.split("\n")[0] for text in fake.sent_texts(READER_ID)]
    shown = {**photos, **{title: None for title in texts if title in served.pictures}}
    assert shown == served.pictures
    assert len(photos) + sum(title in served.pictures for title in texts) == 3
