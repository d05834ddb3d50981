"""The training scripts: deterministic, and what they write is what the package loads."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer.extractive_scorer import parse_weights as parse_extractive
from summarizer.qa.reader import parse_weights as parse_reader
from summarizer.training import extractive as train_extractive
from summarizer.training import qa as train_qa

CITIES = ["القاهرة", "دمشق", "بغداد", "تونس", "الرباط", "عمان", "بيروت"]
FIELDS = ["الفيزياء", "الكيمياء", "الطب", "التاريخ", "الفلك", "الرياضيات", "الأدب"]


def _qa_data(path: Path) -> Path:
    lines = []
    for n, (city, field) in enumerate(zip(CITIES, FIELDS, strict=True)):
        year = 1900 + 7 * n
        first = f"ولد العالم رقم {n} في مدينة {city} عام {year} لأسرة كبيرة."
        second = f"درس العالم {field} في الجامعة ونال شهادة عليا بعد سنوات من الجهد."
        lines.append(
            {
                "id": str(n),
                "paragraphs": [first, second],
                "qas": [
                    {
                        "id": f"{n}a",
                        "question": f"متى ولد العالم رقم {n}؟",
                        "paragraph": 0,
                        "answers": [{"text": str(year), "start": first.index(str(year))}],
                    },
                    {
                        "id": f"{n}b",
                        "question": "ماذا درس العالم في الجامعة؟",
                        "paragraph": 1,
                        "answers": [{"text": field, "start": second.index(field)}],
                    },
                ],
            }
        )
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    return path


def _easc_data(path: Path) -> Path:
    lines = []
    for n, (city, field) in enumerate(zip(CITIES, FIELDS, strict=True)):
        sentences = [
            f"افتتحت جامعة {city} كلية جديدة لدراسة {field} هذا العام.",
            f"وقال رئيس الجامعة إن الكلية ستستقبل ألف طالب في {field}.",
            "وتضم الكلية مختبرات حديثة ومكتبة كبيرة.",
            "ورحب الطلاب بالخطوة الجديدة.",
        ]
        text = "\n".join(sentences)
        summaries = [" ".join(sentences[:2]), " ".join(sentences[1:3])]
        lines.append({"id": str(n), "text": text, "summaries": summaries})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    return path


def test_qa_training_is_deterministic_and_loadable(tmp_path: Path) -> None:
    data = _qa_data(tmp_path / "arcd.jsonl")
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    figures, lengthened, answer_gone = train_qa.run(data, first)
    train_qa.run(data, second)
    assert first.read_bytes() == second.read_bytes()
    weights = parse_reader(first.read_text(encoding="utf-8"))
    assert 0 < weights.threshold < 1
    assert set(figures) == set(lengthened) == set(train_qa.TARGETS)
    assert any("measured only" in note for note in weights.notes)
    assert 0.0 <= answer_gone <= 1.0
    assert any("answer's words are gone" in note for note in weights.notes)


def test_extractive_training_is_deterministic_and_loadable(tmp_path: Path) -> None:
    data = _easc_data(tmp_path / "easc.jsonl")
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    figures = train_extractive.run(data, first)
    train_extractive.run(data, second)
    assert first.read_bytes() == second.read_bytes()
    weights = parse_extractive(first.read_text(encoding="utf-8"))
    assert weights.redundancy in train_extractive.REDUNDANCY_GRID
    assert set(figures) == {"learned", "nested", "lead-3"}
