"""An article's lead picture is stored with it and reaches the post built from its summary."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from bot.core.posts import to_post
from bot.news.types import ArticleData
from bot.store import NewSummary, Store
from bot.store.db import alembic_config

PICTURE = "https://cdn.example.org/2026/chip.jpg"


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


async def summarized(store: Store, article: ArticleData) -> int:
    (article_id,) = await store.sources.store_fetch(
        "feed", "https://e.org/feed", [article], etag=None, last_modified=None
    )
    summary = NewSummary(article_id, backend="extractive", model="m", language="en", text="S.")
    await store.articles.add_summaries([summary])
    return article_id


async def test_the_picture_round_trips_to_the_post(store):
    article = ArticleData(
        title="Chips", text="Chips ship.", url="https://e.org/a", image_url=PICTURE
    )
    article_id = await summarized(store, article)
    stored = await store.articles.get(article_id)
    item = await store.articles.summary_of(article_id)
    assert stored is not None and stored.image_url == PICTURE
    assert item is not None and item.image_url == PICTURE
    assert to_post(item).image_url == PICTURE
    (latest,) = await store.stories.latest(5)
    assert latest.lead.image_url == PICTURE


async def test_an_article_without_a_picture_posts_without_one(store):
    article_id = await summarized(store, ArticleData(title="Plain", text="No picture here."))
    item = await store.articles.summary_of(article_id)
    assert item is not None and item.image_url is None
    assert to_post(item).image_url is None


async def test_a_post_shows_only_web_pictures(store):
    article = ArticleData(title="Local", text="Read from disk.", image_url="/srv/news/pic.jpg")
    item = await store.articles.summary_of(await summarized(store, article))
    assert item is not None and item.image_url == "/srv/news/pic.jpg"
    assert to_post(item).image_url is None


def test_upgrading_keeps_older_articles_without_a_picture(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO articles (content_hash, title, text, fetched_at) "
                "VALUES ('h', 'Old', 'Older text.', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        columns = {c["name"] for c in inspect(store.db.engine).get_columns("articles")}
        assert "image_url" in columns
        with store.db.engine.connect() as connection:
            assert connection.execute(text("SELECT title, image_url FROM articles")).all() == [
                ("Old", None)
            ]
    finally:
        store.close()
