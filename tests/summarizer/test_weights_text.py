"""The shared text form of shipped weights: what it refuses, in one clear error each."""

from __future__ import annotations

import pytest

from summarizer.errors import ModelUnavailableError
from summarizer.weights_text import Group, format_weights_text, parse_weights_text

FORMAT = "khulasa-test 1"


def sample() -> str:
    fields = [("format", FORMAT), ("version", "v7"), ("threshold", "0.2500")]
    return format_weights_text(["made here"], fields, [Group("w", ("a", "b"), (1.0, -2.5))])


def test_a_file_reads_back_its_notes_fields_and_coefficients() -> None:
    parsed = parse_weights_text(sample(), FORMAT, "test weights", ["w"])
    assert parsed.notes == ("made here",)
    assert parsed.version() == "v7" and parsed.number("threshold") == 0.25
    assert parsed.coefficients("w", ("a", "b")) == (1.0, -2.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format other 1\n", "test weights are not 'khulasa-test 1'"),
        (f"format {FORMAT}\nw a one\n", "test weights line 2"),
    ],
)
def test_a_wrong_format_or_a_malformed_line_is_refused(text: str, message: str) -> None:
    with pytest.raises(ModelUnavailableError, match=message):
        parse_weights_text(text, FORMAT, "test weights", ["w"])


def test_other_features_or_a_missing_number_are_refused() -> None:
    parsed = parse_weights_text(sample(), FORMAT, "test weights", ["w"])
    with pytest.raises(ModelUnavailableError, match="other features"):
        parsed.coefficients("w", ("a", "c"))
    with pytest.raises(ModelUnavailableError, match="lack a numeric margin"):
        parsed.number("margin")
