"""`khulasa summarize` and `khulasa eval` through bot.cli.main, plus one run of the entry point."""

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli import summarize as summarize_cli
from summarizer.extractive import ExtractiveSummarizer
from summarizer.text import parse_article_file
from summarizer.types import Article, SummarizerOptions

ROOT = Path(__file__).resolve().parents[2]
AR_PHONE = ROOT / "tests" / "fixtures" / "texts" / "ar_phone.txt"
EXTRACTIVE = ["summarize", "--backend", "extractive"]


def expected_summary(raw: str) -> str:
    title, body = parse_article_file(raw)
    [summary] = ExtractiveSummarizer().summarize([Article(text=body, title=title)])
    return summary.text


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def printed(out: str) -> str:
    """The summary a reader sees, its lines joined back into one text."""
    return " ".join(out.splitlines())


def test_summarize_file_prints_one_sentence_per_line(capsys):
    assert main([*EXTRACTIVE, str(AR_PHONE)]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n") and not out.endswith("\n\n")  # never glued to what follows
    assert len(out.splitlines()) == 3
    assert printed(out) == expected_summary(AR_PHONE.read_text(encoding="utf-8"))


def test_sentences_option_limits_the_summary(capsys):
    assert main([*EXTRACTIVE, "--sentences", "1", str(AR_PHONE)]) == 0
    assert capsys.readouterr().out.strip().startswith("أطلقت شركة ناشئة أردنية")


def test_summarize_reads_stdin(capsys, monkeypatch):
    feed_stdin(monkeypatch, AR_PHONE.read_bytes())
    assert main([*EXTRACTIVE, "-"]) == 0
    assert printed(capsys.readouterr().out) == expected_summary(AR_PHONE.read_text("utf-8"))


def test_windows_1256_file_is_decoded(capsys, tmp_path):
    raw = AR_PHONE.read_text(encoding="utf-8").replace("ً", "").replace("ّ", "").replace("ُ", "")
    path = tmp_path / "legacy.txt"
    path.write_bytes(raw.encode("windows-1256"))
    assert main([*EXTRACTIVE, str(path)]) == 0
    assert printed(capsys.readouterr().out) == expected_summary(raw)


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


HEAVY = ("torch", "transformers", "ctranslate2", "tokenizers", "sentencepiece", "huggingface_hub")


def run_core_only(*argv: str) -> subprocess.CompletedProcess[str]:
    """`khulasa` in a fresh interpreter where the [hf] and [fast] extras cannot be imported."""
    script = (
        "import sys\n"
        f"for name in {HEAVY!r}: sys.modules[name] = None  # as on a core-only install\n"
        "from bot.cli import main\n"
        f"code = main({list(argv)!r})\n"
        "print('loaded:', [name for name, module in sys.modules.items() if module and name.split('.')[0] in "
        f"{HEAVY!r}], file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_import_summarizer_loads_no_model_library():
    script = f"import sys, summarizer; print(sorted(set({HEAVY!r}) & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_extractive_runs_on_a_core_only_install():
    done = run_core_only(*EXTRACTIVE, str(AR_PHONE))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
    assert done.stderr.strip() == "loaded: []"


def test_auto_on_a_core_only_install_falls_back_with_one_notice():
    done = run_core_only("summarize", str(AR_PHONE))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
    notice, loaded = done.stderr.strip().splitlines()
    assert "no summarization model available (" in notice
    assert "pip install 'khulasa[hf,fast]'" in notice
    assert loaded == "loaded: []"


def test_a_model_directory_that_does_not_exist_is_exit_2(capsys, tmp_path):
    missing = tmp_path / "no-model"
    for backend in ("transformers", "ct2"):
        assert (
            main(["summarize", "--backend", backend, "--model", str(missing), str(AR_PHONE)]) == 2
        )
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == f"khulasa: error: model directory {missing} does not exist\n"


def test_auto_with_a_missing_model_directory_still_summarizes(capsys, tmp_path):
    assert main(["summarize", "--model", str(tmp_path / "no-model"), str(AR_PHONE)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_binary_input_is_one_line_and_exit_2(capsys, tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main([*EXTRACTIVE, str(path)]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == ""
        and captured.err == "khulasa: error: the input is binary data, not text\n"
    )


def test_single_sentence_and_other_scripts_are_summarized(capsys, tmp_path):
    texts = {
        "one.txt": "أعلنت الشركة اليوم عن هاتف جديد بسعر منخفض.",
        "zh.txt": "苹果公司今天发布了新款手机。新手机配备了更快的处理器。销售将于下月开始。",
        "ru.txt": "Компания представила новый телефон. Он работает быстрее. Продажи начнутся в мае.",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert main([*EXTRACTIVE, str(tmp_path / name)]) == 0
        out = capsys.readouterr().out
        assert out.strip() and all(line in text for line in out.splitlines())


def test_a_2_mb_article_is_summarized(capsys, tmp_path):
    path = tmp_path / "huge.txt"
    body = AR_PHONE.read_text("utf-8")
    path.write_text(body * (2_000_000 // len(body.encode()) + 1), encoding="utf-8")
    assert path.stat().st_size > 2_000_000
    assert main([*EXTRACTIVE, str(path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random mT5 with a tokenizer trained on the fixture article, in a local directory."""
    from benchmarks.random_model import mt5_config, piece_count, save_random_mt5, train_spiece

    spiece = train_spiece(AR_PHONE.read_text("utf-8").splitlines(), 300)
    shape = {
        "d_model": 16,
        "d_kv": 4,
        "d_ff": 32,
        "num_layers": 1,
        "num_decoder_layers": 1,
        "num_heads": 2,
    }
    config = mt5_config(piece_count(spiece), **shape)
    return save_random_mt5(tmp_path_factory.mktemp("cli-model"), spiece, config, "modern")


@pytest.mark.parametrize("backend", ["transformers", "ct2"])
def test_a_local_model_directory_with_generation_flags(
    backend, tiny_model_dir, capsys, monkeypatch, tmp_path
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # where ct2 keeps its conversion
    built: list[SummarizerOptions] = []
    real_build = summarize_cli.build_summarizer
    monkeypatch.setattr(
        summarize_cli,
        "build_summarizer",
        lambda options: built.append(options) or real_build(options),
    )
    flags = ["--num-beams", "2", "--min-new-tokens", "3", "--max-new-tokens", "5"]
    argv = ["summarize", "--backend", backend, "--model", str(tiny_model_dir), *flags]
    assert main([*argv, str(AR_PHONE)]) == 0
    assert capsys.readouterr().out.strip()  # gibberish from a random model, but printed
    (options,) = built
    assert (options.backend, options.model) == (backend, str(tiny_model_dir))
    generation = options.generation
    assert (generation.num_beams, generation.min_new_tokens, generation.max_new_tokens) == (2, 3, 5)
    if backend == "ct2":
        assert list((tmp_path / "khulasa" / "ct2").iterdir())  # converted into the cache


class _Terminal(io.StringIO):
    """stderr as an interactive terminal, where tqdm draws its bar."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("articles", "bar"), [(25, True), (5, False)])
def test_long_batches_show_a_progress_bar_on_stderr(articles, bar, tmp_path, monkeypatch):
    source = tmp_path / "in.jsonl"
    row = {"text": "The startup raised money. It builds batteries in Berlin."}
    source.write_text("\n".join(json.dumps(row) for _ in range(articles)) + "\n", "utf-8")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    target = tmp_path / "out.jsonl"
    assert main([*EXTRACTIVE, "--input", str(source), "--output", str(target)]) == 0
    assert len(target.read_text("utf-8").splitlines()) == articles
    assert (f"{articles}/{articles}" in terminal.getvalue()) is bar
