"""Query benchmark: p50 / p95 latency of retrieval alone and of a full extractive ask(), warm, with the
passage chosen by meaning (windows, now) and by shared words (before), side by side in one run.

    python benchmarks/query.py [--corpus DIR] [--dataset FILE] [--data-dir DIR] [--rounds N]

Uses the office-nl corpus and its question set by default (ingested incrementally into the data
dir). Escalations go to the benchmark's own data dir, never to data/.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import cpu_name  # noqa: E402

from assistant.runtime import configure_logging, force_offline  # noqa: E402
from evals.metrics import percentile  # noqa: E402

force_offline()

OFFICE = ROOT.parent / "shared" / "corpora" / "office-nl" / "docs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=OFFICE)
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "office-nl.jsonl")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-office-nl")
    parser.add_argument("--min-questions", type=int, default=100)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.service import build_assistant
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    # office-nl carries no coach directory; routing does not change latency.
    settings = Settings(corpus_dir=args.corpus, data_dir=args.data_dir, coaches_path=ROOT / "corpus" / "coaches.yaml")
    embedder = load_embedder(settings)
    run_ingest(settings, embedder, ChromaStore(settings))
    # The passage chosen by shared words is the path before windows; both run on the same index and model.
    paths = {name: build_assistant(settings.model_copy(update={"passage_selector": name}), embedder=embedder)
             for name in ("words", "meaning")}
    questions = [json.loads(line)["question"] for line in args.dataset.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    while len(questions) < args.min_questions:
        questions = questions + questions
    for assistant in paths.values():
        assistant.ask(questions[0])  # warm-up: BM25 build, window vectors, first Chroma load

    timings: dict[str, list[float]] = {"retrieval (embed+search)": [], "full ask, words (before)": [],
                                       "full ask, meaning (now)": []}
    for i, q in enumerate(questions):
        t0 = time.perf_counter()
        paths["meaning"].retrieve(q)
        timings["retrieval (embed+search)"].append((time.perf_counter() - t0) * 1000)
        # Alternate which path goes first, so neither always runs on a warmer cache.
        for name in (("words", "meaning") if i % 2 else ("meaning", "words")):
            t1 = time.perf_counter()
            paths[name].ask(q)
            label = "full ask, words (before)" if name == "words" else "full ask, meaning (now)"
            timings[label].append((time.perf_counter() - t1) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    meaning = paths["meaning"]
    print(f"{cpu_name()}; {len(questions)} questions, model {embedder.name} ({embedder.dtype}), "
          f"{meaning.retriever.chunk_count()} chunks, {len(meaning.retriever.windows)} windows")
    print(f"{'':<26} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, values in timings.items():
        print(f"{name:<26} {statistics.median(values):>8.1f} {percentile(values, 95):>8.1f} "
              f"{statistics.fmean(values):>8.1f}")
    before, now = timings["full ask, words (before)"], timings["full ask, meaning (now)"]
    print(f"full ask now / before: p50 x{statistics.median(now) / statistics.median(before):.2f}, "
          f"p95 x{(percentile(now, 95) or 0.0) / (percentile(before, 95) or 1.0):.2f}")
    print(f"peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
