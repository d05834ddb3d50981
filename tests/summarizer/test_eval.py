"""Arabic-aware ROUGE and the evaluation report."""

import json

import pytest

from summarizer.errors import InputError
from summarizer.eval import (
    ArabicRougeTokenizer,
    evaluate,
    format_report,
    lead_summary,
    load_pairs,
    rouge_f1,
)
from summarizer.extractive import ExtractiveSummarizer


def test_tokenizer_keeps_arabic_tokens_normalized():
    assert ArabicRougeTokenizer().tokenize("أطلقت الشركةُ هاتفاً") == ["اطلقت", "الشركه", "هاتفا"]


def test_stemming_tokenizer_matches_inflected_forms():
    tokenizer = ArabicRougeTokenizer(use_stemmer=True)
    assert tokenizer.tokenize("والشركات") == tokenizer.tokenize("شركة")


def test_rouge_on_a_hand_made_pair():
    # prediction 3 tokens, reference 4 tokens, 2 unigrams and 1 bigram shared, LCS 2
    scores = rouge_f1("قالت الشركة أمس", ["قالت الشركة اليوم كلاما"])
    assert scores["rouge1"] == pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))
    assert scores["rouge2"] == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))
    assert scores["rougeL"] == pytest.approx(scores["rouge1"])


def test_rouge_averages_over_references():
    assert rouge_f1("هاتف جديد", ["هاتف جديد", "سيارة قديمة"])["rouge1"] == pytest.approx(0.5)


def test_lead_summary_takes_the_first_sentences():
    assert lead_summary("أولى. ثانية. ثالثة. رابعة.", 2) == "أولى. ثانية."


def write_pairs(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_load_pairs_reads_single_and_multi_reference_lines(tmp_path):
    path = write_pairs(
        tmp_path / "pairs.jsonl",
        [{"text": "نص.", "summary": "ملخص"}, {"id": "b", "text": "نص.", "summaries": ["أ", "ب"]}],
    )
    first, second = load_pairs(path)
    assert first.references == ("ملخص",) and second.references == ("أ", "ب")
    assert second.id == "b"


def test_load_pairs_names_the_bad_line(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"text": "نص.", "summary": "م"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_pairs(path)


def test_report_puts_backend_beside_lead(tmp_path):
    text = "أطلقت الشركة هاتفًا جديدًا. الهاتف رخيص. السوق تنافسية. الخبر انتهى هنا."
    pairs = load_pairs(write_pairs(tmp_path / "p.jsonl", [{"text": text, "summary": text}]))
    report = evaluate(ExtractiveSummarizer(), pairs, lead_sentences=3)
    assert report.count == 1 and report.backend == "extractive"
    lines = format_report(report).splitlines()
    assert lines[1].split() == ["ROUGE-1", "ROUGE-2", "ROUGE-L"]
    lead_row = next(line for line in lines if line.startswith("lead-3 "))
    expected = rouge_f1(lead_summary(text), [text])
    assert lead_row.split()[1:] == [
        f"{100 * expected[t]:.1f}" for t in ("rouge1", "rouge2", "rougeL")
    ]
