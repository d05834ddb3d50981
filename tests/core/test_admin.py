"""Bot-admin commands and the permission rules of the command table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import Caller, Destination
from bot.errors import UserError
from bot.flow.triggers import digest_schedules
from bot.sections import ChannelConfig
from bot.store.models import ScheduleOverride, Source
from tests.core.conftest import ADMIN, add_article, group, private

ADMIN_COMMANDS = ["sources", "status", "pause", "resume"]


@pytest.mark.parametrize("name", ADMIN_COMMANDS)
async def test_admin_commands_refuse_other_users(core, name):
    with pytest.raises(UserError) as caught:
        await core.handle(name, private("8"), "")
    assert caught.value.key == "error.admin_only"


async def test_platform_grant_counts_as_bot_admin(core):
    caller = Caller(
        "8", Destination("discord", "1", "", "group"), language="en", is_admin_override=True
    )
    assert "Sources" in (await core.handle("sources", caller)).text


async def test_admin_list_is_per_platform(core):
    on_discord = Caller(ADMIN, Destination("discord", ADMIN), language="en")
    with pytest.raises(UserError):
        await core.handle("status", on_discord)


async def test_sources_show_health(core, store):
    with store.db.session() as session:
        session.add(Source(name="beta", location="x", consecutive_failures=4, disabled=True))
    text = (await core.handle("sources", private(ADMIN, "en"))).text
    alpha, beta = text.splitlines()[1:]
    assert alpha.startswith("• alpha") and "last fetch: never" in alpha
    assert "consecutive failures: 4" in beta and "disabled: yes" in beta


@pytest.mark.usefixtures("database_url")  # PostgreSQL's session zone must not shift the times
async def test_source_times_are_shown_in_utc(core, store):
    fetched = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)
    with store.db.session() as session:
        session.add(Source(name="beta", location="x", last_fetch_at=fetched))
    text = (await core.handle("sources", private(ADMIN, "en"))).text
    assert "last fetch: 2025-01-06 09:30 UTC" in text.splitlines()[2]


async def test_status_shows_queue_and_pause(core, store):
    admin = private(ADMIN, "en")
    await core.handle("subscribe", private("7"), "")
    add_article(store, "alpha", "a1")
    add_article(store, "beta", "b1")
    text = (await core.handle("status", admin)).text
    assert "Summaries waiting to be delivered: 2" in text and "Posting: running" in text
    await core.handle("pause", admin)
    assert "Posting: paused" in (await core.handle("status", admin)).text


async def test_schedule_a_source_persists_and_reschedules(core, store, rescheduled):
    reply = await core.handle("schedule", private(ADMIN, "en"), "beta */15 * * * *")
    assert "beta" in reply.text
    assert rescheduled.calls == [("source", "beta", "*/15 * * * *")]
    with store.db.session() as session:
        row = session.query(ScheduleOverride).one()
        assert (row.target_kind, row.target, row.schedule, row.file_value) == (
            "source",
            "beta",
            "*/15 * * * *",
            "1h",
        )


async def test_schedule_a_source_needs_a_bot_admin(core, rescheduled):
    with pytest.raises(UserError) as caught:
        await core.handle("schedule", group(manager=True), "beta 30m")
    assert caught.value.key == "error.admin_only" and rescheduled.calls == []


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ("beta", "error.schedule_usage"),
        ("beta every day", "error.bad_schedule"),
        ("gamma 30m", "error.unknown_target"),
    ],
)
async def test_bad_schedule_arguments(core, args, key):
    with pytest.raises(UserError) as caught:
        await core.handle("schedule", private(ADMIN), args)
    assert caught.value.key == key


@pytest.mark.usefixtures("database_url")  # PostgreSQL enforces the column's 64 characters
async def test_a_schedule_too_long_to_store_is_refused(core, store, rescheduled):
    every_five = ",".join(str(minute) for minute in range(0, 60, 5))
    long_cron = f"{every_five} {','.join(str(hour) for hour in range(0, 24, 2))} * * *"
    assert len(long_cron) > 64
    with pytest.raises(UserError) as caught:
        await core.handle("schedule", private(ADMIN), f"beta {long_cron}")
    assert caught.value.key == "error.bad_schedule" and rescheduled.calls == []
    with store.db.session() as session:
        assert session.query(ScheduleOverride).count() == 0


async def test_group_member_cannot_change_the_chat_schedule(core):
    await core.handle("subscribe", group(manager=True), "")
    with pytest.raises(UserError) as caught:
        await core.handle("schedule", group(manager=False), "chat 0 9 * * *")
    assert caught.value.key == "error.chat_admin_only"


async def test_chat_schedule_back_to_immediate(core, store, rescheduled):
    caller = private("7", "en")
    await core.handle("subscribe", caller, "")
    await core.handle("schedule", caller, "chat 0 9 * * *")
    reply = await core.handle("schedule", caller, "chat immediate")
    assert rescheduled.calls[-1][2] == "immediate" and "as articles come in" in reply.text
    assert await digest_schedules(store) == {}


async def test_admin_schedule_of_config_channel_holds_until_the_file_changes(core, store):
    channel = Destination("telegram", "@news", "", "channel")
    admin = private(ADMIN)
    await core.sync_config_channels("telegram", [ChannelConfig(chat="@news")])
    await core.handle("schedule", admin, "chat 0 8 * * *", target=channel)
    await core.sync_config_channels("telegram", [ChannelConfig(chat="@news")])
    assert list((await digest_schedules(store)).values()) == ["0 8 * * *"]
    await core.sync_config_channels(
        "telegram", [ChannelConfig(chat="@news", schedule="0 20 * * *")]
    )
    assert list((await digest_schedules(store)).values()) == ["0 20 * * *"]


async def test_unknown_command(core):
    with pytest.raises(UserError) as caught:
        await core.handle("frobnicate", private())
    assert caught.value.key == "error.unknown_command"
