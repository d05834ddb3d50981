"""JSON-lines data files (evaluation pairs, Q&A articles): read once, with one clear error each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import InputError

T = TypeVar("T")


def read_records(path: str | Path, parse: Callable[[str, int], T], what: str) -> list[T]:
    """`parse(line, number)` of each non-blank line; unreadable, not UTF-8 or empty is refused."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8") from error
    records = [parse(line, number) for number, line in enumerate(lines, 1) if line.strip()]
    if not records:
        raise InputError(f"{path} holds no {what}")
    return records
