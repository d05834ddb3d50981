"""The story cost benchmark runs end to end in its smoke mode and writes its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(200)
def test_tiny_run_reports_embedding_and_matching_costs(tmp_path: Path) -> None:
    output = tmp_path / "cost.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "stories_cost.py"), "--tiny"]
    done = subprocess.run(
        [*command, "--output", str(output)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    embedding = report["embedding_bundled"]
    assert embedding["articles"] == 8 and embedding["ms_per_article_batched"] > 0
    for key in ("matching_with_vectors", "matching_without_vectors"):
        assert report[key]["stories_in_window"] == 500
        assert 0 < report[key]["ms_median"] <= report[key]["ms_p95"]
