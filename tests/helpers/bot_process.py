"""`khulasa` as a child process, for black-box tests: its stderr in a file, always killed at the end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

POLL_S = 0.1  # how often waits look at the process and at what the fakes recorded
# Variables of the developer's shell that would change what the child reads.
_UNSET = ("KHULASA_CONFIG", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN")


def write_config(path: Path, data: dict[str, Any]) -> Path:
    """A YAML config file the child reads with --config."""
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def khulasa_command(*argv: str) -> list[str]:
    """The CLI as `khulasa ARGV` runs it, from this interpreter's environment."""
    return [sys.executable, "-m", "bot.cli", *argv]


def child_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _UNSET}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


class BotProcess:
    """One `khulasa …` child; `stderr` reads what it logged so far."""

    def __init__(
        self, argv: Sequence[str], *, cwd: Path, env: dict[str, str], name: str = "khulasa"
    ) -> None:
        self.name = name
        self.stderr_path = cwd / f"{name}.stderr"
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                khulasa_command(*argv),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", errors="replace")

    def stderr_tail(self, lines: int = 40) -> str:
        return "\n".join(self.stderr.splitlines()[-lines:])

    def assert_alive(self, when: str) -> None:
        code = self.returncode
        assert code is None, f"khulasa exited with {code} {when}; stderr:\n{self.stderr_tail()}"

    async def until(self, check: Callable[[], bool], *, within: float, what: str) -> None:
        """Polls `check` until true; fails if the process exits or `within` seconds pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not check():
            self.assert_alive(f"while waiting for {what}")
            if loop.time() > deadline:
                raise AssertionError(f"no {what} within {within} s; stderr:\n{self.stderr_tail()}")
            await asyncio.sleep(POLL_S)

    async def stays_up(self, seconds: float, *, what: str) -> None:
        """Watches the process for `seconds`; fails at once if it exits meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            self.assert_alive(what)
            await asyncio.sleep(POLL_S)
        self.assert_alive(what)

    async def terminate(self, *, within: float) -> int:
        """SIGTERM, then the exit code once it exits (a timeout fails the test)."""
        self.process.send_signal(signal.SIGTERM)
        return await self.exits(within=within, what="after SIGTERM")

    async def exits(self, *, within: float, what: str) -> int:
        """The exit code once the process exits; still running `within` s later fails the test."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.returncode is None:
            if loop.time() > deadline:
                raise AssertionError(
                    f"khulasa still running {within} s {what}; stderr:\n{self.stderr_tail()}"
                )
            await asyncio.sleep(POLL_S)
        return self.process.returncode

    def kill(self) -> None:
        """Teardown: whatever happened, the child is gone afterwards."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
