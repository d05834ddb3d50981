"""`khulasa digest`: text and JSON output, only new items on a second run, --all and --limit."""

from __future__ import annotations

import json
import logging

import pytest
import yaml

from bot.cli import main
from tests.helpers.postgres import requested_database_url
from tests.helpers.wire import DESK_STORY, DETAILS


@pytest.fixture
def config_file(request, tmp_path):
    """Two local articles and an unreachable feed; SQLite, or `database_url` when requested."""
    url = requested_database_url(request) or f"sqlite:///{tmp_path / 'data' / 'k.db'}"
    folder = tmp_path / "seeds"
    folder.mkdir()
    texts = (  # two events: near-identical texts would be one story, printed once
        ("1.txt", "First story\nThe body of the 1.txt article has sentences. A bakery won."),
        ("2.md", "# Second story\nHeavy rain delayed a rocket launch. Engineers try Friday."),
    )
    for name, text in texts:
        (folder / name).write_text(text, "utf-8")
    data = {
        "storage": {"url": url},
        "summarizer": {"backend": "extractive"},
        "fetch": {"retries": 0},
        "sources": [
            {"name": "seeds", "path": str(folder)},
            {"name": "offline", "url": "http://127.0.0.1:9/feed.xml"},
        ],
    }
    path = tmp_path / "k.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


def test_text_digest_and_one_warning_line_per_unreachable_source(config_file, capsys, caplog):
    with caplog.at_level(logging.WARNING):
        assert main(["digest", "--config", str(config_file)]) == 0
    out, err = capsys.readouterr()
    assert out.index("First story") < out.index("Second story")
    assert "— seeds" in out and "The body of the 1.txt article has sentences." in out
    warnings = [r.getMessage() for r in caplog.records if "offline" in r.getMessage()]
    assert len(warnings) == 1 and "cannot connect" in warnings[0] and "\n" not in warnings[0]
    assert "Traceback" not in err


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
def test_json_lines_then_only_new_items_then_all_and_limit(config_file, tmp_path, capsys):
    assert main(["digest", "--config", str(config_file), "--format", "json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["title"] for line in lines] == ["First story", "Second story"]
    assert set(lines[0]) == {"id", "source", "title", "url", "language", "published", "summary"}
    assert (lines[0]["source"], lines[0]["url"], lines[0]["published"]) == ("seeds", None, None)

    assert main(["digest", "--config", str(config_file)]) == 0
    assert capsys.readouterr().out == ""

    (tmp_path / "seeds" / "3.txt").write_text(
        "Third story\nA museum opened a wing of old clocks. Visitors queued.", "utf-8"
    )
    assert main(["digest", "--config", str(config_file), "--format", "json"]) == 0
    assert [json.loads(x)["title"] for x in capsys.readouterr().out.splitlines()] == ["Third story"]

    assert main(["digest", "--config", str(config_file), "--all", "--format", "json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["digest", "--config", str(config_file), "--all", "--limit", "1"]) == 0
    assert capsys.readouterr().out.count("— seeds") == 1


@pytest.mark.usefixtures("database_url")  # on SQLite and on PostgreSQL
def test_limit_leaves_the_rest_for_the_next_run(config_file, capsys):
    assert main(["digest", "--config", str(config_file), "--limit", "1", "--format", "json"]) == 0
    assert [json.loads(x)["title"] for x in capsys.readouterr().out.splitlines()] == ["First story"]
    assert main(["digest", "--config", str(config_file), "--format", "json"]) == 0
    assert [json.loads(x)["title"] for x in capsys.readouterr().out.splitlines()] == [
        "Second story"
    ]


def test_bad_limit_is_a_usage_error(config_file, capsys):
    assert main(["digest", "--config", str(config_file), "--limit", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_story_two_sources_report_prints_once(tmp_path, capsys):
    for source, text in (
        ("wire", "Solar chip factory opens\nSolar chip factory opens. " + DETAILS["first"]),
        ("desk", f"{DESK_STORY['title']}\n{DESK_STORY['body']}"),
    ):
        (tmp_path / source).mkdir()
        (tmp_path / source / "a.txt").write_text(text, "utf-8")
    data = {
        "storage": {"url": f"sqlite:///{tmp_path / 'k.db'}"},
        "summarizer": {"backend": "extractive"},
        "sources": [{"name": name, "path": str(tmp_path / name)} for name in ("wire", "desk")],
        "delivery": {"language": "en"},
    }
    path = tmp_path / "k.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    assert main(["digest", "--config", str(path), "--format", "json"]) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]  # one story
    assert line["source"] in ("wire", "desk")
    assert main(["digest", "--config", str(path), "--all", "--format", "json"]) == 0
    assert [json.loads(x) for x in capsys.readouterr().out.splitlines()] == [line]
    assert main(["digest", "--config", str(path), "--all"]) == 0
    other = "desk" if line["source"] == "wire" else "wire"
    assert f"Also: {other}" in capsys.readouterr().out  # the text lists the other source
