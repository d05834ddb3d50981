"""Stories in the store: the migration, the locked ledger, vectors, the window and members."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from bot.store import Store
from bot.store.db import alembic_config
from tests.helpers.stories import hours_ago, store_articles

LEAD = 600


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


def at_0004(url: str, tmp_path: Path, *statements: str) -> None:
    """A database migrated up to 0004 only, holding the rows the statements insert."""
    (tmp_path / "db").mkdir(exist_ok=True)  # where `database_url` puts a SQLite file
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004_subscription_images")
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_upgrading_makes_each_existing_article_a_story_of_its_own(database_url, tmp_path):
    at_0004(
        database_url,
        tmp_path,
        *(
            "INSERT INTO articles (id, content_hash, title, text, published_at, fetched_at) "
            f"VALUES ({article_id}, 'h{article_id}', 't', 'x', {published}, '2026-01-05 12:00:00')"
            for article_id, published in ((1, "'2026-01-02 12:00:00'"), (2, "NULL"))
        ),
        "INSERT INTO summaries (article_id, backend, model, text, created_at) "
        "VALUES (1, 'extractive', 'm', 's', '2026-01-02 04:00:00')",
    )
    store = Store(database_url)
    try:
        with store.db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.id, a.story_id, s.started_at FROM articles a "
                    "JOIN stories s ON s.id = a.story_id ORDER BY a.id"
                )
            ).all()
            summaries = connection.execute(text("SELECT article_id FROM summaries")).all()
        assert [(row[0], row[1]) for row in rows] == [(1, 1), (2, 2)]
        assert [str(row[2])[:10] for row in rows] == ["2026-01-02", "2026-01-05"]
        assert summaries == [(1,)]  # adding the columns rebuilt nothing that cascades
    finally:
        store.close()


async def test_a_story_started_after_the_upgrade_comes_after_the_migrated_ones(
    database_url, tmp_path
):
    at_0004(
        database_url,
        tmp_path,
        "INSERT INTO articles (id, content_hash, title, text, fetched_at) "
        "VALUES (5, 'h', 't', 'x', '2026-01-05 00:00:00')",
    )
    store = Store(database_url)
    try:
        (new,) = await store_articles(store, "alpha", ("Fresh", "news", "en", 1))

        def start(ledger):
            (article,) = ledger.among([new])
            return ledger.start(article)

        assert await store.stories.arrange(start, lead_chars=LEAD) > 5
    finally:
        store.close()


async def test_the_ledger_starts_and_joins_stories_in_assignment_order(store):
    first, second, third = await store_articles(
        store,
        "alpha",
        ("Launch", "A phone launched today.", "en", 2),
        ("Launch again", "The phone launched.", "en", 5),
        ("Other", "Unrelated.", "en", 1),
    )

    def assign(ledger):
        a, b, c = ledger.among([third, first, second])
        assert [a.id, b.id, c.id] == [second, first, third]  # publication order
        story = ledger.start(b)
        ledger.join(a, story)
        return story, ledger.start(c), ledger.seq

    story, other, seq = await store.stories.arrange(assign, lead_chars=LEAD)
    assert story != other
    members = await store.stories.members(story)
    assert [m.article_id for m in members] == [second, first]
    assert members[0].source == "alpha" and members[0].url.startswith("https://alpha.example/")

    def read(ledger):
        return (
            ledger.window(hours_ago(6)),
            ledger.window(hours_ago(3)),
            ledger.assigned_since(seq - 1, hours_ago(6)),
        )

    wide, narrow, since = await store.stories.arrange(read, lead_chars=LEAD)
    assert [(a.id, a.story_id) for a in wide] == [(second, story), (first, story), (third, other)]
    # the story began with an article of 2 h ago; joining one of 5 h ago moved its start back
    assert [a.id for a in narrow] == [third]
    assert [a.id for a in since] == [third]


async def test_the_window_leaves_out_stories_started_before_it(store):
    old, recent = await store_articles(
        store, "alpha", ("Old", "Old news.", "en", 24 * 5), ("New", "New news.", "en", 2)
    )

    def assign(ledger):
        for article in ledger.among([old, recent]):
            ledger.start(article)
        return [a.id for a in ledger.window(hours_ago(24 * 3))]

    assert await store.stories.arrange(assign, lead_chars=LEAD) == [recent]


async def test_vectors_are_stored_with_their_model_and_found_missing_for_another(store):
    first, second = await store_articles(
        store, "alpha", ("One", "x" * 2000, "en", 1), ("Two", "y", "en", 1)
    )
    missing = await store.stories.unembedded("m1", [first, second], lead_chars=LEAD)
    assert [a.id for a in missing] == [first, second]
    assert len(missing[0].lead) == LEAD
    await store.stories.save_vectors("m1", {first: b"\x00" * 8, second: b"\x01" * 8})
    assert await store.stories.unembedded("m1", [first, second], lead_chars=LEAD) == []
    again = await store.stories.unembedded("m2", [first, second], lead_chars=LEAD)
    assert [(a.id, a.has_vector("m2"), a.has_vector("m1")) for a in again] == [
        (first, False, True),
        (second, False, True),
    ]


async def test_window_members_lacking_a_vector_are_found_even_when_assigned(store):
    (member,) = await store_articles(store, "alpha", ("One", "x", "en", 1))

    def start(ledger):
        (article,) = ledger.among([member])
        return ledger.start(article)

    await store.stories.arrange(start, lead_chars=LEAD)
    assert await store.stories.unembedded("m", [member], lead_chars=LEAD) == []
    since = hours_ago(24)
    found = await store.stories.unembedded("m", [], window_since=since, lead_chars=LEAD)
    assert [a.id for a in found] == [member]
    later = since + timedelta(hours=23, minutes=59, seconds=59)
    assert await store.stories.unembedded("m", [], window_since=later, lead_chars=LEAD) == []
