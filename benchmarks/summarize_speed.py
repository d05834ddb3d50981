"""Articles per second and peak memory of each summarization path, side by side, on the same inputs.

Needs no downloaded weights: a randomly initialised model of mT5-base's shape and a tokenizer
trained on the seed article are saved once to a temp dir; every path loads them from there in
its own subprocess, so peak RSS is that path's alone. Every abstractive path generates exactly
`--new-tokens` tokens with 4 beams, as XL-Sum does, so the work is the same.

(a) is what users usually write: transformers' `pipeline("summarization")`, one article at a
time, fp32. transformers 5 removed that task, so on 5.x (5.24 here) `benchmarks/baseline.py`
does the same steps by hand; see its docstring. The seq2seq backends load their model before
the clock starts, as (a) does: the times are summarizing only.

    python benchmarks/summarize_speed.py [--articles 4] [--threads N] [--output FILE] [--tiny]
    make bench BENCH_ARGS="--tiny"
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `summarizer` and `benchmarks` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.random_model import (  # noqa: E402
    TINY_SHAPE,
    mt5_config,
    piece_count,
    save_random_mt5,
    train_spiece,
)

SEED = ROOT / "seeds" / "000_9ae386f161d82b4b.txt"
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "summarize_speed.json"
MT5_BASE_VOCAB = 250112
# (name, label): the baseline first, every ratio is to it
PATHS = (
    ("pipeline", "(a) transformers, one article at a time, fp32"),
    ("transformers_fp32", "(b) khulasa transformers backend, fp32"),
    ("transformers_int8", "(b) khulasa transformers backend, int8 dynamic"),
    ("ct2_int8", "(c) khulasa ct2 backend, int8"),
    ("extractive", "khulasa extractive backend, 1 core"),
)


def generation(new_tokens: int) -> dict[str, object]:
    """XL-Sum's settings with a fixed summary length, so every path does the same work."""
    return {
        "num_beams": 4,
        "no_repeat_ngram_size": 2,
        "length_penalty": 0.6,
        "min_new_tokens": new_tokens,
        "max_new_tokens": new_tokens,
    }


def make_articles(text: str, count: int, token_target: int, count_tokens) -> list[str]:
    """count distinct articles of about token_target tokens, each a rotation of the seed's sentences."""
    from summarizer.text import split_sentences

    sentences = [s.text.strip() for s in split_sentences(text) if len(s.text.strip()) > 20]
    articles = []
    for number in range(count):
        rotated = sentences[number % len(sentences) :] + sentences[: number % len(sentences)]
        picked: list[str] = []
        for sentence in rotated * 4:
            if picked and count_tokens(" ".join([*picked, sentence])) > token_target:
                break
            picked.append(sentence)
        articles.append(" ".join(picked))
    return articles


def prepare(workdir: Path, tiny: bool, articles: int) -> tuple[Path, list[str]]:
    """Save the random model once and write the shared inputs."""
    from transformers import AutoTokenizer

    text = SEED.read_text(encoding="utf-8")
    spiece = train_spiece(text.splitlines(), 8000)
    shape = TINY_SHAPE if tiny else {}
    vocab = piece_count(spiece) if tiny else MT5_BASE_VOCAB
    model_dir = save_random_mt5(workdir / "model", spiece, mt5_config(vocab, **shape), "legacy")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    target = 120 if tiny else 460

    def count(candidate: str) -> int:
        return len(tokenizer(candidate, verbose=False)["input_ids"])

    return model_dir, make_articles(text, articles, target, count)


def _options(model_dir: str, args: argparse.Namespace, **changes: object):
    """SummarizerOptions matching the benchmark's generation settings."""
    from summarizer.types import GenerationSettings, SummarizerOptions

    settings = generation(args.new_tokens)
    return SummarizerOptions(
        model=model_dir,
        device="cpu",
        threads=args.threads,
        batch_size=args.articles,
        cache_dir=str(Path(args.workdir) / "ct2-cache"),
        generation=GenerationSettings(
            num_beams=settings["num_beams"],
            min_new_tokens=args.new_tokens,
            max_new_tokens=args.new_tokens,
        ),
        **changes,
    )


