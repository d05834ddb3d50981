"""`khulasa summarize` and `khulasa eval` through bot.cli.main, plus one run of the entry point."""

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from bot.cli import main
from summarizer.extractive import ExtractiveSummarizer
from summarizer.text import parse_article_file
from summarizer.types import Article

ROOT = Path(__file__).resolve().parents[2]
AR_PHONE = ROOT / "tests" / "fixtures" / "texts" / "ar_phone.txt"
EXTRACTIVE = ["summarize", "--backend", "extractive"]


def expected_summary(raw: str) -> str:
    title, body = parse_article_file(raw)
    [summary] = ExtractiveSummarizer().summarize([Article(text=body, title=title)])
    return summary.text


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_summarize_file_prints_the_summary(capsys):
    assert main([*EXTRACTIVE, str(AR_PHONE)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == expected_summary(AR_PHONE.read_text(encoding="utf-8"))


def test_sentences_option_limits_the_summary(capsys):
    assert main([*EXTRACTIVE, "--sentences", "1", str(AR_PHONE)]) == 0
    assert capsys.readouterr().out.strip().startswith("أطلقت شركة ناشئة أردنية")


def test_summarize_reads_stdin(capsys, monkeypatch):
    feed_stdin(monkeypatch, AR_PHONE.read_bytes())
    assert main([*EXTRACTIVE, "-"]) == 0
    assert capsys.readouterr().out.strip() == expected_summary(AR_PHONE.read_text("utf-8"))


def test_windows_1256_file_is_decoded(capsys, tmp_path):
    raw = AR_PHONE.read_text(encoding="utf-8").replace("ً", "").replace("ّ", "").replace("ُ", "")
    path = tmp_path / "legacy.txt"
    path.write_bytes(raw.encode("windows-1256"))
    assert main([*EXTRACTIVE, str(path)]) == 0
    assert capsys.readouterr().out.strip() == expected_summary(raw)


def test_html_input_is_stripped(capsys, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><h1>هاتف جديد رخيص</h1><p>أطلقت الشركة هاتفًا ذكيًا جديدًا بسعر منخفض.</p>"
        "<p>ويأتي الهاتف ببطارية كبيرة تدوم يومين.</p></body></html>",
        encoding="utf-8",
    )
    assert main([*EXTRACTIVE, str(path)]) == 0
    out = capsys.readouterr().out
    assert "<" not in out and "أطلقت الشركة هاتفًا" in out


def test_empty_input_is_one_line_and_exit_2(capsys, monkeypatch):
    feed_stdin(monkeypatch, b"  \n\n ")
    assert main(EXTRACTIVE) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "empty" in captured.err
    assert "Traceback" not in captured.err


def test_missing_file_is_exit_2(capsys):
    assert main([*EXTRACTIVE, "/nonexistent/article.txt"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_batch_writes_one_line_per_good_input_and_reports_bad_lines(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    rows = [
        json.dumps({"id": "ok", "text": AR_PHONE.read_text("utf-8"), "title": "هاتف"}),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "blank", "text": "   "}),
        json.dumps({"text": "The startup raised money. It builds batteries in Berlin."}),
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert main([*EXTRACTIVE, "--input", str(source), "--output", str(target)]) == 1
    lines = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["ok", "5"]
    assert set(lines[0]) == {"id", "summary", "backend", "model"}
    assert lines[0]["backend"] == "extractive" and "أطلقت" in lines[0]["summary"]
    err = capsys.readouterr().err
    assert all(f"line {n}" in err for n in (2, 3, 4)) and "line 1 " not in err
    assert "أطلقت" in target.read_text("utf-8")  # ensure_ascii=False


def test_batch_without_failures_exits_0(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 1, "text": "One sentence here."}) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert main([*EXTRACTIVE, "--input", str(source), "--output", str(target)]) == 0
    assert json.loads(target.read_text("utf-8"))["summary"] == "One sentence here."


def test_eval_prints_backend_and_lead_scores(capsys, tmp_path):
    data = tmp_path / "pairs.jsonl"
    text = AR_PHONE.read_text("utf-8")
    data.write_text(
        json.dumps({"text": text, "summaries": [text[:300], text[100:400]]}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert main(["eval", "--backend", "extractive", "--sentences", "2", "--data", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ROUGE F1 x100 on 1 articles"
    names = [line.rsplit(maxsplit=3)[0] for line in lines[2:]]
    assert names == ["extractive", "lead-2", "extractive (stemmed)", "lead-2 (stemmed)"]
    for line in lines[2:]:
        values = [float(value) for value in line.split()[-3:]]
        assert all(0 <= value <= 100 for value in values)
        assert all(len(value.split(".")[1]) == 1 for value in line.split()[-3:])


def test_installed_entry_point_runs(tmp_path):
    khulasa = shutil.which("khulasa", path=str(Path(sys.executable).parent))
    assert khulasa, "the khulasa console script is not installed next to this interpreter"
    result = subprocess.run(
        [khulasa, *EXTRACTIVE, "--sentences", "1", "-"],
        input="جملة أولى مهمة عن الهاتف الجديد.\n".encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "جملة أولى مهمة عن الهاتف الجديد."
