"""Scheduler: crontab meaning, fixed job ids, callbacks, overrides that persist until the file changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.scheduler import Scheduler
from bot.schedules import parse_schedule
from bot.store import ConfigChannel, ScheduleTarget
from bot.store.models import ScheduleOverride


def test_0_9_star_star_1_fires_on_a_monday():
    sunday = datetime(2025, 1, 5, 12, 0, tzinfo=UTC)
    fire = parse_schedule("0 9 * * 1").get_next_fire_time(None, sunday)
    assert (fire.weekday(), fire.hour, fire.minute, fire.day) == (0, 9, 0, 6)


@pytest.mark.parametrize(
    ("cron", "days"),
    [
        ("0 9 * * */2", "Tue Thu Sat Sun"),  # crontab's step starts on Sunday = 0
        ("0 9 * * 0-4", "Mon Tue Wed Thu Sun"),
        ("0 9 * * 1-5/2", "Mon Wed Fri Mon"),
        ("0 9 * * 5-7", "Fri Sat Sun Fri"),
        ("0 9 * * sat,7", "Sat Sun Sat Sun"),
        ("0 9 1 * 1", "Mon Mon Mon Mon Sat"),  # both day fields set: either matches (Feb 1)
    ],
)
def test_cron_weekdays_mean_what_crontab_means(cron, days):
    moment = datetime(2025, 1, 5, 12, 0, tzinfo=UTC)  # a Sunday, after 09:00
    trigger = parse_schedule(cron)
    fired = []
    for _ in days.split():
        moment = trigger.get_next_fire_time(None, moment)
        fired.append(moment.strftime("%a"))
        moment = moment.replace(hour=12)
    assert " ".join(fired) == days


@pytest.mark.parametrize("cron", ["0 9 * * 8", "0 9 * * 5-1", "0 9 * * */0", "0 9 * * funday"])
def test_bad_weekday_fields_are_rejected(cron):
    with pytest.raises(ValueError, match="invalid cron string"):
        parse_schedule(cron)


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Title A\nSome body text that is long enough to summarize.", "utf-8"
    )
    return [
        {"name": "local", "path": str(folder), "schedule": "30m"},
        {"name": "other", "path": str(folder), "schedule": "1h"},
    ]


async def test_jobs_follow_the_config_with_fixed_ids(make_config, open_pipeline, sources):
    config = make_config(sources=sources)
    async with open_pipeline(config) as pipeline:
        scheduler = Scheduler(pipeline, pipeline.store)
        scheduler.start(paused=True)
        await scheduler.apply(config)
        assert scheduler.job_ids() == ["fetch:local", "fetch:other"]
        job = scheduler.aps.get_job("fetch:local")
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)
        edited = make_config(sources=[{**sources[0], "schedule": "0 9 * * 1"}])
        await scheduler.apply(edited)
        assert scheduler.job_ids() == ["fetch:local"]
        assert "cron" in str(scheduler.aps.get_job("fetch:local").trigger)


async def test_a_fetch_job_hands_new_summaries_to_the_callbacks(
    make_config, open_pipeline, sources
):
    config = make_config(sources=sources[:1])
    delivered: list[list[int]] = []
    async with open_pipeline(config) as pipeline:
        scheduler = Scheduler(pipeline, pipeline.store)
        scheduler.on_new_summaries(delivered.append)
        await scheduler.apply(config)
        await scheduler.run_fetch("local")
        await scheduler.run_fetch("local")
    assert delivered == [[1]]


async def test_digest_jobs_per_subscription_call_the_digest_callback(make_config, open_pipeline):
    config = make_config()
    calls: list[tuple[int, str]] = []
    async with open_pipeline(config) as pipeline:
        [subscription_id] = await pipeline.store.subscriptions.sync_config_channels(
            "telegram", [ConfigChannel("42", (), "0 9 * * 1")], "ar"
        )
        scheduler = Scheduler(pipeline, pipeline.store)
        scheduler.on_digest(lambda sid, platform: calls.append((sid, platform)))
        scheduler.start(paused=True)
        await scheduler.apply(config)
        try:
            assert scheduler.job_ids() == [f"digest:{subscription_id}"]
            assert scheduler.next_run(f"digest:{subscription_id}").weekday() == 0
            job = scheduler.aps.get_job(f"digest:{subscription_id}")
            await job.func(*job.args)
        finally:
            await scheduler.shutdown()
    assert calls == [(subscription_id, "telegram")]


async def test_an_override_survives_a_restart_until_the_file_changes(
    make_config, open_pipeline, sources
):
    config = make_config(sources=sources[:1])
    async with open_pipeline(config) as pipeline:
        scheduler = Scheduler(pipeline, pipeline.store)
        scheduler.start(paused=True)
        await scheduler.apply(config)
        await scheduler.reschedule(ScheduleTarget.SOURCE, "local", "2h")
        assert "2:00:00" in str(scheduler.aps.get_job("fetch:local").trigger)
    async with open_pipeline(config) as pipeline:  # a restart with the same file
        restarted = Scheduler(pipeline, pipeline.store)
        restarted.start(paused=True)
        await restarted.apply(config)
        assert "2:00:00" in str(restarted.aps.get_job("fetch:local").trigger)
        edited = make_config(sources=[{**sources[0], "schedule": "45m"}])
        await restarted.apply(edited)  # the admin edited the file: its newer value wins
        assert "0:45:00" in str(restarted.aps.get_job("fetch:local").trigger)
        with pipeline.store.db.session() as session:
            assert session.query(ScheduleOverride).count() == 0


async def test_shutdown_lets_a_running_job_finish(make_config, open_pipeline, sources):
    config = make_config(sources=sources[:1])
    async with open_pipeline(config) as pipeline:
        scheduler = Scheduler(pipeline, pipeline.store)
        release, entered = asyncio.Event(), asyncio.Event()
        finished: list[bool] = []

        async def slow_delivery(ids: list[int]) -> None:
            entered.set()
            await release.wait()
            finished.append(True)

        scheduler.on_new_summaries(slow_delivery)
        await scheduler.apply(config)
        job = asyncio.create_task(scheduler.run_fetch("local"))
        await asyncio.wait_for(entered.wait(), 2)
        stopping = asyncio.create_task(scheduler.shutdown(grace=2))
        await asyncio.sleep(0.05)
        assert not stopping.done()
        release.set()
        await asyncio.wait_for(stopping, 2)
        assert finished == [True] and job.done()
