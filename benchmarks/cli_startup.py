"""Wall time of light commands from process start to exit: what a person waits for at a prompt.

Each command runs `--runs` times in a fresh interpreter; the median is reported, beside the
cost of starting Python alone, so the figure is the command's own and the machine's load shows.

    python benchmarks/cli_startup.py [--runs 7] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT / "seeds").glob("*.txt"))
TARGETS = {"help": 0.5, "check-config": 0.5, "summarize-extractive": 1.0}  # seconds (issue 10)


def commands(config: Path) -> dict[str, list[str]]:
    khulasa = [sys.executable, "-m", "bot.cli"]
    return {
        "python": [sys.executable, "-c", "pass"],
        "help": [*khulasa, "--help"],
        "check-config": [*khulasa, "check-config", "--config", str(config)],
        "summarize-extractive": [*khulasa, "summarize", "--backend", "extractive", str(SEED)],
    }


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/cli_startup.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "k.yaml"
        config.write_text((ROOT / "config" / "khulasa.yaml").read_text("utf-8"), "utf-8")
        results = {name: median_seconds(cmd, args.runs) for name, cmd in commands(config).items()}
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "median_seconds": results,
        "targets_seconds": TARGETS,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    print("| command | median s | target s |\n|---|---:|---:|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.2f} | {TARGETS.get(name, '')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
