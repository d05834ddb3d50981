"""`khulasa check-config`: errors name line and key (exit 2); secrets show only whether set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_bad_config_is_one_line_with_line_and_key_and_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "fetch:\n  retries: 2\nsources:\n  - name: x\n    path: s\n    schedule: often\n"
    )
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "line 6" in err and "sources[0].schedule" in err


def test_secrets_are_masked(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret-token")
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    assert main(["check-config", "--config", str(ROOT / "config/khulasa.yaml")]) == 0
    out = capsys.readouterr().out
    assert "very-secret-token" not in out
    assert "TELEGRAM_BOT_TOKEN: '***'" in out and "DISCORD_BOT_TOKEN: (not set)" in out


@pytest.mark.parametrize("name", ["config/khulasa.yaml", "config/examples/full.yaml"])
def test_shipped_configs_validate(name, capsys):
    assert main(["check-config", "--config", str(ROOT / name)]) == 0
    assert "name: seeds" in capsys.readouterr().out


def test_khulasa_config_env_picks_the_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.yaml"
    path.write_text("sources:\n  - name: from-env\n    path: somewhere\n")
    monkeypatch.setenv("KHULASA_CONFIG", str(path))
    assert main(["check-config"]) == 0
    assert "from-env" in capsys.readouterr().out
