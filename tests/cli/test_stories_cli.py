"""`khulasa stories` and `khulasa eval-stories`: JSON lines in, groups or scores out."""

from __future__ import annotations

import json

import pytest

from bot.cli import main

ITEMS = [
    {
        "id": "en-1",
        "title": "EU fines Apple €1.8bn over music streaming",
        "text": "The European Commission fined Apple €1.8 billion for blocking cheaper music offers.",
        "language": "en",
        "published": "2024-03-04T10:00:00Z",
        "event": "apple-fine",
    },
    {
        "id": "ar-1",
        "title": "الاتحاد الأوروبي يغرم أبل 1.8 مليار يورو",
        "text": "فرضت المفوضية الأوروبية غرامة قدرها 1.8 مليار يورو على أبل بسبب بث الموسيقى.",
        "language": "ar",
        "published": "2024-03-04T12:00:00Z",
        "event": "apple-fine",
    },
    {
        "id": "en-2",
        "title": "Apple hit with €1.8 billion EU antitrust fine",
        "text": "Brussels fined Apple €1.8 billion over rules that blocked cheaper music streaming.",
        "language": "en",
        "published": "2024-03-04T11:00:00Z",
        "event": "apple-fine",
    },
    {
        "id": "en-3",
        "title": "Heavy rain floods roads in the north",
        "text": "Storms closed several roads and schools across the northern region on Monday.",
        "language": "en",
        "published": "2024-03-04T13:00:00Z",
        "event": "rain",
    },
]


def write_lines(path, rows):
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    return path


def test_stories_writes_one_group_per_input_in_input_order(tmp_path):
    items = write_lines(tmp_path / "items.jsonl", ITEMS)
    out = tmp_path / "groups.jsonl"
    assert (
        main(["stories", "--input", str(items), "--output", str(out), "--embeddings", "none"]) == 0
    )
    groups = [json.loads(line) for line in out.read_text().splitlines()]
    assert [group["id"] for group in groups] == ["en-1", "ar-1", "en-2", "en-3"]
    story = {group["id"]: group["story"] for group in groups}
    assert story["en-2"] == story["en-1"] == "en-1"  # same language, same event
    assert story["ar-1"] == "ar-1" and story["en-3"] == "en-3"  # none: no cross-language


def test_eval_stories_with_the_bundled_model_groups_across_languages(tmp_path, capsys):
    data = write_lines(tmp_path / "labelled.jsonl", ITEMS)
    assert main(["eval-stories", "--data", str(data), "--embeddings", "bundled"]) == 0
    printed = capsys.readouterr().out
    assert "pairwise precision: 1.000" in printed
    assert "cross-language recall: 1.000  (2 of 2 pairs)" in printed
    assert "pairs merged across different events: 0" in printed


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 1: not JSON"),
        ('{"id": "a"}', "line 1: 'text' must be a string"),
        ('{"id": "a", "text": "x", "published": "yesterday"}', "not an ISO 8601 time"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, line, message):
    items = tmp_path / "items.jsonl"
    items.write_text(line + "\n")
    code = main(["stories", "--input", str(items), "--output", str(tmp_path / "o.jsonl")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1


def test_eval_stories_needs_an_event_per_line(tmp_path, capsys):
    data = write_lines(tmp_path / "labelled.jsonl", [{"id": "a", "text": "x"}])
    assert main(["eval-stories", "--data", str(data), "--embeddings", "none"]) == 2
    assert "'event' must be a non-empty string" in capsys.readouterr().err


def test_bad_window_is_a_usage_error(tmp_path, capsys):
    items = write_lines(tmp_path / "items.jsonl", ITEMS[:1])
    code = main(
        ["stories", "--input", str(items), "--output", str(tmp_path / "o"), "--window", "3w"]
    )
    assert code == 2 and "--window" in capsys.readouterr().err
