"""`--log-format json`: one JSON object per log line, with the traceback when there is one."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import yaml

from bot.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[1]


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot.pipeline", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_record_becomes_one_json_line_with_time_level_logger_and_message() -> None:
    line = JsonFormatter().format(record("source %s: %d new articles", "أخبار", 3))
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "bot.pipeline"
    assert entry["message"] == "source أخبار: 3 new articles"
    assert "أخبار" in line  # Arabic stays readable, not \\u-escaped
    assert entry["time"].endswith("Z") and entry["time"][10] == "T"


def test_an_exception_travels_as_exc_info() -> None:
    try:
        raise ValueError("bad feed\nsecond line")
    except ValueError:
        line = JsonFormatter().format(record("fetch failed", exc_info=sys.exc_info()))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "fetch failed"
    assert entry["exc_info"].startswith("Traceback (most recent call last):")
    assert entry["exc_info"].endswith("ValueError: bad feed\nsecond line")


def test_the_cli_option_makes_every_log_line_json(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "1.txt").write_text("A story\nIts body has a sentence. And another one.", "utf-8")
    config = tmp_path / "k.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "storage": {"url": f"sqlite:///{tmp_path / 'k.db'}"},
                "summarizer": {"backend": "extractive"},
                "fetch": {"retries": 0},
                "sources": [
                    {"name": "seeds", "path": str(folder)},
                    {"name": "offline", "url": "http://127.0.0.1:9/feed.xml"},
                ],
            }
        ),
        "utf-8",
    )
    command = [sys.executable, "-m", "bot.cli", "--log-format", "json", "-v", "digest"]
    result = subprocess.run(
        [*command, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert entries, "no log lines"
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    warnings = [e for e in entries if e["level"] == "WARNING" and "offline" in e["message"]]
    assert len(warnings) == 1
    assert "A story" in result.stdout  # the digest itself is still plain text on stdout