def _summarizer(path: str, model_dir: str, args: argparse.Namespace):
    """The object whose `summarize(list[str]) -> list[str]` the worker times."""
    from summarizer.types import Article

    if path == "pipeline":
        import torch

        from benchmarks.baseline import Baseline

        torch.set_num_threads(args.threads)
        baseline = Baseline(model_dir, generation(args.new_tokens))
        return lambda texts: [baseline.summarize_one(text) for text in texts]
    if path == "extractive":
        from summarizer.extractive import ExtractiveSummarizer

        backend = ExtractiveSummarizer(_options(model_dir, args, backend="extractive"))
    elif path.startswith("transformers"):
        from summarizer.hf import TransformersSummarizer

        backend = TransformersSummarizer(_options(model_dir, args, quantize=path.endswith("int8")))
    else:
        from summarizer.ct2 import Ct2Summarizer

        backend = Ct2Summarizer(_options(model_dir, args, compute_type="int8"))
    if path != "extractive":
        # the backends load lazily; load now so the timed run is summarizing only, as for (a)
        backend.engine(model_dir)
    return lambda texts: [
        summary.text for summary in backend.summarize([Article(t) for t in texts])
    ]


def peak_rss_mb() -> float:
    """This process's peak resident memory; VmHWM, unlike ru_maxrss, starts afresh at exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def worker(args: argparse.Namespace) -> None:
    """Load one path, summarize every article, print one JSON line with speed and peak RSS."""
    texts = json.loads(Path(args.workdir, "articles.json").read_text(encoding="utf-8"))
    model_dir = str(Path(args.workdir) / "model")
    started = time.perf_counter()
    summarize = _summarizer(args.worker, model_dir, args)
    loaded = time.perf_counter()
    summaries = summarize(texts)
    finished = time.perf_counter()
    assert len(summaries) == len(texts)
    print(
        json.dumps(
            {
                "load_s": round(loaded - started, 2),
                "seconds": round(finished - loaded, 3),
                "articles_per_s": len(texts) / (finished - loaded),
                "peak_rss_mb": peak_rss_mb(),
                "torch_loaded": "torch" in sys.modules,
            }
        )
    )


def run_path(path: str, args: argparse.Namespace, threads: int) -> dict[str, object]:
    """Run one path's worker in a fresh interpreter and read its result line."""
    command = [
        sys.executable,
        __file__,
        "--worker",
        path,
        "--workdir",
        args.workdir,
        "--threads",
        str(threads),
    ]
    command += ["--articles", str(args.articles), "--new-tokens", str(args.new_tokens)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict[str, dict[str, object]]) -> str:
    """A markdown table with ratios to the baseline."""
    base = results["pipeline"]
    lines = [
        "| path | articles/s | × (a) speed | peak RSS MB | RSS / (a) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, label in PATHS:
        if name not in results:
            continue
        row = results[name]
        lines.append(
            f"| {label} | {row['articles_per_s']:.3f} | {row['speedup']:.1f}× "
            f"| {row['peak_rss_mb']:.0f} | {row['peak_rss_mb'] / base['peak_rss_mb']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Prepare the model and inputs, run every path, print and save the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=4, help="articles per path (default 4)")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="intra-op threads of the model paths (default: all cores)",
    )
    parser.add_argument(
        "--new-tokens", type=int, default=64, help="tokens every path generates (default 64)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="JSON report (default benchmarks/results/summarize_speed.json)",
    )
    parser.add_argument(
        "--tiny", action="store_true", help="a tiny model: a smoke test, not a measurement"
    )
    parser.add_argument(
        "--paths",
        default=",".join(name for name, _ in PATHS),
        help="comma-separated subset; (a) always runs",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    with tempfile.TemporaryDirectory(prefix="khulasa-bench-") as workdir:
        args.workdir = workdir
        started = time.perf_counter()
        model_dir, articles = prepare(Path(workdir), args.tiny, args.articles)
        Path(workdir, "articles.json").write_text(json.dumps(articles), encoding="utf-8")
        print(
            f"model saved to {model_dir} in {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
        chosen = [
            (name, label)
            for name, label in PATHS
            if name == "pipeline" or name in args.paths.split(",")
        ]
        if any(name == "ct2_int8" for name, _ in chosen):
            # convert into the cache first, so the timed run only loads
            run_path("ct2_int8", args, args.threads)
        results = {}
        for name, label in chosen:
            results[name] = run_path(name, args, 1 if name == "extractive" else args.threads)
            print(f"{label}: {results[name]}", file=sys.stderr)
    for row in results.values():
        row["speedup"] = row["articles_per_s"] / results["pipeline"]["articles_per_s"]
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "model": "tiny random mT5" if args.tiny else "random mT5-base shape (582M parameters)",
        "articles": args.articles,
        "threads": args.threads,
        "generation": generation(args.new_tokens),
        "results": results,
        "table": table(results),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(report["table"])
    print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
