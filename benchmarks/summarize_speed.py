"""Articles per second and peak memory of each summarization path, side by side, on the same inputs.

Needs no downloaded weights: a randomly initialised model of mT5-base's shape and a realistic
tokenizer (`benchmarks/tokenizer.py`: trained on the text the project ships, padded to mT5's
250,112 pieces) are saved once to a temp dir. Two article sets are timed: whole seed articles
(about 1,000 tokens, longer than the 512-token input) and articles of about 450 tokens. Every
abstractive path generates exactly `--new-tokens` tokens with 4 beams, as XL-Sum does.

(a), the baseline, is what users usually write: transformers' `pipeline("summarization")`, one
article at a time, fp32, input cut at 512 tokens (transformers 5 removed that task, so on 5.x
`benchmarks/baseline.py` does the same steps by hand). Its clock starts after its model is
loaded. The project's path is timed whole, as a user runs it: `khulasa summarize --backend ct2
--input IN.jsonl --output OUT.jsonl` in a fresh process, start, imports and model load
included (the CTranslate2 conversion is done once before, into the run's own cache). Each
path runs in its own process, so its peak RSS is its own.

    python benchmarks/summarize_speed.py [--articles 8] [--threads N] [--device cpu|cuda]
        [--lengths whole,450] [--paths ...] [--output FILE] [--tiny]
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
)
from benchmarks.tokenizer import MT5_VOCAB, realistic_spiece  # noqa: E402

SEED = ROOT / "seeds" / "000_9ae386f161d82b4b.txt"
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "summarize_speed.json"
TINY_VOCAB = 4_000  # --tiny: a small padded vocabulary, same code paths
# (name, label): the baseline first, every ratio is to it
PATHS = (
    ("pipeline", "(a) transformers, one article at a time, fp32, cut at 512 tokens"),
    ("ct2_cli", "khulasa summarize --backend ct2 (a fresh process: start + load + summarize)"),
    ("ct2_full_vocab", "ct2 backend, output_vocabulary: full (library, start + load included)"),
    ("ct2_chunks", "ct2 backend, long_input: chunks (library, start + load included)"),
    ("transformers_fp32", "khulasa transformers backend, fp32 (library, start + load included)"),
    ("transformers_int8", "khulasa transformers backend, int8 (library, start + load included)"),
    ("extractive", "khulasa extractive backend, 1 core (library, start + load included)"),
)
DEFAULT_PATHS = "ct2_cli,ct2_full_vocab,extractive"
# name -> (what the articles are, token target; None = the whole seed article)
LENGTHS = {"whole": ("whole seed articles", None), "450": ("~450-token articles", 450)}


def generation(new_tokens: int) -> dict[str, object]:
    """XL-Sum's settings with a fixed summary length, so every path does the same work."""
    return {
        "num_beams": 4,
        "no_repeat_ngram_size": 2,
        "length_penalty": 0.6,
        "min_new_tokens": new_tokens,
        "max_new_tokens": new_tokens,
    }


def make_articles(text: str, count: int, token_target: int | None, count_tokens) -> list[str]:
    """count distinct articles, each a rotation of the seed's sentences: all of them, or as many
    as fit token_target tokens."""
    from summarizer.text import split_sentences

    sentences = [s.text.strip() for s in split_sentences(text) if len(s.text.strip()) > 20]
    articles = []
    for number in range(count):
        rotated = sentences[number % len(sentences) :] + sentences[: number % len(sentences)]
        if token_target is None:
            articles.append(" ".join(rotated))
            continue
        picked: list[str] = []
        for sentence in rotated * 4:
            if picked and count_tokens(" ".join([*picked, sentence])) > token_target:
                break
            picked.append(sentence)
        articles.append(" ".join(picked))
    return articles


def prepare(workdir: Path, args: argparse.Namespace) -> dict[str, object]:
    """Save the random model once, write each article set, describe the inputs."""
    from transformers import AutoTokenizer

    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    spiece = realistic_spiece(ROOT, TINY_VOCAB if args.tiny else MT5_VOCAB)
    shape = TINY_SHAPE if args.tiny else {}
    config = mt5_config(piece_count(spiece), **shape)
    model_dir = save_random_mt5(workdir / "model", spiece, config, "legacy")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)

    def count(candidate: str) -> int:
        return len(tokenizer(candidate, verbose=False)["input_ids"])

    described: dict[str, object] = {"vocab": piece_count(spiece), "sets": {}}
    for name in args.lengths.split(","):
        _, target = LENGTHS[name]
        if args.tiny and target:
            target //= 4
        texts = make_articles(body.strip(), args.articles, target, count)
        rows = [{"id": str(i), "title": title.strip(), "text": t} for i, t in enumerate(texts)]
        Path(workdir, f"articles-{name}.jsonl").write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
        )
        tokens = [count(text) for text in texts]
        described["sets"][name] = {
            "tokens_min": min(tokens),
            "tokens_max": max(tokens),
            "chars_per_token": round(sum(map(len, texts)) / sum(tokens), 2),
        }
    return described


