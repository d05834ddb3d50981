"""Subscribing, unsubscribing and listing, with permissions checked once in the core."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import Caller, Destination
from bot.errors import UserError
from bot.flow.triggers import digest_schedules
from bot.sections import ChannelConfig
from tests.core.conftest import ADMIN, add_article, group, now, private

# The whole module runs on SQLite and on PostgreSQL (the store fixture uses database_url).
pytestmark = pytest.mark.usefixtures("database_url")


async def test_private_chat_subscribes_to_all_sources(core, store, sender):
    reply = await core.handle("subscribe", private(), "")
    assert "كل المصادر" in reply.text
    add_article(store, "alpha", "a1")
    add_article(store, "beta", "b1")
    assert await core.deliver_new(sender) == 2


async def test_subscribe_to_some_sources_filters_delivery(core, store, sender):
    await core.handle("subscribe", private(language="en"), "beta")
    add_article(store, "alpha", "a1")
    add_article(store, "beta", "b1")
    await core.deliver_new(sender)
    assert sender.titles() == ["b1"]


async def test_unknown_source_lists_the_valid_ones(core):
    with pytest.raises(UserError) as caught:
        await core.handle("subscribe", private(), "alpha gamma")
    assert caught.value.key == "error.unknown_sources"
    assert caught.value.params == {"unknown": "gamma", "valid": "alpha, beta"}


async def test_subscribing_does_not_flood_with_the_backlog(core, store, sender):
    add_article(store, "alpha", "old", fetched_at=now() - timedelta(hours=1))
    await core.handle("subscribe", private(), "")
    add_article(store, "alpha", "new")
    await core.deliver_new(sender)
    assert sender.titles() == ["new"]


async def test_group_member_who_is_not_admin_is_refused(core):
    with pytest.raises(UserError) as caught:
        await core.handle("subscribe", group(manager=False), "")
    assert caught.value.key == "error.chat_admin_only"


async def test_group_admin_subscribes_the_group_in_the_configured_language(core, store, sender):
    await core.handle("subscribe", group(manager=True, language="en"), "")
    add_article(store, "alpha", "a1")
    await core.deliver_new(sender)
    assert [(dest.chat_id, language) for dest, _, language in sender.sent] == [("-500", "ar")]


async def test_unsubscribe_some_sources_then_all(core, store, sender):
    caller = private(language="en")
    await core.handle("subscribe", caller, "")
    reply = await core.handle("unsubscribe", caller, "alpha")
    assert "beta" in reply.text and "alpha" not in reply.text
    add_article(store, "alpha", "a1")
    add_article(store, "beta", "b1")
    await core.deliver_new(sender)
    assert sender.titles() == ["b1"]
    await core.handle("unsubscribe", caller, "")
    add_article(store, "beta", "b2")
    assert await core.deliver_new(sender) == 0


async def test_unsubscribe_when_not_subscribed_is_a_reader_error(core):
    with pytest.raises(UserError) as caught:
        await core.handle("unsubscribe", private(), "")
    assert caught.value.key == "error.not_subscribed"


async def test_subscriptions_lists_sources_and_schedule(core):
    caller = private(language="en")
    assert "No subscriptions" in (await core.handle("subscriptions", caller)).text
    await core.handle("subscribe", caller, "alpha, beta")
    listing = (await core.handle("subscriptions", caller)).text
    assert "alpha, beta" in listing and "as articles arrive" in listing


async def test_adding_sources_to_an_active_subscription_merges_them(core):
    caller = private(language="en")
    await core.handle("subscribe", caller, "alpha")
    reply = await core.handle("subscribe", caller, "beta")
    assert "alpha, beta" in reply.text


async def test_thread_is_its_own_destination(core, store, sender):
    forum_thread = Caller(
        "7", Destination("telegram", "-900", "42", "thread"), can_manage_chat=True
    )
    await core.handle("subscribe", forum_thread, "")
    add_article(store, "alpha", "a1")
    await core.deliver_new(sender)
    assert [(dest.chat_id, dest.thread_id) for dest, _, _ in sender.sent] == [("-900", "42")]


async def test_bot_admin_subscribes_a_channel_from_a_private_chat(core, store, sender):
    channel = Destination("telegram", "-100123", "", "channel")
    await core.handle("subscribe", private(ADMIN), "alpha", target=channel)
    add_article(store, "alpha", "a1")
    await core.deliver_new(sender)
    assert [dest.chat_id for dest, _, _ in sender.sent] == ["-100123"]


async def test_non_admin_cannot_subscribe_a_channel(core):
    channel = Destination("telegram", "-100123", "", "channel")
    with pytest.raises(UserError) as caught:
        await core.handle("subscribe", private("8"), "", target=channel)
    assert caught.value.key == "error.admin_only"


async def test_config_channels_sync_and_removal(core, store, sender):
    channels = [ChannelConfig(chat="@news", sources=["beta"])]
    await core.sync_config_channels("telegram", channels)
    add_article(store, "alpha", "a1")
    add_article(store, "beta", "b1")
    await core.deliver_new(sender)
    assert sender.titles("@news") == ["b1"]
    await core.sync_config_channels("telegram", [])
    add_article(store, "beta", "b2")
    assert await core.deliver_new(sender) == 0


async def test_config_digest_channel_is_listed_for_the_scheduler(core, store):
    ids = await core.sync_config_channels(
        "discord", [ChannelConfig(chat="555", schedule="0 9 * * *")]
    )
    assert await digest_schedules(store) == {ids[0]: "0 9 * * *"}
    assert (await store.subscriptions.get(ids[0])).destination.platform == "discord"
