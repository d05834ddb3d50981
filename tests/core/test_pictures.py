"""`/pictures`: a chat's managers turn the articles' pictures off or on for its posts."""

from __future__ import annotations

import pytest

from bot.config import PostsConfig
from bot.core import Destination
from bot.errors import UserError
from bot.i18n import t
from bot.sections import ChannelConfig
from tests.core.conftest import ADMIN, add_article, group, private

# The whole module runs on SQLite and on PostgreSQL (the store fixture uses database_url).
pytestmark = pytest.mark.usefixtures("database_url")

PICTURE = "https://cdn.example.org/chip.jpg"
CHANNEL = Destination("telegram", "-100123", "", "channel")


async def test_a_new_subscription_has_pictures_on(core):
    caller = private(language="en")
    await core.handle("subscribe", caller, "")
    reply = await core.handle("pictures", caller, "")
    assert reply.text == t("pictures.on", "en")


async def test_off_then_on_is_stored_and_shown(core, store):
    caller = private()
    await core.handle("subscribe", caller, "")
    assert (await core.handle("pictures", caller, "off")).text == t("pictures.off", "ar")
    assert (await core.handle("pictures", caller, "")).text == t("pictures.off", "ar")
    assert (await store.subscriptions.find(caller.destination)).images is False
    assert (await core.handle("pictures", caller, "تشغيل")).text == t("pictures.on", "ar")
    assert (await store.subscriptions.find(caller.destination)).images is True


async def test_a_chat_with_pictures_off_gets_its_posts_without_them(core, store, sender):
    text_only = group(manager=True, chat="-501")
    await core.handle("subscribe", group(manager=True), "")
    await core.handle("subscribe", text_only, "")
    await core.handle("pictures", text_only, "إيقاف")
    add_article(store, "alpha", "a1", image_url=PICTURE)
    assert await core.deliver_new(sender) == 2
    pictures = {dest.chat_id: post.image_url for dest, post, _ in sender.sent}
    assert pictures == {"-500": PICTURE, "-501": None}


async def test_turning_pictures_back_on_brings_them_back(core, store, sender):
    caller = private()
    await core.handle("subscribe", caller, "")
    await core.handle("pictures", caller, "off")
    await core.handle("pictures", caller, "on")
    add_article(store, "alpha", "a1", image_url=PICTURE)
    await core.deliver_new(sender)
    assert [post.image_url for _, post, _ in sender.sent] == [PICTURE]


async def test_group_members_see_the_setting_but_cannot_change_it(core):
    await core.handle("subscribe", group(manager=True), "")
    member = group("8", manager=False)
    assert (await core.handle("pictures", member, "")).text == t("pictures.on", "ar")
    with pytest.raises(UserError) as caught:
        await core.handle("pictures", member, "off")
    assert caught.value.key == "error.chat_admin_only"
    assert (await core.handle("pictures", member, "")).text == t("pictures.on", "ar")


async def test_an_unknown_word_is_a_usage_error(core):
    caller = private()
    await core.handle("subscribe", caller, "")
    with pytest.raises(UserError) as caught:
        await core.handle("pictures", caller, "maybe")
    assert caught.value.key == "error.pictures_usage"


@pytest.mark.parametrize("args", ["", "off"])
async def test_a_chat_without_a_subscription_is_told_to_subscribe(core, args):
    with pytest.raises(UserError) as caught:
        await core.handle("pictures", private(), args)
    assert caught.value.key == "error.not_subscribed"


async def test_unsubscribed_chat_cannot_switch_pictures(core):
    caller = private()
    await core.handle("subscribe", caller, "")
    await core.handle("unsubscribe", caller, "")
    with pytest.raises(UserError) as caught:
        await core.handle("pictures", caller, "off")
    assert caught.value.key == "error.not_subscribed"


async def test_bot_admin_turns_a_channels_pictures_off_from_a_private_chat(core, store, sender):
    await core.handle("subscribe", private(ADMIN), "", target=CHANNEL)
    reply = await core.handle("pictures", private(ADMIN, "en"), "off", target=CHANNEL)
    assert reply.text == t("pictures.off", "en")
    add_article(store, "alpha", "a1", image_url=PICTURE)
    await core.deliver_new(sender)
    assert [(dest.chat_id, post.image_url) for dest, post, _ in sender.sent] == [("-100123", None)]


async def test_a_reader_cannot_switch_a_channels_pictures(core):
    await core.handle("subscribe", private(ADMIN), "", target=CHANNEL)
    with pytest.raises(UserError) as caught:
        await core.handle("pictures", private("8"), "off", target=CHANNEL)
    assert caught.value.key == "error.admin_only"


async def test_a_config_channels_choice_survives_a_config_reload(core, store):
    channels = [ChannelConfig(chat="@news")]
    await core.sync_config_channels("telegram", channels)
    news = Destination("telegram", "@news", "", "channel")
    await core.handle("pictures", private(ADMIN), "off", target=news)
    await core.sync_config_channels("telegram", channels)
    assert (await store.subscriptions.find(news)).images is False


async def test_resubscribing_keeps_the_chats_choice(core, store):
    caller = private()
    await core.handle("subscribe", caller, "alpha")
    await core.handle("pictures", caller, "off")
    await core.handle("subscribe", caller, "beta")
    await core.handle("unsubscribe", caller, "")
    await core.handle("subscribe", caller, "")
    assert (await store.subscriptions.find(caller.destination)).images is False


async def test_on_says_when_the_platforms_config_keeps_pictures_off(core):
    caller = private(language="en")
    await core.handle("subscribe", caller, "")
    config = core.context.config
    core.update_config(config.model_copy(update={"posts": PostsConfig(images=False)}))
    reply = await core.handle("pictures", caller, "")
    assert reply.text == t("pictures.on_config_off", "en")