def _options(model_dir: str, args: argparse.Namespace, **changes: object):
    """SummarizerOptions matching the benchmark's generation settings."""
    from summarizer.types import GenerationSettings, SummarizerOptions

    return SummarizerOptions(
        model=model_dir,
        device=args.device,
        threads=args.threads,
        batch_size=args.articles,
        cache_dir=str(Path(args.workdir) / "cache" / "khulasa" / "ct2"),
        generation=GenerationSettings(
            num_beams=4, min_new_tokens=args.new_tokens, max_new_tokens=args.new_tokens
        ),
        **changes,
    )


def _summarizer(path: str, model_dir: str, args: argparse.Namespace):
    """The function from texts to summaries that the worker times."""
    from summarizer.types import Article

    if path == "pipeline":
        import torch

        from benchmarks.baseline import Baseline

        torch.set_num_threads(args.threads)
        baseline = Baseline(model_dir, generation(args.new_tokens), device=args.device)
        return lambda texts, _: [baseline.summarize_one(text) for text in texts]
    if path == "extractive":
        from summarizer.extractive import ExtractiveSummarizer

        backend = ExtractiveSummarizer(_options(model_dir, args, backend="extractive"))
    elif path.startswith("transformers"):
        from summarizer.hf import TransformersSummarizer

        backend = TransformersSummarizer(_options(model_dir, args, quantize=path.endswith("int8")))
    else:
        from summarizer.ct2 import Ct2Summarizer

        changes = {"output_vocabulary": "full"} if path == "ct2_full_vocab" else {}
        if path == "ct2_chunks":
            changes = {"long_input": "chunks"}
        backend = Ct2Summarizer(_options(model_dir, args, **changes))
    return lambda texts, titles: [
        summary.text
        for summary in backend.summarize(
            [Article(t, title=title) for t, title in zip(texts, titles, strict=True)]
        )
    ]


def peak_rss_mb() -> float:
    """This process's peak resident memory; VmHWM, unlike ru_maxrss, starts afresh at exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def cli_command(args: argparse.Namespace, source: Path, target: Path) -> list[str]:
    """`khulasa summarize` in batch mode with the benchmark's generation settings."""
    khulasa = Path(sys.executable).with_name("khulasa")
    command = [str(khulasa)] if khulasa.exists() else [sys.executable, "-m", "bot.cli"]
    command += ["summarize", "--backend", "ct2", "--model", str(Path(args.workdir, "model"))]
    command += ["--num-beams", "4", "--min-new-tokens", str(args.new_tokens)]
    command += ["--max-new-tokens", str(args.new_tokens)]
    return command + ["--input", str(source), "--output", str(target)]


def cli_environment(args: argparse.Namespace) -> dict[str, str]:
    """The CLI's environment: the run's own ct2 cache, no network, the chosen device."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(Path(args.workdir, "cache"))}
    environment["HF_HUB_OFFLINE"] = "1"
    if args.device == "cpu":
        environment["CUDA_VISIBLE_DEVICES"] = ""  # `auto` would otherwise take a GPU
    return environment


def run_cli(args: argparse.Namespace, source: Path) -> dict[str, object]:
    """Run the CLI on source once; its wall time and peak RSS (it is this worker's only child)."""
    target = Path(args.workdir, f"out-{source.stem}.jsonl")
    started = time.perf_counter()
    done = subprocess.run(
        cli_command(args, source, target),
        capture_output=True,
        text=True,
        check=False,
        env=cli_environment(args),
    )
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"khulasa summarize failed:\n{done.stderr[-3000:]}")
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert all(row["summary"] and row["backend"] == "ct2" for row in rows), rows
    return {
        "wall_s": round(wall, 2),
        "articles": len(rows),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "torch_loaded": None,
    }


