"""`khulasa check-config`: validate the config and show the effective values, secrets masked."""

from __future__ import annotations

import argparse
import os
import sys

import yaml

from bot.cli.arguments import add_config_argument
from bot.config import Config, load_config, masked_dump, resolve_config_path
from bot.platforms import PLATFORMS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `check-config` subcommand."""
    parser = subparsers.add_parser(
        "check-config", help="validate the config and print it with secrets masked"
    )
    add_config_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Prints the effective config and which secrets are set; a bad file exits 2 (ConfigError)."""
    config = load_config(args.config)
    sys.stdout.write(f"# {resolve_config_path(args.config)}: valid\n")
    sys.stdout.write(masked_dump(config))
    secrets = {"secrets (from the environment)": secret_status(config)}
    sys.stdout.write(yaml.safe_dump(secrets, allow_unicode=True, sort_keys=False))
    return 0


def secret_status(config: Config) -> dict[str, str]:
    """Each secret's variable name with `***` when set or `(not set)`; never the value."""
    names = [
        variable
        for spec in PLATFORMS
        for variable in (spec.token_variable, *spec.secret_variables(config.platform(spec.name)))
    ]
    names.append(config.qa.llm.api_key_env)
    return {name: "***" if os.environ.get(name, "").strip() else "(not set)" for name in names}
