"""A database that goes away: commands say so, delivery waits, nothing is sent twice or lost."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import OperationalError

from bot.errors import DatabaseUnavailable, UserError
from bot.store import DeliveryStatus, Destination, Store
from tests.core.conftest import add_article, private
from tests.helpers.tables import delivery_records


class Outage:
    """Makes every new transaction of a store fail as a dropped connection would, until ended."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.down = False
        real = store.db.session

        @contextmanager
        def session():  # noqa: ANN202
            if self.down:
                raise OperationalError(
                    "SELECT 1", {}, ConnectionError("server closed the connection")
                )
            with real() as opened:
                yield opened

        monkeypatch.setattr(store.db, "session", session)
        monkeypatch.setattr("bot.store.db.RETRY_DELAYS", (0.0,))


@pytest.fixture
def outage(store: Store, monkeypatch: pytest.MonkeyPatch) -> Outage:
    return Outage(store, monkeypatch)


async def test_an_outage_is_logged_once_at_its_start_and_once_at_its_end(store, outage, caplog):
    recovered: list[bool] = []
    store.on_recovered(lambda: recovered.append(True))
    outage.down = True
    with caplog.at_level(logging.WARNING, logger="bot.store.db"):
        for _ in range(3):
            with pytest.raises(DatabaseUnavailable):
                await store.settings.is_paused("telegram")
        assert not store.available
        outage.down = False
        assert await store.settings.is_paused("telegram") is False
        assert await store.settings.is_paused("telegram") is False
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert "unavailable (server closed the connection)" in lines[0]
    assert "available again after" in lines[1]
    assert store.available and await store.ping()


async def test_a_command_during_an_outage_gets_try_again_not_a_crash(core, outage):
    outage.down = True
    with pytest.raises(UserError) as raised:
        await core.handle("subscribe", private("7"), "")
    assert raised.value.key == "error.store_unavailable"


async def test_a_post_sent_while_its_record_failed_is_recorded_later_and_never_resent(
    core, store, sender, monkeypatch
):
    await core.handle("subscribe", private("7"), "")
    add_article(store, "alpha", "a1")
    real_record = store.deliveries.record_sent_many
    failures = [DatabaseUnavailable("the database is unavailable: gone")]

    async def flaky_record(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if failures:
            raise failures.pop()
        return await real_record(*args, **kwargs)

    monkeypatch.setattr(store.deliveries, "record_sent_many", flaky_record)
    with pytest.raises(DatabaseUnavailable):
        await core.deliver_new(sender)
    assert sender.titles() == ["a1"]  # the platform got it; the database did not hear of it
    assert await core.deliver_new(sender) == 0  # database back: recorded, not sent again
    assert sender.titles() == ["a1"]
    [record] = await delivery_records(store, Destination("telegram", "7"))
    assert (record.status, record.message_id) == (DeliveryStatus.SENT, "1")
