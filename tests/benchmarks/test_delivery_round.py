"""The whole-round benchmark delivers one article to every chat once, paced by the limiter."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.delivery_round import FIRST_CHAT, TOKEN, one_round
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.postgres import ExternalPostgres, PostgresServer

ROOT = Path(__file__).resolve().parents[2]


async def round_on_fake(database_url: str, chats: int, paid: bool) -> tuple[float, FakeTelegram]:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    try:
        rate = await one_round(fake.base_url, database_url, chats, paid)
    finally:
        await fake.close()
    return rate, fake


async def test_every_chat_gets_the_article_once_on_either_store(database_url: str) -> None:
    rate, fake = await round_on_fake(database_url, 40, paid=True)
    sends = fake.calls_of("sendMessage")
    assert rate > 0
    assert Counter(call.params["chat_id"] for call in sends) == {
        str(FIRST_CHAT + i): 1 for i in range(40)
    }
    assert all(call.params["allow_paid_broadcast"] is True for call in sends)


async def test_without_paid_broadcast_the_round_keeps_to_the_free_limit(tmp_path: Path) -> None:
    rate, fake = await round_on_fake(f"sqlite:///{tmp_path / 'round.db'}", 90, paid=False)
    # A burst of 30, then 60 more at 30/s: at least 2 s for 90 posts however fast the machine.
    assert 0 < rate < 46
    assert len(fake.calls_of("sendMessage")) == 90
    assert all("allow_paid_broadcast" not in call.params for call in fake.calls_of("sendMessage"))


@pytest.mark.timeout(120)
def test_tiny_run_reports_each_store_paid_and_not_beside_the_sender_alone(
    tmp_path: Path, postgres_server: PostgresServer | ExternalPostgres
) -> None:
    output = tmp_path / "round.jsonl"
    command = [sys.executable, "-m", "benchmarks.delivery_round", "--tiny", "--json", str(output)]
    command += ["--database-url", postgres_server.admin_url]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=110, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [figures] = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert figures["posts"] == 40
    for label in ("free", "paid"):
        assert figures[f"sender_alone_{label}_posts_per_s"] > 0
        for store in ("sqlite", "postgresql"):
            assert figures[f"{store}_{label}_posts_per_s"] > 0
    assert done.stdout.count("posts/s") == 6
