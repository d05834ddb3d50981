"""A story is one post per chat, edited as sources join; an edit never becomes a second post."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.core.delivery import TransientDeliveryError
from bot.core.types import EditOutcome
from bot.store import Store
from bot.store.models import ArticleRow, Delivery, Story
from tests.core.conftest import ADMIN, FakeSender, add_article, now, private


def grouped(store: Store, *article_ids: int) -> int:
    """Puts the articles into one new story (what the story desk does); returns its id."""
    with store.db.session() as session:
        story = Story(started_at=now())
        session.add(story)
        session.flush()
        session.execute(
            update(ArticleRow).where(ArticleRow.id.in_(article_ids)).values(story_id=story.id)
        )
        return story.id


def join(store: Store, story_id: int, article_id: int) -> None:
    with store.db.session() as session:
        session.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(story_id=story_id)
        )


async def round_(core, sender: FakeSender) -> tuple[int, int]:
    """One delivery round as the deliver task runs it: sends, then edits."""
    return await core.deliver_new(sender), await core.edit_stories(sender)


def also(post) -> list[str]:
    return [source.source for source in post.also]


async def test_two_articles_of_a_story_make_one_post_then_one_edit(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    first = add_article(store, "alpha", "a1")
    story = grouped(store, first)
    assert await round_(core, sender) == (1, 0)
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (0, 1)
    assert sender.titles() == ["a1"]
    [(dest, message_id, post, language)] = sender.edits
    assert (dest.chat_id, message_id, post.title, post.story_id) == ("7", "1", "a1", story)
    assert also(post) == ["beta"] and language == "ar"
    assert await round_(core, sender) == (0, 0)  # the post shows it now: no second edit


async def test_a_second_article_of_the_same_source_is_no_new_source(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    join(store, story, add_article(store, "alpha", "a2"))
    assert await round_(core, sender) == (0, 0)
    assert sender.titles() == ["a1"] and sender.edits == []


async def test_an_unrelated_article_gets_its_own_post(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    join(store, story, add_article(store, "beta", "b1"))
    grouped(store, add_article(store, "beta", "other"))
    assert await round_(core, sender) == (1, 1)
    assert sender.titles() == ["a1", "other"]
    assert also(sender.sent[1][1]) == []


async def test_a_chat_of_one_source_gets_the_story_when_that_source_joins(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    await core.handle("subscribe", private("8"), "beta")
    story = grouped(store, add_article(store, "alpha", "a1"))
    assert await round_(core, sender) == (1, 0)
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (1, 1)
    [(_, b_post, _)] = [sent for sent in sender.sent if sent[0].chat_id == "8"]
    assert (b_post.title, also(b_post)) == ("b1", ["alpha"])
    [(dest, _, edited, _)] = sender.edits
    assert (dest.chat_id, also(edited)) == ("7", ["beta"])
    assert await round_(core, sender) == (0, 0)


async def test_a_gone_post_is_never_edited_again_nor_posted_again(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    sender.edit_outcomes["1"] = [EditOutcome.GONE]
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (0, 0)
    join(store, story, add_article(store, "gamma", "c1"))
    assert await round_(core, sender) == (0, 0)
    assert sender.titles() == ["a1"] and len(sender.edits) == 1  # only the GONE attempt


async def test_not_modified_counts_as_done(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    sender.edit_outcomes["1"] = [EditOutcome.UNCHANGED]
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (0, 1)
    assert await round_(core, sender) == (0, 0)
    assert len(sender.edits) == 1


async def test_a_transient_edit_failure_is_retried_next_round(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    sender.edit_outcomes["1"] = [TransientDeliveryError("429")]
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (0, 0)
    assert sender.edits == []
    assert await round_(core, sender) == (0, 1)
    assert [also(post) for _, _, post, _ in sender.edits] == [["beta"]]
    assert sender.titles() == ["a1"]


async def test_no_edit_past_edit_within(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    with store.db.session() as session:  # sent two days ago; edit_within is 24h
        session.execute(update(Delivery).values(sent_at=now() - timedelta(days=2)))
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (0, 0)
    assert sender.edits == []


async def test_paused_posting_edits_nothing(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"))
    await round_(core, sender)
    await core.handle("pause", private(ADMIN))
    join(store, story, add_article(store, "beta", "b1"))
    assert await round_(core, sender) == (0, 0)


async def test_a_digest_ranks_stories_by_sources_then_recency(core, store, sender, rescheduled):
    caller = private("7", language="en")
    await core.handle("subscribe", caller, "")
    await core.handle("schedule", caller, "chat 0 9 * * *")
    ((_, subscription_id, _),) = rescheduled.calls
    base = now()
    wide = [
        add_article(store, name, f"wide-{name}", published_at=base - timedelta(hours=5 - n))
        for n, name in enumerate(("alpha", "beta", "gamma"))
    ]
    grouped(store, *wide)
    grouped(store, add_article(store, "alpha", "newest", published_at=base))
    pair = [
        add_article(store, name, f"pair-{name}", published_at=base - timedelta(hours=4))
        for name in ("alpha", "beta")
    ]
    grouped(store, *pair)
    add_article(store, "beta", "single", published_at=base - timedelta(hours=1))  # no story
    assert await core.deliver_digest(sender, int(subscription_id)) == 2  # digest_max_items
    assert sender.titles() == ["wide-alpha", "pair-alpha"]
    assert also(sender.sent[0][1]) == ["beta", "gamma"]
    assert await core.deliver_digest(sender, int(subscription_id)) == 2
    assert sender.titles()[2:] == ["newest", "single"]
    assert await core.deliver_digest(sender, int(subscription_id)) == 0


async def test_the_status_queue_counts_stories_and_drains(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    story = grouped(store, add_article(store, "alpha", "a1"), add_article(store, "beta", "b1"))
    add_article(store, "beta", "other")
    assert await store.deliveries.queue_size("telegram") == 2  # one story, one article
    await round_(core, sender)
    join(store, story, add_article(store, "gamma", "c1"))
    assert await store.deliveries.queue_size("telegram") == 0  # joined a posted story
