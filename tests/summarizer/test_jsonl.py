"""Data files that cannot be read are one clear InputError, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.eval import load_pairs
from summarizer.qa.evaluate import load_qa_articles


@pytest.mark.parametrize("load", [load_pairs, load_qa_articles])
def test_missing_binary_or_blank_files_are_refused(load, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load(tmp_path / "absent.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="is not UTF-8"):
        load(binary)
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no"):
        load(blank)
