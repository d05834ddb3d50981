"""Placeholder until its owner lands the command."""


def register(subparsers) -> None:  # noqa: ANN001
    """Adds nothing yet."""
