"""Fixtures of the flow tests: seeded local sources and an engine that records what is deferred."""

from __future__ import annotations

from typing import Any

import pytest

from bot.flow.engine import Task


class RecordingEngine:
    """The engine seam: remembers each deferred task and its ids, runs nothing."""

    def __init__(self) -> None:
        self.deferred: list[tuple[str, dict[str, Any]]] = []

    async def defer(self, task: Task, **ids: Any) -> None:
        self.deferred.append((task.__name__, ids))

    async def run_until_idle(self) -> None:
        return None


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def sources(tmp_path):  # noqa: ANN001, ANN201
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Title A\nSome body text that is long enough to summarize.", "utf-8"
    )
    return [
        {"name": "local", "path": str(folder), "schedule": "30m"},
        {"name": "other", "path": str(folder), "schedule": "1h"},
    ]
