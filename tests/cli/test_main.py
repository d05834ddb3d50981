"""The command line's own behaviour, whatever the command: quiet exit when the reader goes away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_closed_pipe_ends_quietly_without_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, like `| head` after exit
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check-config", "--config", "config/examples/full.yaml"],
        cwd=ROOT,
        stdout=write_end,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    os.close(write_end)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert result.stderr == b""
