"""Each command over real PTB traffic: the reply arrives, localized, and Telegram accepts it."""

from __future__ import annotations

import logging

import pytest

from bot.core import COMMANDS
from bot.i18n import t
from tests.helpers.fake_telegram import BOT_ID
from tests.helpers.feed_server import FeedServer
from tests.telegram.conftest import (
    ADMIN,
    ADMIN_ID,
    ARTICLE_EN,
    CHANNEL_ID,
    CHANNEL_NAME,
    GROUP_ID,
    READER_AR,
    READER_EN,
    READER_ID,
    BotStack,
    StackFactory,
    said,
)


async def test_start_greets_in_arabic(bot: BotStack) -> None:
    [reply] = await bot.say(READER_ID, READER_AR, "/start")
    assert t("start.welcome", "ar").split("\n")[0][:20] in reply.result["text"]
    assert "/subscribe" in reply.result["text"]
    assert reply.params["parse_mode"] == "HTML"


async def test_start_greets_in_english_for_an_english_app(bot: BotStack) -> None:
    [reply] = await bot.say(300, READER_EN, "/start")
    assert reply.result["text"].startswith(t("start.welcome", "en").split("\n")[0])


async def test_help_is_arabic_for_an_arabic_app(bot: BotStack) -> None:
    [reply] = await bot.say(READER_ID, READER_AR, "/help")
    assert reply.result["text"].startswith(said("help.header", "ar"))
    assert t("cmd.subscribe.help", "ar") in reply.result["text"]


async def test_help_is_english_for_an_english_app(bot: BotStack) -> None:
    [reply] = await bot.say(300, READER_EN, "/help")
    assert reply.result["text"].startswith(t("help.header", "en"))
    assert t("cmd.subscribe.help", "en") in reply.result["text"]
    assert "/sources" not in reply.result["text"]  # admin commands only for admins


async def test_menus_registered_in_both_languages_from_the_table(bot: BotStack) -> None:
    menus = {
        call.params.get("language_code"): call.params["commands"]
        for call in bot.fake.calls_of("setMyCommands")
        if "scope" not in call.params
    }
    assert set(menus) == {None, "en"}
    public = [spec.name for spec in COMMANDS if not spec.admin_only]
    assert [item["command"] for item in menus[None]] == public
    assert menus[None][0]["description"] == t("cmd.start.help", "ar")
    assert menus["en"][0]["description"] == t("cmd.start.help", "en")
    admin_menus = [
        call
        for call in bot.fake.calls_of("setMyCommands")
        if call.params.get("scope") == {"type": "chat", "chat_id": ADMIN_ID}
    ]
    assert {call.params.get("language_code") for call in admin_menus} == {None, "en"}
    assert all(
        [item["command"] for item in call.params["commands"]] == [spec.name for spec in COMMANDS]
        for call in admin_menus
    )


async def test_subscribe_list_unsubscribe_in_a_private_chat(bot: BotStack) -> None:
    [done] = await bot.say(READER_ID, READER_AR, "/subscribe local")
    assert "local" in done.result["text"]
    [listing] = await bot.say(READER_ID, READER_AR, "/subscriptions")
    assert "local" in listing.result["text"]
    [gone] = await bot.say(READER_ID, READER_AR, "/unsubscribe")
    assert gone.result["text"] == said("unsubscribe.done_all", "ar")


async def test_unknown_source_is_a_localized_user_error(bot: BotStack) -> None:
    [reply] = await bot.say(READER_ID, READER_EN | {"id": READER_ID}, "/subscribe <nope>")
    assert "<nope>" in reply.result["text"]  # escaped on the way out, shown as typed
    assert "Unknown sources" in reply.result["text"]


async def test_group_members_cannot_change_subscriptions_but_can_list_them(
    bot: BotStack,
) -> None:
    bot.fake.set_member(GROUP_ID, ADMIN_ID, "creator")
    await bot.say(GROUP_ID, ADMIN, "/subscribe local")
    bot.fake.set_member(GROUP_ID, READER_ID, "member")
    for command in ("/subscribe", "/unsubscribe local"):
        [refused] = await bot.say(GROUP_ID, READER_AR, command)
        assert refused.result["text"] == said("error.chat_admin_only", "ar")
    [listing] = await bot.say(GROUP_ID, READER_AR, "/subscriptions")
    assert "local" in listing.result["text"]


async def test_group_admins_can_subscribe(bot: BotStack) -> None:
    bot.fake.set_member(GROUP_ID, READER_ID, "administrator")
    [done] = await bot.say(GROUP_ID, READER_AR, "/subscribe@khulasa_test_bot")
    everything = t("subscriptions.all_sources", "ar")
    immediate = t("subscriptions.immediate", "ar")
    assert done.result["text"] == said(
        "subscribe.done", "ar", sources=everything, schedule=immediate
    )
    assert bot.fake.calls_of("getChatMember", chat_id=GROUP_ID, user_id=READER_ID)


async def test_admin_subscribes_a_channel_where_the_bot_posts(bot: BotStack) -> None:
    bot.fake.set_member(CHANNEL_ID, BOT_ID, "administrator")
    [done] = await bot.say(ADMIN_ID, ADMIN, f"/subscribe @{CHANNEL_NAME} local")
    assert "local" in done.result["text"]
    [listing] = await bot.say(ADMIN_ID, ADMIN, f"/subscriptions @{CHANNEL_NAME}")
    assert "local" in listing.result["text"]


