"""Config validation: unknown keys, key paths with YAML lines, secrets never in the file."""

from __future__ import annotations

import pytest

from bot.config import parse_config
from bot.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("storage:\n  url: x\n  colour: red\n", "line 3: storage.colour"),
        ("sources:\n  - name: a\n", "line 2: sources[0]: a source needs exactly one"),
        ("fetch:\n  max_redirects: 99\n", "line 2: fetch.max_redirects"),
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
