"""Reload while running (direct call, file change, SIGHUP) and a clean shutdown of `khulasa run`."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import sys

import pytest
import yaml

from bot.app import Application, serve
from bot.cli import main
from bot.composition import open_services
from bot.config import FetchConfig, load_config
from bot.flow import tasks
from bot.reload import ConfigReloader
from bot.store import DeliveryStatus, Destination, Store
from tests.helpers.tables import delivery_records


def write_config(path, tmp_path, sources):  # noqa: ANN001, ANN201
    data = {
        "storage": {"url": f"sqlite:///{tmp_path / 'data' / 'k.db'}"},
        "summarizer": {"backend": "extractive"},
        "sources": sources,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def seed_dir(tmp_path):  # noqa: ANN001, ANN201
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(
        "Seed title\nA seed article body with a few words in it. And a second sentence.", "utf-8"
    )
    return str(folder)


class SignallingStream(io.StringIO):
    """stdout for the console adapter that tells the test when something was printed."""

    def __init__(self) -> None:
        super().__init__()
        self.written = asyncio.Event()

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)


async def test_reload_applies_a_valid_config_and_rejects_a_bad_one(tmp_path, caplog):
    path = write_config(tmp_path / "k.yaml", tmp_path, [{"name": "a", "path": "x"}])
    applied = []

    async def apply(config) -> None:  # noqa: ANN001
        applied.append([source.name for source in config.sources])

    reloader = ConfigReloader(path, apply)
    assert await reloader.reload_if_changed() is False
    write_config(path, tmp_path, [{"name": "a", "path": "x"}, {"name": "b", "path": "y"}])
    os.utime(path, (1, 1))
    assert await reloader.reload_if_changed() is True
    path.write_text("sources:\n  - name: c\n    path: z\n    schedule: every day\n", "utf-8")
    with caplog.at_level(logging.ERROR, logger="bot.reload"):
        assert await reloader.reload() is False
    assert applied == [["a", "b"]]
    (record,) = caplog.records
    assert "line 4" in record.getMessage() and "sources[0].schedule" in record.getMessage()


async def test_sighup_reloads_the_running_loop(tmp_path):
    path = write_config(tmp_path / "k.yaml", tmp_path, [])
    reloaded = asyncio.Event()

    async def apply(config) -> None:  # noqa: ANN001
        reloaded.set()

    reloader = ConfigReloader(path, apply)
    loop = asyncio.get_running_loop()
    reloader.install_sighup(loop)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        await asyncio.wait_for(reloaded.wait(), 2)
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


async def test_run_prints_posts_reloads_sources_and_stops_cleanly(tmp_path):
    seeds = seed_dir(tmp_path)
    path = write_config(tmp_path / "k.yaml", tmp_path, [{"name": "seeds", "path": seeds}])
    out = SignallingStream()
    async with open_services(load_config(path)) as services:
        app = Application(services, path, poll_seconds=0.05)
        app.adapters[0].sender.stream = out
        reloaded = asyncio.Event()
        apply = app.reloader.apply

        async def apply_and_signal(config) -> None:  # noqa: ANN001
            await apply(config)
            reloaded.set()

        app.reloader.apply = apply_and_signal
        running = asyncio.create_task(app.run())
        try:
            await asyncio.wait_for(out.written.wait(), 30)  # the encoder loads first
            assert "Seed title" in out.getvalue()
            write_config(
                path, tmp_path, [{"name": "seeds", "path": seeds}, {"name": "more", "path": seeds}]
            )
            os.utime(path, (2, 2))
            await asyncio.wait_for(reloaded.wait(), 5)
            assert app.clock.aps.get_job("fetch:more") is not None
        finally:
            app.stop()
            await asyncio.wait_for(running, 5)
    assert not app.clock.aps.running
    assert out.getvalue().count("Seed title") == 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_a_stop_signal_ends_serve_cleanly_and_a_restart_reposts_nothing(
    tmp_path, monkeypatch, sig
):
    seeds = seed_dir(tmp_path)
    path = write_config(tmp_path / "k.yaml", tmp_path, [{"name": "seeds", "path": seeds}])
    for run in range(2):
        out = SignallingStream()
        monkeypatch.setattr(sys, "stdout", out)  # the console adapter prints here
        stopped_work = asyncio.Event()
        # the first run stops once its post is recorded, the second once its fetch found nothing
        name = "deliver" if run == 0 else "fetch"
        monkeypatch.setattr(tasks, name, _signal_after(getattr(tasks, name), stopped_work, out))
        serving = asyncio.create_task(serve(load_config(path), path))
        await asyncio.wait_for(stopped_work.wait(), 5)
        # Sending the signal with no handler installed would kill the test run: fail instead.
        assert signal.getsignal(sig) not in (signal.SIG_DFL, signal.default_int_handler)
        os.kill(os.getpid(), sig)
        await asyncio.wait_for(serving, 5)
        assert signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler)
        assert out.getvalue().count("Seed title") == (1 if run == 0 else 0)
    store = Store(load_config(path).storage.url)
    records = await delivery_records(store, Destination("console", "stdout"))
    store.close()
    # one delivery, completed: nothing half-recorded
    assert [record.status for record in records] == [DeliveryStatus.SENT]


def _signal_after(task, done: asyncio.Event, out: io.StringIO):  # noqa: ANN001, ANN202
    """Wraps a task to set `done` once it finished (a delivery: once it printed a post)."""

    async def wrapped(flow, **ids) -> None:  # noqa: ANN001, ANN003
        await task(flow, **ids)
        if task.__name__ == "fetch" or "Seed title" in out.getvalue():
            done.set()

    wrapped.__name__ = task.__name__
    return wrapped


def test_run_without_a_token_is_one_line_before_anything_opens(tmp_path, monkeypatch, capsys):
    path = write_config(tmp_path / "k.yaml", tmp_path, [])
    path.write_text(path.read_text("utf-8") + "discord:\n  enabled: true\n", "utf-8")
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    assert main(["run", "--config", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "khulasa: error: discord.enabled needs a token: set the environment variable "
        "DISCORD_BOT_TOKEN"
    ]
    assert not (tmp_path / "data").exists()  # no database was created or migrated


async def test_a_disabled_source_is_reported_to_the_adapters_admins(tmp_path, feeds):
    url = feeds.serve("/down", statuses=[500])
    path = write_config(tmp_path / "k.yaml", tmp_path, [{"name": "flaky", "url": url}])
    config = load_config(path).model_copy(
        update={"fetch": FetchConfig(retries=0, disable_after_failures=1)}
    )
    async with open_services(config) as services:
        app = Application(services, path)
        told: list[str] = []

        async def notify_admins(text: str) -> None:
            told.append(text)

        app.adapters[0].sender.notify_admins = notify_admins
        await services.pipeline.fetch_source_logged(config.sources[0])
    assert told == ["توقف جلب المصدر flaky بعد إخفاقات متكررة: HTTP 500 from 127.0.0.1"]
