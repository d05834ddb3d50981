"""`khulasa ask`: text and JSON output, every article source, fallbacks, and bad input exit codes."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from bot.news.types import ArticleData
from bot.store import Store
from summarizer.errors import ModelUnavailableError
from summarizer.qa import span_reader
from tests.helpers.fake_openai import FakeOpenAI, completion_of, unused_base_url

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_9ae386f161d82b4b.txt"
EN_CHIP = ROOT / "tests" / "fixtures" / "qa" / "en_chip.txt"
CORES_SENTENCE = "The company said the processor packs 24 cores and runs at up to 4.2 GHz."
PAGE = """<!doctype html><html><head><title>Nimbus Labs unveils Aster-9</title></head><body>
<nav><a href="/">Home</a> <a href="/tech">Tech</a></nav>
<article><h1>Nimbus Labs unveils the Aster-9 chip</h1>
<p>Nimbus Labs, a chip designer based in Lyon, unveiled its Aster-9 processor on Tuesday.</p>
<p>The company said the processor packs 24 cores and runs at up to 4.2 GHz.</p>
<p>The first laptops with the Aster-9 will ship in March 2026, the company said.</p>
<p>Analysts expect strong demand because the chip uses far less power than its rivals.</p>
</article><footer>All rights reserved.</footer></body></html>"""


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["ask", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A config of our own: a database in tmp, one fetch try, pages on 127.0.0.1 allowed."""
    path = tmp_path / "khulasa.yaml"
    path.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'khulasa.db'}\n"
        "fetch:\n  retries: 0\n  allow_private_urls: true\n",
        encoding="utf-8",
    )
    return path


def test_text_output_says_a_retrieved_sentence_once_with_its_position(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "--article-file", str(SEED), "كم عدد معلمات النموذج؟"]) == 0
    answer_line, blank, place = capsys.readouterr().out.splitlines()
    assert "671 مليار معلمة" in answer_line and blank == ""
    assert re.fullmatch(r"evidence: \[#\d+ \d+-\d+\]", place)


async def test_text_output_quotes_evidence_that_differs_from_the_answer(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    async with FakeOpenAI() as fake:
        append(config_file, f"qa:\n  llm:\n    base_url: {fake.base_url}\n    model: m\n")
        fake.enqueue(
            completion_of({"answer": "24", "evidence": [CORES_SENTENCE], "answerable": True})
        )
        argv = ["ask", "--config", str(config_file), "--backend", "llm"]
        assert await asyncio.to_thread(main, [*argv, "--article-file", str(EN_CHIP), "Cores?"]) == 0
    assert capsys.readouterr().out.splitlines() == ["24", "", f"> «{CORES_SENTENCE}» [#1 87-159]"]


def test_json_output_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(
        capsys, "--article-file", str(EN_CHIP), "How many cores does the processor have?"
    )
    assert set(payload) == {"answer", "evidence", "abstained", "reason", "backend"}
    assert payload["abstained"] is False and payload["backend"] == "retrieval"
    assert payload["reason"] is None
    (evidence,) = payload["evidence"]
    assert evidence["text"] == CORES_SENTENCE
    assert set(evidence) == {"text", "index", "start", "end"}
    assert evidence["index"] == 1
    assert evidence["end"] - evidence["start"] == len(CORES_SENTENCE)


def test_json_keeps_arabic_unescaped(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["ask", "--json", "--article-file", str(SEED), "كم وحدة معالجة رسومات استخدمت؟"]) == 0
    )
    out = capsys.readouterr().out
    assert "2048 وحدة معالجة رسومات" in out and "\\u0" not in out


@pytest.mark.parametrize(
    ("article", "question", "message"),
    [
        (SEED, "من فاز بكأس العالم؟", "لم يذكر المقال ذلك."),
        (EN_CHIP, "Who won the world cup?", "The article doesn't say."),
    ],
)
def test_abstention_is_said_in_the_question_language(
    capsys: pytest.CaptureFixture[str], article: Path, question: str, message: str
) -> None:
    payload = run_json(capsys, "--article-file", str(article), question)
    assert payload == {
        "answer": message,
        "evidence": [],
        "abstained": True,
        "reason": "not_in_article",
        "backend": "retrieval",
    }


def test_markdown_file_title_is_not_the_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    article = tmp_path / "note.md"
    article.write_text(
        "# Orbital launch\n\nThe rocket lifted off at 06:10 carrying 3 satellites.\n",
        encoding="utf-8",
    )
    payload = run_json(
        capsys, "--article-file", str(article), "How many satellites did the rocket carry?"
    )
    assert payload["evidence"][0]["text"] == "The rocket lifted off at 06:10 carrying 3 satellites."
    assert payload["evidence"][0]["index"] == 0


