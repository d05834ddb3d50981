"""The story desk: stored articles get their story once, across languages and processes."""

from __future__ import annotations

import asyncio
import logging
import threading
import zlib
from collections.abc import Iterator, Sequence
from datetime import timedelta

import numpy as np
import pytest

from bot.config import Config
from bot.errors import DatabaseUnavailable
from bot.store import Store
from bot.story_desk import StoryDesk
from summarizer.stories.embeddings import BundledEmbedder
from summarizer.stories.types import EmbeddingOptions
from tests.helpers.stories import store_articles

# One event, reported in English (twice) and Arabic; and an unrelated one.
FOLD_EN = (
    "Samsung unveils its Galaxy Z Fold 6 foldable phone in Seoul",
    "Samsung on Wednesday unveiled the Galaxy Z Fold 6, a foldable phone priced at $1,899, "
    "at an event in Seoul.",
    "en",
    3,
)
FOLD_AR = (
    "سامسونج تكشف عن هاتف جالاكسي زد فولد 6 القابل للطي في سيول",
    "كشفت سامسونج يوم الأربعاء عن هاتف جالاكسي زد فولد 6 القابل للطي بسعر 1899 دولارا "
    "في حدث أقيم في سيول.",
    "ar",
    2,
)
FOLD_EN_AGAIN = (
    "Galaxy Z Fold 6 launched by Samsung at Seoul event",
    "The Galaxy Z Fold 6 was launched by Samsung in Seoul on Wednesday for $1,899.",
    "en",
    1.5,
)
FLOOD = (
    "Heavy rain floods streets across the northern city",
    "Heavy rain flooded streets in the city overnight and schools closed on Thursday.",
    "en",
    1,
)


class CountingEmbedder:
    """A stand-in model: one axis per event keyword, so reports of one event share a vector."""

    dim = 16
    _keywords = ("fold", "rain")

    def __init__(self, name: str = "counting", barrier: threading.Barrier | None = None) -> None:
        self.name = name
        self.embedded: list[str] = []
        self._barrier = barrier

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        if self._barrier is not None:
            self._barrier.wait(timeout=10)  # both "processes" reach the lock together
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            hits = [i for i, word in enumerate(self._keywords) if word in text.lower()]
            row[hits or [2 + zlib.crc32(text.encode()) % (self.dim - 2)]] = 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(scope="session")
