"""The house rules the import linter checks stay whole as the house grows."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import bot
from bot.config import Config, parse_config
from bot.core import COMMANDS
from bot.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[1]


def contract(name: str) -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return next(c for c in data["tool"]["importlinter"]["contracts"] if c["name"] == name)


def test_the_sql_contract_covers_every_module_but_the_store():
    listed = set(contract("only the store knows SQL")["source_modules"])
    modules = {f"bot.{info.name}" for info in pkgutil.iter_modules(bot.__path__)}
    assert listed == modules - {"bot.store"}


def test_every_registered_platform_has_a_config_section_and_an_admin_list():
    config = parse_config("\n".join(f"{spec.name}: {{enabled: true}}" for spec in PLATFORMS))
    assert config.enabled_platforms() == [spec.name for spec in PLATFORMS]
    for spec in PLATFORMS:
        assert isinstance(config.platform(spec.name), spec.section)
        assert Config().admins.of(spec.name) == []


def test_commands_are_data_the_adapters_read():
    by_name = {spec.name: spec for spec in COMMANDS}
    assert {name for name, spec in by_name.items() if spec.slow} == {"summary", "ask"}
    assert [spec.name for spec in COMMANDS if spec.about_message] == ["ask"]
    assert by_name["schedule"].target_keyword == "chat"