async def test_admin_turns_a_channels_pictures_off_from_a_private_chat(bot: BotStack) -> None:
    bot.fake.set_member(CHANNEL_ID, BOT_ID, "administrator")
    await bot.say(ADMIN_ID, ADMIN, f"/subscribe @{CHANNEL_NAME}")
    [done] = await bot.say(ADMIN_ID, ADMIN, f"/pictures @{CHANNEL_NAME} off")
    assert done.result["text"] == said("pictures.off", "ar")
    [state] = await bot.say(ADMIN_ID, ADMIN, f"/pictures @{CHANNEL_NAME}")
    assert state.result["text"] == said("pictures.off", "ar")
    [own] = await bot.say(ADMIN_ID, ADMIN, "/pictures")  # the admin's own chat has none
    assert own.result["text"] == said("error.not_subscribed", "ar")


async def test_channel_where_the_bot_is_not_admin_is_refused(bot: BotStack) -> None:
    bot.fake.set_member(CHANNEL_ID, BOT_ID, "member")
    [refused] = await bot.say(ADMIN_ID, ADMIN, f"/subscribe @{CHANNEL_NAME}")
    assert refused.result["text"] == said(
        "error.bot_not_channel_admin", "ar", channel=f"@{CHANNEL_NAME}"
    )


async def test_unknown_channel_is_refused(bot: BotStack) -> None:
    [refused] = await bot.say(ADMIN_ID, ADMIN, "/subscribe @no_such_channel")
    assert refused.result["text"] == said(
        "error.channel_not_found", "ar", channel="@no_such_channel"
    )


async def test_readers_cannot_subscribe_channels(bot: BotStack) -> None:
    bot.fake.set_member(CHANNEL_ID, BOT_ID, "administrator")
    [refused] = await bot.say(READER_ID, READER_AR, f"/subscribe @{CHANNEL_NAME}")
    assert refused.result["text"] == said("error.admin_only", "ar")


async def test_summary_posts_the_latest_with_buttons(bot: BotStack) -> None:
    [post] = await bot.say(READER_ID, READER_AR, "/summary")
    assert "Gemini" in post.result["text"]
    buttons = post.params["reply_markup"]["inline_keyboard"][0]
    assert [button["text"] for button in buttons] == [
        t("post.ask", "ar")
    ]  # a local file: no URL button
    assert buttons[0]["callback_data"].startswith("ask:")
    assert post.params["link_preview_options"] == {"is_disabled": True}


async def test_summary_of_a_text_shows_typing(bot: BotStack) -> None:
    text = (
        "This is a long message about new chips. The company said the chips are faster. "
        "Analysts expect prices to fall next year. The launch came earlier than planned."
    )
    [reply] = await bot.say(300, READER_EN, f"/summary {text}")
    assert reply.result["text"]
    assert bot.fake.calls_of("sendChatAction", chat_id=300, action="typing")


async def test_summary_of_a_replied_message(bot: BotStack) -> None:
    long = bot.fake.push_message(
        300, READER_EN, "Chips. " * 5 + "The company said the chips ship early this year. " * 3
    )
    [reply] = await bot.say(300, READER_EN, "/summary", reply_to=long["message_id"])
    assert "ship early" in reply.result["text"]


async def test_admin_commands_for_admins(bot: BotStack) -> None:
    [sources] = await bot.say(ADMIN_ID, ADMIN, "/sources")
    assert "local" in sources.result["text"]
    [status] = await bot.say(ADMIN_ID, ADMIN, "/status")
    assert t("status.running", "ar") in status.result["text"]
    [paused] = await bot.say(ADMIN_ID, ADMIN, "/pause")
    assert paused.result["text"] == said("pause.done", "ar")
    [resumed] = await bot.say(ADMIN_ID, ADMIN, "/resume")
    assert resumed.result["text"] == said("resume.done", "ar")
    [scheduled] = await bot.say(ADMIN_ID, ADMIN, "/schedule local 0 9 * * *")
    assert "0 9 * * *" in scheduled.result["text"]


async def test_admin_commands_refuse_readers_politely(bot: BotStack) -> None:
    for command in ("/sources", "/status", "/pause", "/resume", "/schedule local 0 9 * * *"):
        [refused] = await bot.say(READER_ID, READER_AR, command)
        assert refused.result["text"] == said("error.admin_only", "ar")


async def test_failure_inside_a_command_gets_an_apology_not_a_traceback(
    start_bot: StackFactory, caplog: pytest.LogCaptureFixture
) -> None:
    stack = await start_bot()

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    stack.core.handle = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, "bot.adapters.telegram.handlers"):
        [reply] = await stack.say(300, READER_EN, "/status")
    assert reply.result["text"] == said("error.generic", "en")
    [logged] = [record for record in caplog.records if record.exc_info]
    assert str(logged.exc_info[1]) == "secret internals"  # type: ignore[index]


async def test_summary_of_a_url_posts_it_with_link_button_and_preview(bot: BotStack) -> None:
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_EN.splitlines()[2:] * 3)
    page = f"<html><head><title>Chips ship early</title></head><body><article><h1>Chips ship early</h1>{paragraphs}</article></body></html>"
    server = FeedServer()
    await server.start()
    try:
        url = server.serve(
            "/chips", body=page.encode(), content_type="text/html; charset=utf-8", delay=0.1
        )
        [post] = await bot.say(300, READER_EN, f"/summary {url}")
    finally:
        await server.close()
    assert "Chips ship early" in post.result["text"]
    read, ask = post.params["reply_markup"]["inline_keyboard"][0]
    assert (read["text"], read["url"]) == (t("post.read_more", "en"), url)
    assert ask["text"] == t("post.ask", "en")
    assert post.params["link_preview_options"] == {"url": url}
    assert bot.fake.calls_of("sendChatAction", chat_id=300, action="typing")
