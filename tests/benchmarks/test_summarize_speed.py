"""The speed benchmark runs end to end on a tiny model and writes its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import transformers.pipelines

from benchmarks.baseline import has_summarization_pipeline
from benchmarks.summarize_speed import cli_command, make_articles
from benchmarks.tokenizer import MT5_VOCAB, corpus_lines, realistic_spiece

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(400)  # a model, a conversion and three processes on a shared CPU
def test_tiny_run_writes_the_chosen_paths_with_ratios(tmp_path: Path) -> None:
    output = tmp_path / "speed.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "summarize_speed.py"), "--tiny"]
    command += ["--articles", "2", "--new-tokens", "8", "--threads", "1", "--lengths", "whole"]
    command += ["--paths", "extractive,ct2_cli", "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=380, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    results = report["results"]["whole"]
    assert set(results) == {"pipeline", "ct2_cli", "extractive"}
    assert results["pipeline"]["speedup"] == 1.0
    for row in results.values():
        assert row["articles"] == 2 and row["articles_per_s"] > 0 and row["peak_rss_mb"] > 0
    assert results["extractive"]["torch_loaded"] is False
    # the project's path is timed as a whole process: start, load and summarizing
    assert results["ct2_cli"]["articles_per_s"] == pytest.approx(2 / results["ct2_cli"]["wall_s"])
    assert results["ct2_cli"]["speedup"] == pytest.approx(
        results["ct2_cli"]["articles_per_s"] / results["pipeline"]["articles_per_s"]
    )
    assert report["trimmed_vocabulary"]["kept"] < report["inputs"]["vocab"]
    assert "| whole seed articles | khulasa summarize --backend ct2" in done.stdout


def test_the_project_is_timed_through_its_command_line(tmp_path: Path) -> None:
    args = type("Args", (), {"workdir": str(tmp_path), "new_tokens": 64})()
    command = cli_command(args, tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    assert command[-8:] == [
        "--min-new-tokens",
        "64",
        "--max-new-tokens",
        "64",
        "--input",
        str(tmp_path / "in.jsonl"),
        "--output",
        str(tmp_path / "out.jsonl"),
    ]
    assert command[1:5] == ["summarize", "--backend", "ct2", "--model"]


def test_the_realistic_tokenizer_is_mt5_sized_and_trained_on_shipped_text() -> None:
    import sentencepiece

    lines = corpus_lines(ROOT)
    assert any("DeepSeek" in line for line in lines)  # the seed article
    assert not any(str(ROOT.parent / "shared") in line for line in lines)
    tokenizer = sentencepiece.SentencePieceProcessor(model_proto=realistic_spiece(ROOT, 4_000))
    assert tokenizer.get_piece_size() == 4_000 < MT5_VOCAB
    seed = (ROOT / "seeds" / "000_9ae386f161d82b4b.txt").read_text(encoding="utf-8")
    assert 3.2 < len(seed) / len(tokenizer.encode(seed)) < 4.2  # mT5-like on Arabic news


def test_whole_articles_keep_every_sentence_and_short_ones_fit_their_target() -> None:
    text = "First sentence of the article here. " * 3 + "A different closing sentence here."
    whole = make_articles(text, 2, None, lambda t: len(t.split()))
    short = make_articles(text, 2, 12, lambda t: len(t.split()))
    assert all(len(a.split()) == len(text.split()) for a in whole) and whole[0] != whole[1]
    assert all(len(a.split()) <= 12 for a in short)


def test_the_baseline_stands_in_for_pipeline_summarization_only_where_it_was_removed() -> None:
    removed = getattr(transformers.pipelines, "REMOVED_TASKS", {})
    assert has_summarization_pipeline() is ("summarization" not in removed)
