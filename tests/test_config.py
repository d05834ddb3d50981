"""Config validation: unknown keys, key paths with YAML lines, secrets never in the file."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import GENERATION_KEYS, SummarizerConfig, parse_config
from bot.errors import ConfigError
from summarizer.types import SummarizerOptions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("storage:\n  url: x\n  colour: red\n", "line 3: storage.colour"),
        ("sources:\n  - name: a\n", "line 2: sources[0]: a source needs exactly one"),
        ("fetch:\n  max_redirects: 99\n", "line 2: fetch.max_redirects"),
        ("summarizer:\n  backend: x\n  num_beams: 99\n", "line 2: summarizer.backend"),
        ("summarizer:\n  num_beams: 99\n", "line 2: summarizer.num_beams"),
        ("summarizer:\n  generation: {}\n", "line 2: summarizer.generation"),
        (
            "telegram:\n  channels:\n    - chat: '@c'\n      schedule: '61 * * * *'\n",
            "line 4: telegram.channels[0].schedule",
        ),
        (
            "telegram:\n  channels:\n    - chat: '@c'\n      schedule: '"
            + ",".join(str(minute) for minute in range(60))
            + " * * * *'\n",
            "line 4: telegram.channels[0].schedule: schedule longer than 64 characters",
        ),
        ("sources: [\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_errors_name_line_and_key(text, expected):
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        parse_config(text, source="k.yaml")


def test_duplicate_source_names_are_rejected():
    with pytest.raises(ConfigError, match="repeated: a"):
        parse_config("sources:\n  - {name: a, path: x}\n  - {name: a, path: y}\n")


def test_a_token_key_in_the_file_is_rejected():
    with pytest.raises(ConfigError, match="telegram.token"):
        parse_config("telegram:\n  token: '123:abc'\n")


def test_every_summarizer_option_is_a_config_key_and_nothing_else():
    options = {field.name for field in dataclasses.fields(SummarizerOptions)}
    assert set(SummarizerConfig.model_fields) == options - {"generation"} | set(GENERATION_KEYS)


def test_the_summarizer_section_defaults_are_the_librarys():
    assert parse_config("").summarizer.to_options() == SummarizerOptions()


def test_summarizer_keys_reach_the_library_options():
    section = parse_config(
        "summarizer:\n  revision: v2\n  num_beams: 6\n  device: cpu\n  threads: 3\n"
    ).summarizer
    options = section.to_options()
    assert (options.revision, options.generation.num_beams) == ("v2", 6)
    assert (options.device, options.threads) == ("cpu", 3)
