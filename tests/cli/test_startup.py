"""A quick command line: each command imports what it uses when it runs, nothing up front."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).parents[2] / "seeds"
# Heavy modules no light command needs: the database, page extraction, the platforms, the models,
# ROUGE and the HTTP stack.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "trafilatura",
    "feedparser",
    "httpx",
    "telegram",
    "discord",
    "torch",
    "transformers",
    "ctranslate2",
    "rouge_score",
    "apscheduler.schedulers",
)

PROBE = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
heavy = json.loads({heavy!r})
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy)))
"""


def loaded_heavy_modules(*argv: str, cwd: Path) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running `khulasa ARGV`."""
    code = PROBE.format(heavy=json.dumps(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("check-config",), ("summarize", "--backend", "extractive")],
    ids=["help", "check-config", "summarize-extractive"],
)
def test_light_commands_load_no_heavy_module(argv, tmp_path):
    article = next(SEED.glob("*.txt"))
    args = (*argv, str(article)) if argv[0] == "summarize" else argv
    config = tmp_path / "config" / "khulasa.yaml"
    config.parent.mkdir()
    config.write_text("sources: [{name: seeds, path: seeds/}]\n", "utf-8")
    assert loaded_heavy_modules(*args, cwd=tmp_path) == []


def test_the_probe_sees_a_heavy_import(tmp_path):
    """The probe itself works: a command that opens the database does load SQLAlchemy."""
    config = tmp_path / "config" / "khulasa.yaml"
    config.parent.mkdir()
    config.write_text(f"storage: {{url: 'sqlite:///{tmp_path}/k.db'}}\n", "utf-8")
    loaded = loaded_heavy_modules("ask", "--article-id", "1", "When?", cwd=tmp_path)
    assert "sqlalchemy" in loaded
