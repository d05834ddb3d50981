"""What the delivery-rate benchmarks share: the article fanned out, its timing and the fake's process.

The Telegram and Discord benchmarks measure the same thing on two platforms (one post to each
of N destinations, sequential and with `IN_FLIGHT` sends in flight, the fake in its own
process), so the sample post, the timing loop and the reporting live here once: a figure of one
platform stays comparable with the other's only while both are measured the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.core.types import Post

ROOT = Path(__file__).resolve().parents[1]
IN_FLIGHT = 8  # more in flight made the single-process fake (Telegram's) the bottleneck
SHAPES = ("sequential", "concurrent")
SUMMARY = (
    "أعلنت شركة ناشئة عن مختبر جديد للهجات العربية. "
    "وتخطط لإطلاق نماذج مفتوحة في الربيع المقبل. "
    "وقد وظّف المختبر أربعين باحثاً من المنطقة."
)


def post(index: int) -> Post:
    """The article every destination gets; `index` keeps each post's ids and URL distinct."""
    return Post(
        article_id=index,
        summary_id=index,
        title="شركة ناشئة تفتتح مختبراً للهجات العربية",
        url=f"https://example.org/news/{index}",
        source="tech-ar",
        summary=SUMMARY,
        language="ar",
        published=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )


async def fan_out(send: Callable[[int], Awaitable[object]], posts: int, concurrent: bool) -> float:
    """Posts per second of `send(0)` … `send(posts - 1)`: one at a time, or `IN_FLIGHT` at once."""
    gate = asyncio.Semaphore(IN_FLIGHT if concurrent else 1)

    async def one(index: int) -> None:
        async with gate:
            await send(index)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(posts)))
    return posts / (time.perf_counter() - start)


def load_average() -> list[float]:
    """1, 5 and 15 minute load: on a shared machine it says how far the figures can be trusted."""
    return [round(value, 2) for value in os.getloadavg()]


async def each_shape(
    measure: Callable[[bool], Awaitable[float]], posts: int, detail: str
) -> dict[str, object]:
    """Runs `measure(concurrent)` for both shapes; prints a report line each, returns the figures."""
    results: dict[str, object] = {"load_average_before": load_average()}
    for shape in SHAPES:
        rate = await measure(shape == "concurrent")
        results[f"{shape}_posts_per_s"] = round(rate, 1)
        print(f"{shape:>10}: {rate:7.1f} posts/s ({posts} posts, {detail})")
    results["load_average_after"] = load_average()
    return results


async def serve_until_stdin_closes(port: int) -> None:
    """The fake's side of `fake_process`: tells the parent its port, then serves until told to stop."""
    print(port, flush=True)
    await asyncio.to_thread(sys.stdin.read)


@contextmanager
def fake_process(module: str, *args: str) -> Iterator[int]:
    """Runs `python -m module --serve *args` and yields the port it serves on.

    The fake gets its own process (and event loop) so that serving does not share the CPU time
    of the loop being measured; closing its stdin stops it.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", module, "--serve", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield int(server.stdout.readline())
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


def append_json(path: Path, figures: dict[str, object]) -> None:
    """Appends the figures as one JSON line, so repeated runs accumulate side by side."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(figures) + "\n")