def worker(args: argparse.Namespace) -> None:
    """Run one path on one article set, print one JSON line with times and peak RSS."""
    source = Path(args.workdir, f"articles-{args.set}.jsonl")
    if args.worker == "ct2_cli":
        print(json.dumps(run_cli(args, source)))
        return
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    texts, titles = [row["text"] for row in rows], [row["title"] for row in rows]
    started = time.perf_counter()
    summarize = _summarizer(args.worker, str(Path(args.workdir) / "model"), args)
    loaded = time.perf_counter()
    summaries = summarize(texts, titles)
    finished = time.perf_counter()
    assert len(summaries) == len(texts) and all(summaries)
    print(
        json.dumps(
            {
                "load_s": round(loaded - started, 2),
                "summarize_s": round(finished - loaded, 2),
                "articles": len(texts),
                "peak_rss_mb": peak_rss_mb(),
                "torch_loaded": "torch" in sys.modules,
            }
        )
    )


def run_path(path: str, length: str, args: argparse.Namespace, threads: int) -> dict[str, object]:
    """Run one path's worker in a fresh interpreter; articles/s from the wall time that counts.

    The baseline counts summarizing only; every khulasa path counts its whole process.
    """
    command = [sys.executable, __file__, "--worker", path, "--set", length]
    command += ["--workdir", args.workdir, "--threads", str(threads), "--device", args.device]
    command += ["--articles", str(args.articles), "--new-tokens", str(args.new_tokens)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{path} failed:\n{done.stderr[-3000:]}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row.setdefault("wall_s", round(wall, 2))
    counted = row["summarize_s"] if path == "pipeline" else row["wall_s"]
    row["articles_per_s"] = row["articles"] / counted
    return row


def kept_share(workdir: str) -> dict[str, object] | None:
    """The trimmed vocabulary's size from the conversion cache (None when nothing was trimmed)."""
    for marker in Path(workdir, "cache").glob("khulasa/ct2/*-vocab-*/khulasa-converted.json"):
        return json.loads(marker.read_text(encoding="utf-8"))
    return None


def table(results: dict[str, dict[str, dict[str, object]]]) -> str:
    """A markdown table per article set with ratios to the baseline."""
    lines = [
        "| articles | path | articles/s | × (a) | peak RSS MB | RSS / (a) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for length, rows in results.items():
        base = rows["pipeline"]
        for name, label in PATHS:
            if name not in rows:
                continue
            row = rows[name]
            lines.append(
                f"| {LENGTHS[length][0]} | {label} | {row['articles_per_s']:.3f} "
                f"| {row['speedup']:.1f}× | {row['peak_rss_mb']:.0f} "
                f"| {row['peak_rss_mb'] / base['peak_rss_mb']:.2f} |"
            )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    """The benchmark's options (and the hidden ones of its workers)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=8, help="articles per set (default 8)")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="threads of the in-process paths (default: all cores; the CLI uses all cores)",
    )
    parser.add_argument(
        "--new-tokens", type=int, default=64, help="tokens every path generates (default 64)"
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cpu", help="where the models run"
    )
    parser.add_argument(
        "--lengths", default=",".join(LENGTHS), help="article sets (default whole,450)"
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
        default=DEFAULT_PATHS,
        help=f"comma-separated subset of {', '.join(n for n, _ in PATHS[1:])}; (a) always runs",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--set", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    """Prepare the model and inputs, run every path on every set, print and save the comparison."""
    args = parse_args()
    if args.worker:
        worker(args)
        return
    chosen = [n for n, _ in PATHS if n == "pipeline" or n in args.paths.split(",")]
    results: dict[str, dict[str, dict[str, object]]] = {}
    with tempfile.TemporaryDirectory(prefix="khulasa-bench-") as workdir:
        args.workdir = workdir
        started = time.perf_counter()
        inputs = prepare(Path(workdir), args)
        print(f"model saved in {time.perf_counter() - started:.0f} s: {inputs}", file=sys.stderr)
        first = args.lengths.split(",")[0]
        if any(name.startswith("ct2") for name in chosen):
            # convert (and trim) into the run's cache first, so the timed runs only load
            warm = run_path("ct2_cli", first, args, args.threads)
            print(f"ct2 conversion run: {warm}", file=sys.stderr)
        for length in args.lengths.split(","):
            results[length] = {}
            for name in chosen:
                threads = 1 if name == "extractive" else args.threads
                results[length][name] = run_path(name, length, args, threads)
                print(f"{length} {name}: {results[length][name]}", file=sys.stderr)
        trimmed = kept_share(workdir)
    for rows in results.values():
        for row in rows.values():
            row["speedup"] = row["articles_per_s"] / rows["pipeline"]["articles_per_s"]
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, device {args.device}",
        "model": "tiny random mT5" if args.tiny else "random mT5-base shape (582M parameters)",
        "inputs": inputs,
        "trimmed_vocabulary": trimmed,
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
