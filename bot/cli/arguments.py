"""Arguments several commands take, worded once so `--help` says the same everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_config_argument(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """`--config F`; `optional`: the command also runs without any config file."""
    where = "config/khulasa.yaml if present" if optional else "config/khulasa.yaml"
    parser.add_argument("--config", help=f"config file (default: $KHULASA_CONFIG or {where})")


def add_data_argument(parser: argparse.ArgumentParser, lines: str) -> None:
    """`--data D.jsonl` of an evaluation command; `lines` shows what one line holds."""
    parser.add_argument("--data", type=Path, required=True, help=f"JSON lines {lines}")
