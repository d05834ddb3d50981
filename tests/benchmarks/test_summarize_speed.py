"""The speed benchmark runs end to end on a tiny model and writes its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import transformers.pipelines

from benchmarks.baseline import has_summarization_pipeline

ROOT = Path(__file__).resolve().parents[2]


def test_tiny_run_writes_the_chosen_paths_with_ratios(tmp_path: Path) -> None:
    output = tmp_path / "speed.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "summarize_speed.py"), "--tiny"]
    command += ["--articles", "2", "--new-tokens", "8", "--threads", "1"]
    command += ["--paths", "extractive,ct2_int8", "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=100, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    results = report["results"]
    assert set(results) == {"pipeline", "ct2_int8", "extractive"}
    assert results["pipeline"]["speedup"] == 1.0
    for row in results.values():
        assert row["articles_per_s"] > 0 and row["peak_rss_mb"] > 0
    assert results["extractive"]["torch_loaded"] is False
    assert results["ct2_int8"]["torch_loaded"] is False  # converted once, then no torch
    assert results["ct2_int8"]["speedup"] == pytest.approx(
        results["ct2_int8"]["articles_per_s"] / results["pipeline"]["articles_per_s"]
    )
    assert results["extractive"]["peak_rss_mb"] < results["pipeline"]["peak_rss_mb"]
    assert "| khulasa extractive backend, 1 core |" in done.stdout
    assert "| (c) khulasa ct2 backend, int8 |" in done.stdout


def test_the_baseline_stands_in_for_pipeline_summarization_only_where_it_was_removed() -> None:
    removed = getattr(transformers.pipelines, "REMOVED_TASKS", {})
    assert has_summarization_pipeline() is ("summarization" not in removed)
