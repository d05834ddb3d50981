"""Exactly-once delivery shared by every adapter: restarts, crashes, 403, migration, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import (
    Caller,
    Destination,
    DestinationForbidden,
    DestinationMigrated,
    TransientDeliveryError,
)
from bot.flow.triggers import digest_schedules
from bot.store import Store
from bot.store.models import Delivery, Message
from tests.core.conftest import ADMIN, FakeSender, add_article, group, now, private

# The whole module runs on SQLite and on PostgreSQL (the store fixture uses database_url).
pytestmark = pytest.mark.usefixtures("database_url")


def statuses(store: Store) -> list[tuple[str, str]]:
    with store.db.session() as session:
        return [(row.chat_id, row.status) for row in session.query(Delivery).order_by(Delivery.id)]


async def test_each_summary_is_sent_once_and_tied_to_its_message(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    article = add_article(store, "alpha", "a1")
    assert await core.deliver_new(sender) == 1
    assert await core.deliver_new(sender) == 0
    assert statuses(store) == [("7", "sent")]
    with store.db.session() as session:
        message = session.query(Message).one()
        assert (message.chat_id, message.message_id, message.article_id) == ("7", "1", article)


async def test_nothing_is_resent_after_a_restart(make_core, db_path, sender):
    first = Store(db_path)
    core = make_core(first)
    await core.handle("subscribe", private("7"), "")
    add_article(first, "alpha", "a1")
    await core.deliver_new(sender)
    first.close()

    second = Store(db_path)
    restarted = make_core(second)
    await restarted.start()
    add_article(second, "alpha", "a2")
    await restarted.deliver_new(sender)
    assert sender.titles() == ["a1", "a2"]
    second.close()


async def test_crash_between_send_and_record_is_never_resent(core, make_core, store, sender):
    await core.handle("subscribe", private("7"), "")
    add_article(store, "alpha", "a1")
    with store.db.session() as session:  # what a crash right after the platform send leaves behind
        session.add(
            Delivery(platform="telegram", chat_id="7", thread_id="", article_id=1, status="sending")
        )
    restarted = make_core(store)
    assert await restarted.start() == 1
    assert await restarted.deliver_new(sender) == 0
    assert statuses(store) == [("7", "unknown")]


async def test_unexpected_send_error_marks_unknown_and_other_chats_still_get_posts(
    core, store, sender
):
    await core.handle("subscribe", private("7"), "")
    await core.handle("subscribe", private("8"), "")
    add_article(store, "alpha", "a1")
    sender.failures["7"] = [RuntimeError("connection reset after write")]
    assert await core.deliver_new(sender) == 1
    assert sorted(statuses(store)) == [("7", "unknown"), ("8", "sent")]
    assert await core.deliver_new(sender) == 0


async def test_forbidden_deactivates_and_tells_admins(core, store, sender):
    await core.handle("subscribe", group(manager=True, chat="-500"), "")
    await core.handle("subscribe", private("8"), "")
    add_article(store, "alpha", "a1")
    sender.failures["-500"] = [DestinationForbidden("bot was kicked")]
    await core.deliver_new(sender)
    assert sender.titles("8") == ["a1"]
    assert len(sender.admin_notices) == 1 and "-500" in sender.admin_notices[0]
    assert "bot was kicked" in sender.admin_notices[0]
    add_article(store, "alpha", "a2")
    await core.deliver_new(sender)
    assert sender.titles("-500") == []
    reply = await core.handle("subscriptions", group(manager=True, chat="-500"))
    assert "/subscribe" in reply.text  # shown as not subscribed


async def test_migrated_chat_moves_subscription_and_records(core, store, sender):
    caller = group(manager=True, chat="-500")
    await core.handle("subscribe", caller, "")
    add_article(store, "alpha", "a1")
    await core.deliver_new(sender)
    add_article(store, "alpha", "a2")
    sender.failures["-500"] = [DestinationMigrated("-100500")]
    await core.deliver_new(sender)
    assert sender.titles("-100500") == ["a2"]
    assert await core.deliver_new(sender) == 0  # a1's record moved too: not re-sent to the new id
    assert sorted(statuses(store)) == [("-100500", "sent"), ("-100500", "sent")]


async def test_transient_error_is_retried_next_round_and_stops_that_chat_only(core, store, sender):
    await core.handle("subscribe", private("7"), "")
    await core.handle("subscribe", private("8"), "")
    add_article(store, "alpha", "a1")
    add_article(store, "alpha", "a2")
    sender.failures["7"] = [TransientDeliveryError("429")]
    await core.deliver_new(sender)
    assert sender.titles("7") == [] and sender.titles("8") == ["a1", "a2"]
    await core.deliver_new(sender)
    assert sender.titles("7") == ["a1", "a2"]


async def test_pause_and_resume_persist_across_restart(core, make_core, store, sender):
    admin = private(ADMIN)
    await core.handle("subscribe", private("7"), "")
    await core.handle("pause", admin)
    add_article(store, "alpha", "a1")
    restarted = make_core(store)
    assert await store.settings.is_paused("telegram")
    assert await restarted.deliver_new(sender) == 0
    assert await restarted.deliver_new(FakeSender(platform="discord")) == 0
    await restarted.handle("resume", admin)
    assert await restarted.deliver_new(sender) == 1


async def test_pause_on_one_platform_leaves_the_other_posting(core, store):
    discord = FakeSender(platform="discord")
    await core.handle("subscribe", Caller("9", Destination("discord", "9")), "")
    await core.handle("pause", private(ADMIN))
    add_article(store, "alpha", "a1")
    assert await core.deliver_new(discord) == 1


async def test_digest_sends_the_newest_stories_first_capped(core, store, sender, rescheduled):
    caller = private("7", language="en")
    await core.handle("subscribe", caller, "")
    await core.handle("schedule", caller, "chat 0 9 * * *")
    ((kind, subscription_id, schedule),) = rescheduled.calls
    assert (kind, schedule) == ("subscription", "0 9 * * *")
    base = now()
    add_article(store, "alpha", "late", published_at=base - timedelta(hours=1))
    add_article(store, "alpha", "early", published_at=base - timedelta(hours=3))
    add_article(store, "beta", "middle", published_at=base - timedelta(hours=2))
    assert await core.deliver_new(sender) == 0  # a digest subscription waits for its schedule
    assert await core.deliver_digest(sender, int(subscription_id)) == 2
    assert sender.titles() == ["late", "middle"]  # one source each: the newest first
    assert await core.deliver_digest(sender, int(subscription_id)) == 1
    assert sender.titles() == ["late", "middle", "early"]


async def test_digest_of_other_platform_or_unknown_id_sends_nothing(core, store, sender):
    assert await core.deliver_digest(sender, 999) == 0
    await core.handle("subscribe", private("7"), "")
    await core.handle("schedule", private("7"), "chat 30m")
    add_article(store, "alpha", "a1")
    (subscription_id,) = await digest_schedules(store)
    assert await core.deliver_digest(FakeSender(platform="discord"), subscription_id) == 0
