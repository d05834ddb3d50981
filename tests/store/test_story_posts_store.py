"""Story posts in the store: the 0006 backfill, and reservations keyed by story."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text, update

from bot.store import Destination, Store
from bot.store.db import alembic_config
from bot.store.deliveries import Reservation
from bot.store.models import ArticleRow, Story
from tests.core.conftest import add_article, now

# Every test here runs on SQLite and on PostgreSQL.


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store(database_url)
    yield opened
    opened.close()


def chat(chat_id: str) -> Destination:
    return Destination("telegram", chat_id)


def test_upgrading_keys_every_existing_delivery_by_its_story(database_url, tmp_path: Path):
    (tmp_path / "db").mkdir(exist_ok=True)  # where `database_url` puts a SQLite file
    engine = create_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005_stories")
        connection.execute(
            text(
                "INSERT INTO stories (id, started_at, created_at) VALUES "
                "(7, '2026-01-02', '2026-01-02')"
            )
        )
        for article_id in (1, 2, 3):  # 1 and 2 were grouped into story 7 before the upgrade
            story = 7 if article_id < 3 else "NULL"
            connection.execute(
                text(
                    "INSERT INTO articles (id, content_hash, title, text, fetched_at, story_id) "
                    f"VALUES ({article_id}, 'h{article_id}', 't', 'x', '2026-01-02', {story})"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO deliveries (platform, chat_id, thread_id, article_id, status, "
                    f"created_at) VALUES ('telegram', '5', '', {article_id}, 'sent', '2026-01-02')"
                )
            )
    engine.dispose()
    store = Store(database_url)
    try:
        with store.db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT article_id, story_id, listed_sources, edit_state FROM deliveries "
                    "ORDER BY article_id"
                )
            ).all()
    finally:
        store.close()
    # the oldest row carries the story, the other keeps NULL: both stay valid
    assert [tuple(row) for row in rows] == [
        (1, 7, 1, "open"),
        (2, None, 1, "open"),
        (3, None, 1, "open"),
    ]


def _story_of(store: Store, *article_ids: int) -> int:
    with store.db.session() as session:
        story = Story(started_at=now())
        session.add(story)
        session.flush()
        session.execute(
            update(ArticleRow).where(ArticleRow.id.in_(article_ids)).values(story_id=story.id)
        )
        return story.id


async def test_a_reserved_story_takes_its_other_articles_too(store: Store) -> None:
    first, second = add_article(store, "alpha", "a1"), add_article(store, "beta", "b1")
    story = _story_of(store, first, second)
    assert await store.deliveries.reserve_many([Reservation(chat("1"), first, first, story)])
    batch = [
        Reservation(chat("1"), second, second, story),  # the story is taken in chat 1
        Reservation(chat("2"), second, second, story),
        Reservation(chat("2"), first, first, story),  # the same story twice in one batch
    ]
    taken, fresh, twice = await store.deliveries.reserve_many(batch)
    assert taken is None and fresh is not None and twice is None
    assert (
        await store.deliveries.reserve(chat("1"), second, second) is not None
    )  # no story: by article


async def test_due_stories_skip_a_story_delivered_there(store: Store) -> None:
    view = await store.subscriptions.subscribe(chat("1"), [], "ar", "u")
    first, second = add_article(store, "alpha", "a1"), add_article(store, "beta", "b1")
    story = _story_of(store, first, second)
    [[due]] = await store.story_posts.due_each([view])
    assert (due.item.article_id, due.story_id, due.sources) == (first, story, 2)
    assert [member.source for member in due.post.members] == ["alpha", "beta"]
    await store.deliveries.reserve_many([Reservation(chat("1"), first, first, story, 2)])
    assert await store.story_posts.due_each([view]) == [[]]


async def test_a_sent_post_is_due_for_an_edit_once_its_story_grows(store: Store) -> None:
    await store.subscriptions.subscribe(chat("1"), [], "en", "u")
    first = add_article(store, "alpha", "a1")
    story = _story_of(store, first)
    [delivery] = await store.deliveries.reserve_many([Reservation(chat("1"), first, first, story)])
    assert delivery is not None
    await store.deliveries.record_sent(delivery, chat("1"), "55", first)
    since = now() - timedelta(hours=1)
    assert await store.story_posts.grown("telegram", since) == []
    second = add_article(store, "beta", "b1")
    with store.db.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == second).values(story_id=story))
    [grown] = await store.story_posts.grown("telegram", since)
    assert (grown.delivery_id, grown.message_id, grown.language) == (delivery, "55", "en")
    assert (grown.story.item.article_id, grown.story.sources) == (first, 2)
    assert await store.story_posts.grown("discord", since) == []
    assert await store.story_posts.grown("telegram", now() + timedelta(minutes=1)) == []
    await store.story_posts.record_edit(delivery, grown.story.sources)
    assert await store.story_posts.grown("telegram", since) == []
    third = add_article(store, "gamma", "c1")
    with store.db.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == third).values(story_id=story))
    assert len(await store.story_posts.grown("telegram", since)) == 1
    await store.story_posts.close_edits(delivery)
    assert await store.story_posts.grown("telegram", since) == []
