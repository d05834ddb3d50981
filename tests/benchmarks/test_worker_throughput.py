"""The worker benchmark runs end to end on a tiny model, real workers and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.postgres import ExternalPostgres, PostgresServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(100)
def test_tiny_run_times_one_and_two_workers_and_the_overhead(
    tmp_path: Path, postgres_server: PostgresServer | ExternalPostgres
) -> None:
    output = tmp_path / "workers.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "worker_throughput.py"), "--tiny"]
    command += ["--articles", "4", "--batch-size", "2", "--new-tokens", "4", "--beams", "1"]
    command += ["--overhead-articles", "3", "--database-url", postgres_server.admin_url]
    command += ["--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    runs = report["throughput"]
    assert set(runs) == {"1", "2"}
    for count, run in runs.items():
        assert run["workers"] == int(count) and run["articles_per_s"] > 0
        assert run["articles_per_s"] == pytest.approx(4 / run["seconds"], rel=0.05)  # rounding
        assert sum(run["jobs_per_worker"]) == 4  # every job ran once, on one worker or the other
        assert len(run["jobs_per_worker"]) == int(count)
        assert len(run["cpu_share_per_worker"]) == int(count) and run["cpu_s_per_article"] > 0
    assert report["ratio"] == pytest.approx(
        runs["2"]["articles_per_s"] / runs["1"]["articles_per_s"], rel=0.01
    )
    overhead = report["overhead"]
    assert overhead["articles"] == 3
    assert 0 < overhead["median_ms"] <= overhead["p90_ms"] < 60_000
    assert report["settings"] == {
        "device": "cpu",
        "threads": 1,
        "batch_size": 2,
        "concurrency": 2,
        "batch_wait": 0.2,
        "num_beams": 1,
        "new_tokens": 4,
        "articles": 4,
    }
    assert "| 2 workers ÷ 1 worker |" in done.stdout