def test_html_file_is_extracted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    payload = run_json(
        capsys, "--article-file", str(page), "How many cores does the processor have?"
    )
    assert payload["evidence"][0]["text"] == CORES_SENTENCE


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ask", "--article-file", str(tmp_path / "nope.txt"), "What?"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such article file" in err


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_2(capsys: pytest.CaptureFixture[str], question: str) -> None:
    assert main(["ask", "--article-file", str(SEED), question]) == 2
    assert capsys.readouterr().err.strip() == "khulasa: error: the question is empty"


async def test_article_id_reads_the_store(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'khulasa.db'}")
    article_id = await store.articles.add_or_find(
        ArticleData(
            title="Nimbus", text=EN_CHIP.read_text(encoding="utf-8"), url="https://x.test/a"
        )
    )
    store.close()
    payload = await asyncio.to_thread(
        run_json,
        capsys,
        "--config",
        str(config_file),
        "--article-id",
        str(article_id),
        "When was Nimbus Labs founded?",
    )
    assert "founded in 2016" in payload["evidence"][0]["text"]
    argv = ["ask", "--config", str(config_file), "--article-id", "999", "When?"]
    assert await asyncio.to_thread(main, argv) == 2
    assert "no article with id 999" in capsys.readouterr().err


@pytest.fixture
async def news_site() -> AsyncIterator[str]:
    """An article page on 127.0.0.1."""

    async def article(_request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/tech/aster-9", article)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_url_is_fetched_and_extracted(
    capsys: pytest.CaptureFixture[str], config_file: Path, news_site: str
) -> None:
    argv = ["ask", "--json", "--config", str(config_file), "--url", f"{news_site}/tech/aster-9"]
    assert await asyncio.to_thread(main, [*argv, "When will the first laptops ship?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert "March 2026" in payload["evidence"][0]["text"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/a", "non-public address"),
        ("http://10.1.2.3/a", "non-public address"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
async def test_unsafe_url_with_the_default_config_exits_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no config/khulasa.yaml here: built-in defaults
    monkeypatch.delenv("KHULASA_CONFIG", raising=False)
    assert await asyncio.to_thread(main, ["ask", "--url", url, "What?"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("khulasa: error:") and err.count("\n") == 1 and reason in err


async def test_a_url_answer_stores_nothing(
    capsys: pytest.CaptureFixture[str], config_file: Path, news_site: str, tmp_path: Path
) -> None:
    argv = ["ask", "--config", str(config_file), "--url", f"{news_site}/tech/aster-9", "Cores?"]
    assert await asyncio.to_thread(main, argv) == 0
    store = Store(f"sqlite:///{tmp_path / 'khulasa.db'}")
    assert await store.articles.get(1) is None
    store.close()


async def test_unreachable_url_is_one_error_line(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    argv = ["ask", "--config", str(config_file), "--url", unused_base_url() + "/a", "What?"]
    assert await asyncio.to_thread(main, argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("khulasa: error:") and err.count("\n") == 1


async def test_llm_backend_from_the_command_line(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    async with FakeOpenAI() as fake:
        qa = f"qa:\n  llm:\n    base_url: {fake.base_url}\n    model: from-config\n    timeout: 2\n"
        append(config_file, qa)
        fake.enqueue(
            completion_of({"answer": "24", "evidence": [CORES_SENTENCE], "answerable": True})
        )
        argv = [
            "ask",
            "--json",
            "--config",
            str(config_file),
            "--backend",
            "llm",
            "--model",
            "from-cli",
        ]
        argv += ["--article-file", str(EN_CHIP), "How many cores?"]
        assert await asyncio.to_thread(main, argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["answer"] == "24" and payload["backend"] == "llm"
    assert payload["evidence"][0]["text"] == CORES_SENTENCE
    assert fake.requests[0].body["model"] == "from-cli"


def test_unreachable_llm_falls_back_instead_of_failing(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    append(
        config_file,
        f"qa:\n  backend: llm\n  llm:\n    base_url: {unused_base_url()}\n    model: m\n",
    )
    argv = ["ask", "--json", "--config", str(config_file), "--article-file", str(EN_CHIP)]
    assert main([*argv, "How many cores does the processor have?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["backend"] == "retrieval" and payload["evidence"][0]["text"] == CORES_SENTENCE


def test_article_id_from_a_digest_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "chip.txt").write_text(EN_CHIP.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "digest.yaml"
    config.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'digest.db'}\n"
        f"summarizer:\n  backend: extractive\nsources:\n  - name: local\n    path: {folder}\n",
        encoding="utf-8",
    )
    assert main(["digest", "--config", str(config), "--format", "json"]) == 0
    (item,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    argv = ["--config", str(config), "--article-id", str(item["id"])]
    payload = run_json(capsys, *argv, "Where is the processor built?")
    assert "factory in Taiwan" in payload["evidence"][0]["text"]


def test_config_qa_settings_reach_the_command(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    question = "How many cores does the Aster-9 have?"  # one of its two terms: 0.74
    argv = ["--config", str(config_file), "--article-file", str(EN_CHIP), question]
    assert not run_json(capsys, *argv)["abstained"]
    append(config_file, "qa:\n  min_score: 0.9\n")
    assert run_json(capsys, *argv)["abstained"]


def test_transformers_model_from_the_command_line_honours_local_files_only(
    capsys: pytest.CaptureFixture[str], config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str, bool]] = []

    def refuse(model: str, device: str, local_files_only: bool) -> None:
        calls.append((model, device, local_files_only))
        raise ModelUnavailableError(f"cannot load the Q&A model {model!r}: not cached")

    monkeypatch.setattr(span_reader, "load_reader", refuse)
    append(config_file, "qa:\n  local_files_only: true\n  device: cpu\n")
    argv = ["ask", "--config", str(config_file), "--backend", "transformers"]
    argv += ["--model", "org/qa-model", "--article-file", str(EN_CHIP), "Cores?"]
    assert main(argv) == 2
    assert calls == [("org/qa-model", "cpu", True)]
    assert "org/qa-model" in capsys.readouterr().err


def test_json_reason_says_the_article_does_not_say(capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(capsys, "--article-file", str(EN_CHIP), "Who won the football world cup?")
    assert payload["abstained"] is True and payload["reason"] == "not_in_article"
    assert payload["answer"] == "The article doesn't say."


def test_json_reason_says_the_question_is_in_another_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    payload = run_json(capsys, "--article-file", str(SEED), "Who founded the company?")
    assert payload["abstained"] is True and payload["reason"] == "other_language"
    assert "qa.backend: transformers" in payload["answer"]


def test_batch_answers_every_good_line_and_names_the_bad_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative article_file is read from the working directory
    questions = tmp_path / "q.jsonl"
    answers = tmp_path / "a.jsonl"
    lines = [
        {
            "id": "cores",
            "question": "How many cores does the processor have?",
            "article": EN_CHIP.read_text(encoding="utf-8"),
        },
        "not json",
        {"id": "seed", "question": "كم عدد معلمات النموذج؟", "article_file": str(SEED)},
        {"id": "both", "question": "?", "article": "x", "article_file": "y"},
        {"id": "cup", "question": "Who won the football world cup?", "article_file": "en.txt"},
    ]
    (tmp_path / "en.txt").write_text(EN_CHIP.read_text(encoding="utf-8"), encoding="utf-8")
    questions.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines),
        encoding="utf-8",
    )
    assert main(["ask", "--input", str(questions), "--output", str(answers)]) == 1
    rows = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["cores", "seed", "cup"]
    for row in rows:
        assert set(row) == {"id", "answer", "evidence", "abstained", "reason", "backend"}
    assert CORES_SENTENCE in [e["text"] for e in rows[0]["evidence"]]
    assert "671 مليار معلمة" in rows[1]["answer"]
    assert rows[2]["abstained"] is True and rows[2]["reason"] == "not_in_article"
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("khulasa: line 2 skipped: not JSON")
    assert err[1].startswith("khulasa: line 4 skipped: expected exactly one of")


def test_batch_without_output_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "q.jsonl").write_text("", encoding="utf-8")
    assert main(["ask", "--input", str(tmp_path / "q.jsonl")]) == 2
    assert "needs both --input and --output" in capsys.readouterr().err


def test_ask_without_an_article_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "What?"]) == 2
    assert "--article-file" in capsys.readouterr().err


def test_eval_qa_prints_the_four_rates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    chip = EN_CHIP.read_text(encoding="utf-8").split("\n", 2)[2].strip()
    seed = SEED.read_text(encoding="utf-8").split("\n", 1)[1].strip()
    cores = chip.index("24 cores")
    params = seed.index("671 مليار معلمة")
    data = tmp_path / "d.jsonl"
    records = [
        {
            "id": "chip",
            "paragraphs": [chip],
            "qas": [
                {
                    "id": "1",
                    "question": "How many cores does the processor have?",
                    "paragraph": 0,
                    "answers": [{"text": "24 cores", "start": cores}],
                }
            ],
        },
        {
            "id": "seed",
            "paragraphs": [seed],
            "qas": [
                {
                    "id": "2",
                    "question": "كم عدد معلمات النموذج؟",
                    "paragraph": 0,
                    "answers": [{"text": "671 مليار معلمة", "start": params}],
                },
                {
                    "id": "3",
                    "question": "Who founded the company?",
                    "paragraph": 0,
                    "answers": [{"text": "671 مليار معلمة", "start": params}],
                },
            ],
        },
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    assert main(["eval-qa", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "answerable, right sentence quoted" in out and "100.0%  (2/2)" in out
    assert "question from another article, abstains" in out
    assert "other-language question, right or told so" in out and "(1/1)" in out


def test_eval_qa_bad_data_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "no paragraphs"}\n', encoding="utf-8")
    assert main(["eval-qa", "--data", str(tmp_path / "d.jsonl")]) == 2
    assert "line 1" in capsys.readouterr().err
