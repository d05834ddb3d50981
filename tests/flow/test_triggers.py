"""Triggers decide when and defer; they do no work. Fixed job ids, overrides that persist."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from bot.composition import open_services
from bot.flow.triggers import Clock, tick
from bot.store import ConfigChannel, ScheduleTarget
from bot.store.models import ScheduleOverride
from tests.helpers.tables import all_summaries


def job_ids(clock: Clock) -> list[str]:
    return sorted(job.id for job in clock.aps.get_jobs())


async def test_clock_jobs_follow_the_config_with_fixed_ids(make_config, sources, engine):
    config = make_config(sources=sources)
    async with open_services(config) as services:
        clock = Clock(engine, services.store, config)
        clock.start(paused=True)
        try:
            await clock.apply(config)
            assert job_ids(clock) == ["fetch:local", "fetch:other", "sweep"]
            job = clock.aps.get_job("fetch:local")
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)
            edited = make_config(sources=[{**sources[0], "schedule": "0 9 * * 1"}])
            await clock.apply(edited)
            assert job_ids(clock) == ["fetch:local", "sweep"]
            assert "cron" in str(clock.aps.get_job("fetch:local").trigger)
        finally:
            await clock.shutdown()


async def test_a_clock_job_only_defers_its_task(make_config, sources, engine):
    config = make_config(sources=sources[:1])
    async with open_services(config) as services:
        [subscription_id] = await services.store.subscriptions.sync_config_channels(
            "telegram", [ConfigChannel("42", (), "0 9 * * 1")], "ar"
        )
        clock = Clock(engine, services.store, config)
        clock.start(paused=True)
        try:
            await clock.apply(config)
            assert job_ids(clock) == [f"digest:{subscription_id}", "fetch:local", "sweep"]
            digest = clock.aps.get_job(f"digest:{subscription_id}")
            assert digest.next_run_time.weekday() == 0
            for job in clock.aps.get_jobs():
                await job.func(*job.args, **job.kwargs)
        finally:
            await clock.shutdown()
        assert await all_summaries(services.store) == []  # nothing ran
    deferred = sorted(engine.deferred, key=lambda d: d[0])
    assert deferred[:2] == [
        ("digest", {"subscription_id": subscription_id}),
        ("fetch", {"source": "local"}),
    ]
    assert [name for name, _ in deferred[2:]] == ["sweep"]


async def test_an_override_survives_a_restart_until_the_file_changes(make_config, sources, engine):
    config = make_config(sources=sources[:1])
    async with open_services(config) as services:
        clock = Clock(engine, services.store, config)
        clock.start(paused=True)
        await clock.apply(config)
        await clock.reschedule(ScheduleTarget.SOURCE, "local", "2h")
        assert "2:00:00" in str(clock.aps.get_job("fetch:local").trigger)
        await clock.shutdown()
    async with open_services(config) as services:  # a restart with the same file
        restarted = Clock(engine, services.store, config)
        restarted.start(paused=True)
        await restarted.apply(config)
        assert "2:00:00" in str(restarted.aps.get_job("fetch:local").trigger)
        edited = make_config(sources=[{**sources[0], "schedule": "45m"}])
        await restarted.apply(edited)  # the admin edited the file: its newer value wins
        assert "0:45:00" in str(restarted.aps.get_job("fetch:local").trigger)
        await restarted.shutdown()
        with services.store.db.session() as session:
            assert session.query(ScheduleOverride).count() == 0


async def test_a_tick_defers_what_fell_due_and_a_sweep(make_config, sources, engine):
    config = make_config(sources=sources)  # local every 30 m, other every hour
    half_past = int(datetime(2026, 1, 1, 10, 30, tzinfo=UTC).timestamp())
    async with open_services(config) as services:
        await tick(engine, config, services.store, half_past, 60)
        await tick(engine, config, services.store, half_past + 60, 60)
    assert engine.deferred == [
        ("fetch", {"source": "local"}),
        ("sweep", {"fetched_before": half_past - 180}),
        ("sweep", {"fetched_before": half_past - 120}),
    ]


async def test_shutdown_lets_a_job_that_fired_finish_its_defer(
    make_config, sources, engine, caplog
):
    config = make_config(sources=sources[:1])
    deferring = engine.defer

    async def slow_defer(task, **ids) -> None:  # noqa: ANN001, ANN003
        await asyncio.sleep(0.05)
        await deferring(task, **ids)

    engine.defer = slow_defer
    async with open_services(config) as services:
        clock = Clock(engine, services.store, config)
        clock.start()
        await clock.apply(config)  # a new source's fetch fires at once
        await asyncio.sleep(0.01)
        with caplog.at_level(logging.ERROR, logger="apscheduler"):
            await clock.shutdown()
    assert engine.deferred == [("fetch", {"source": "local"})]
    assert not caplog.records
