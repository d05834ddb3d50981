"""The command-burst benchmark runs end to end: a real `khulasa run`, the fake Bot API, both stores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.postgres import ExternalPostgres, PostgresServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(150)
def test_tiny_burst_is_answered_and_reported_on_both_stores(
    tmp_path: Path, postgres_server: PostgresServer | ExternalPostgres
) -> None:
    output = tmp_path / "burst.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "command_burst.py"), "--tiny"]
    command += ["--database-url", postgres_server.admin_url, "--json", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=140, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    (runs,) = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    assert [run["store"] for run in runs] == ["sqlite", "postgres"]
    for run in runs:
        assert run["commands"] == 40 and run["answered"] == 40, run
        assert 0 < run["all_answered_s"] < 60
        assert run["api_calls"] >= 40  # one reply per chat, at least
        assert run["retried_calls"] == 0 and run["pool_timeout_lines"] == 0, run
        assert run["cpu_s"] > 0 and len(run["load_average"]) == 3
        assert 0 < run["sigterm_exit_s"] < 60 and run["exit_code"] == 0, run
    assert done.stdout.count("40/40 answered") == 2
