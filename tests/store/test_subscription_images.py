"""A subscription's pictures switch: stored, handed out with every view, and migrated as on."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from bot.store import Destination, Store
from bot.store.db import alembic_config

CHAT = Destination("telegram", "42", "", "private")


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


async def test_pictures_are_on_until_switched_off(store):
    view = await store.subscriptions.subscribe(CHAT, [], "ar", "42")
    assert view.images is True
    switched = await store.subscriptions.set_images(CHAT, False)
    assert switched is not None and switched.images is False
    assert (await store.subscriptions.get(view.id)).images is False
    assert (await store.subscriptions.find(CHAT)).images is False
    (active,) = await store.subscriptions.active("telegram", immediate=True)
    assert active.images is False
    assert (await store.subscriptions.set_images(CHAT, True)).images is True
    assert (await store.subscriptions.get(view.id)).images is True


async def test_switching_a_chat_without_an_active_subscription_changes_nothing(store):
    assert await store.subscriptions.set_images(CHAT, False) is None
    await store.subscriptions.subscribe(CHAT, [], "ar", "42")
    await store.subscriptions.unsubscribe(CHAT, [], ["alpha"])
    assert await store.subscriptions.set_images(CHAT, False) is None
    assert (await store.subscriptions.find(CHAT)).images is True


def test_upgrading_turns_pictures_on_for_existing_subscriptions(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003_article_image")
        connection.execute(
            text(
                "INSERT INTO subscriptions (platform, chat_id, thread_id, kind, sources, "
                "schedule, language, active, origin, created_at, since) VALUES ('telegram', "
                "'42', '', 'private', '[]', 'immediate', 'ar', 1, 'chat', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with store.db.engine.connect() as connection:
            assert connection.execute(text("SELECT chat_id, images FROM subscriptions")).all() == [
                ("42", 1)
            ]
    finally:
        store.close()