def bundled() -> BundledEmbedder:
    """The bundled multilingual encoder, loaded once for the session."""
    return BundledEmbedder(EmbeddingOptions(backend="bundled"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    yield store
    store.close()


def desk_with(store: Store, embedder: object, **options: object) -> StoryDesk:
    return StoryDesk(store, embedder_factory=lambda _options: embedder, **options)


def test_the_config_decides_the_window_and_the_switch(store):
    config = Config.model_validate({"stories": {"enabled": False, "window": "2d"}})
    desk = StoryDesk.from_config(config, store)
    assert (desk.enabled, desk.window) == (False, timedelta(days=2))


async def test_one_event_in_arabic_and_english_is_one_story(store, bundled):
    desk = desk_with(store, bundled)
    english, flood = await store_articles(store, "alpha", FOLD_EN, FLOOD)
    arabic, again = await store_articles(store, "beta", FOLD_AR, FOLD_EN_AGAIN)
    first = await desk.assign([english, flood])
    assert first[english] != first[flood]
    second = await desk.assign([arabic, again])
    assert second == {arabic: first[english], again: first[english]}
    members = await store.stories.members(first[english])
    assert [(m.article_id, m.source) for m in members] == [
        (english, "alpha"),
        (arabic, "beta"),
        (again, "beta"),
    ]


async def test_unrelated_articles_are_two_stories(store, bundled):
    english, flood = await store_articles(store, "alpha", FOLD_EN, FLOOD)
    stories = await desk_with(store, bundled).assign([flood, english])
    assert len(set(stories.values())) == 2


async def test_assigning_again_changes_nothing_and_embeds_nothing(store, caplog):
    embedder = CountingEmbedder()
    desk = desk_with(store, embedder)
    ids = await store_articles(store, "alpha", FOLD_EN, FOLD_EN_AGAIN, FLOOD)
    with caplog.at_level(logging.INFO, logger="bot.story_desk"):
        first = await desk.assign(ids)
    assert len(embedder.embedded) == 3
    assert "stories: 3 articles: 1 joined, 2 new stories" in caplog.messages
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.story_desk"):
        assert await desk.assign(ids) == first
        # another process (a retried job) finds the vectors and the stories stored
        assert await desk_with(store, embedder).assign(ids) == first
    assert len(embedder.embedded) == 3
    assert caplog.messages == []


async def test_a_changed_model_embeds_again_rather_than_mixing_spaces(store):
    ids = await store_articles(store, "alpha", FOLD_EN, FLOOD)
    await desk_with(store, CountingEmbedder("old")).assign(ids[:1])
    new = CountingEmbedder("new")
    stories = await desk_with(store, new).assign(ids)
    assert len(new.embedded) == 2  # the new article, and the window's member of the old model
    assert len(set(stories.values())) == 2


async def test_a_long_running_desk_sees_what_another_process_assigned(store):
    (flood,) = await store_articles(store, "alpha", FLOOD)
    (english,) = await store_articles(store, "beta", FOLD_EN)
    (again,) = await store_articles(store, "gamma", FOLD_EN_AGAIN)
    here, there = desk_with(store, CountingEmbedder()), desk_with(store, CountingEmbedder())
    await here.assign([flood])  # `here` loads the window now, and only now
    story = (await there.assign([english]))[english]
    # the story `there` started is news to `here`: it must learn it from the store
    assert await here.assign([again]) == {again: story}
    assert [m.article_id for m in await store.stories.members(story)] == [english, again]


async def test_a_round_that_never_committed_leaves_nothing_in_memory(store, monkeypatch):
    (first,) = await store_articles(store, "alpha", FOLD_EN)
    (second,) = await store_articles(store, "beta", FOLD_EN_AGAIN)
    desk = desk_with(store, CountingEmbedder())
    arrange = store.stories.arrange

    async def commit_lost(plan, *, lead_chars):
        def run(ledger):
            plan(ledger)
            raise DatabaseUnavailable("the connection dropped at commit")

        return await arrange(run, lead_chars=lead_chars)

    monkeypatch.setattr(store.stories, "arrange", commit_lost)
    with pytest.raises(DatabaseUnavailable):
        await desk.assign([first])
    monkeypatch.undo()
    story = (await desk.assign([second]))[second]  # not the story that was never stored
    assert await desk.assign([first]) == {first: story}
    assert [m.article_id for m in await store.stories.members(story)] == [first, second]


async def test_two_processes_matching_one_event_at_once_start_one_story(postgres_url):
    stores = [Store(postgres_url), Store(postgres_url)]
    try:
        barrier = threading.Barrier(2)
        first, second = await store_articles(stores[0], "alpha", FOLD_EN, FOLD_EN_AGAIN)
        desks = [desk_with(s, CountingEmbedder(barrier=barrier)) for s in stores]
        one, other = await asyncio.gather(desks[0].assign([first]), desks[1].assign([second]))
        assert one[first] == other[second]
    finally:
        for store in stores:
            store.close()


async def test_stories_past_the_window_take_no_new_articles(store):
    old = (*FOLD_EN[:3], 24 * 5)
    (before,) = await store_articles(store, "alpha", old)
    (now,) = await store_articles(store, "beta", FOLD_EN_AGAIN)
    embedder = CountingEmbedder()
    await desk_with(store, embedder, window=timedelta(days=3)).assign([before])
    later = desk_with(store, embedder, window=timedelta(days=3))
    stories = await later.assign([now])
    assert stories[now] != (await later.assign([before]))[before]


async def test_without_embeddings_one_language_still_groups(store):
    ids = await store_articles(store, "alpha", FOLD_EN, FOLD_EN_AGAIN, FLOOD)
    stories = await desk_with(store, None).assign(ids)
    assert stories[ids[0]] == stories[ids[1]] != stories[ids[2]]


async def test_grouping_switched_off_makes_each_article_its_own_story(store):
    def no_model(_options: EmbeddingOptions) -> None:
        raise AssertionError("stories.enabled: false must load no model")

    desk = StoryDesk(store, enabled=False, embedder_factory=no_model)
    ids = await store_articles(store, "alpha", FOLD_EN, FOLD_EN_AGAIN)
    stories = await desk.assign(ids)
    assert len(set(stories.values())) == 2
    assert await desk.assign(ids) == stories
