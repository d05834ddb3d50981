"""What story grouping costs per article: embedding it, and matching it against the window.

Embedding: the bundled encoder (Universal Sentence Encoder multilingual v3, numpy) on what it
reads of an article (a title and the first 300 characters), cut from the Arabic seed article, in batches as the bot embeds them, after one
warm-up batch; also one article at a time. Matching: a matcher holding `--stories` stories
(random unit vectors and made-up titles, one article each, all inside the window) answers
`match()` for probe articles; the median and 95th percentile are reported, with a model
(vectors) and without (hashed terms). Needs no download.

    python benchmarks/stories_cost.py [--articles 64] [--stories 10000] [--probes 50]
        [--output FILE] [--tiny]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `summarizer` importable
    sys.path.insert(0, str(ROOT))

from summarizer.stories.embeddings import BundledEmbedder  # noqa: E402
from summarizer.stories.matcher import StoryMatcher  # noqa: E402
from summarizer.stories.signals import EMBEDDED_LEAD_CHARS, StoryArticle  # noqa: E402
from summarizer.stories.types import EmbeddingOptions  # noqa: E402

SEED = ROOT / "seeds" / "000_9ae386f161d82b4b.txt"
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "stories_cost.json"
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def leads(count: int) -> list[str]:
    """`count` different texts of what the encoder reads, cut from the seed at shifting offsets."""
    text = " ".join(SEED.read_text(encoding="utf-8").split())
    size = EMBEDDED_LEAD_CHARS + 60  # a title and the lead, as `StoryArticle.embedded_text`
    step = max(1, (len(text) - size) // max(1, count))
    return [text[index * step : index * step + size] for index in range(count)]


def embedding_cost(count: int, batch_size: int) -> dict:
    """Milliseconds per article, batched and one by one."""
    embedder = BundledEmbedder(EmbeddingOptions(backend="bundled", batch_size=batch_size))
    texts = leads(count)
    embedder.embed(texts[:batch_size])  # warm-up: weights into memory
    started = time.perf_counter()
    embedder.embed(texts)
    batched = (time.perf_counter() - started) * 1000 / count
    singles = texts[: min(count, 8)]
    started = time.perf_counter()
    for text in singles:
        embedder.embed([text])
    single = (time.perf_counter() - started) * 1000 / len(singles)
    return {
        "articles": count,
        "batch_size": batch_size,
        "ms_per_article_batched": round(batched, 2),
        "ms_per_article_single": round(single, 2),
    }


def _article(index: int, vector: np.ndarray, hours: float) -> StoryArticle:
    title = f"Company {index % 997} reports {index % 89} new products in market {index % 31}"
    return StoryArticle(
        id=f"s{index}",
        title=title,
        text=f"The company said on day {index % 7} that sales rose in region {index % 17}.",
        language="en",
        published=START + datetime.timedelta(hours=hours),
        vector=vector,
    )


def matching_cost(stories: int, probes: int, embeddings: bool, dim: int = 512) -> dict:
    """Milliseconds for one `match()` against `stories` stories of the window."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((stories + probes, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    matcher = StoryMatcher(embeddings=embeddings)
    spread = 60.0 / max(1, stories)  # every story within the last 60 hours
    for index in range(stories):
        matcher.add(_article(index, vectors[index], index * spread))
    timings = []
    for probe in range(probes):
        article = _article(stories + probe, vectors[stories + probe], 61.0)
        started = time.perf_counter()
        matcher.match(article)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "stories_in_window": len(matcher),
        "probes": probes,
        "ms_median": round(statistics.median(timings), 2),
        "ms_p95": round(timings[int(0.95 * (len(timings) - 1))], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=64, help="articles to embed")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--stories", type=int, default=10_000, help="stories in the window")
    parser.add_argument("--probes", type=int, default=50, help="articles matched")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--tiny", action="store_true", help="a smoke run: 8 articles, 500 stories")
    args = parser.parse_args(argv)
    if args.tiny:
        args.articles, args.batch_size, args.stories, args.probes = 8, 4, 500, 5
    report = {
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "embedding_bundled": embedding_cost(args.articles, args.batch_size),
        "matching_with_vectors": matching_cost(args.stories, args.probes, embeddings=True),
        "matching_without_vectors": matching_cost(args.stories, args.probes, embeddings=False),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
