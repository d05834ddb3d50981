"""The text form of the small learned models shipped inside the package.

Both the Q&A reader and the extractive scorer ship their coefficients as a few hundred bytes
of `key value` lines that a reviewer can read in a diff and that load with the standard
library alone: comment lines (`# ...`, the provenance) first, then scalar fields
(`format`, `version`, thresholds), then one `GROUP NAME VALUE` line per coefficient. Loading
checks the format line and that every group names exactly the features the code computes, in
order, so weights trained for other features are refused instead of silently misaligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from .errors import ModelUnavailableError


@dataclass(frozen=True, slots=True)
class Group:
    """One coefficient vector: its line keyword, the feature names and their values."""

    key: str
    names: Sequence[str]
    values: Sequence[float]


@dataclass(frozen=True, slots=True)
class WeightsText:
    """A parsed weights file; `what` names it in errors ("reader weights")."""

    what: str
    notes: tuple[str, ...]
    fields: dict[str, str]
    groups: dict[str, dict[str, float]]

    def version(self) -> str:
        return self.fields.get("version", "unknown")

    def number(self, key: str) -> float:
        """A numeric scalar field; missing or malformed is a ModelUnavailableError."""
        try:
            return float(self.fields[key])
        except (KeyError, ValueError) as error:
            raise ModelUnavailableError(f"{self.what} lack a numeric {key}") from error

    def coefficients(self, key: str, names: Sequence[str]) -> tuple[float, ...]:
        """The group's values, refused unless its names are exactly `names`, in order."""
        group = self.groups.get(key, {})
        if tuple(group) != tuple(names):
            raise ModelUnavailableError(f"{self.what} were trained for other features; retrain")
        return tuple(group.values())


def format_weights_text(
    notes: Sequence[str], fields: Sequence[tuple[str, str]], groups: Sequence[Group]
) -> str:
    """Comments, then the scalar fields in the given order, then each group's lines."""
    lines = [f"# {note}" for note in notes]
    lines += [f"{key} {value}" for key, value in fields]
    for group in groups:
        lines += [
            f"{group.key} {name} {value:.6f}"
            for name, value in zip(group.names, group.values, strict=True)
        ]
    return "\n".join(lines) + "\n"


def parse_weights_text(text: str, fmt: str, what: str, group_keys: Sequence[str]) -> WeightsText:
    """Splits a weights file into notes, fields and groups; a wrong format line is refused."""
    fields: dict[str, str] = {}
    groups: dict[str, dict[str, float]] = {key: {} for key in group_keys}
    notes = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            notes.append(line[1:].strip())
            continue
        key, _, rest = line.partition(" ")
        try:
            if key in groups:
                name, value = rest.split()
                groups[key][name] = float(value)
            else:
                fields[key] = rest.strip()
        except ValueError as error:
            raise ModelUnavailableError(f"{what} line {number}: {line!r}") from error
    if fields.get("format") != fmt:
        raise ModelUnavailableError(f"{what} are not {fmt!r}")
    return WeightsText(what, tuple(notes), fields, groups)


def read_packaged(package: str, filename: str) -> str:
    """A weights file shipped beside a module of `package`."""
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")
