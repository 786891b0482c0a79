"""Query benchmark: p50 / p95 latency of retrieval alone and of a full extractive ask(), warm.

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
    assistant = build_assistant(settings, embedder=embedder)
    questions = [json.loads(line)["question"] for line in args.dataset.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    while len(questions) < args.min_questions:
        questions = questions + questions
    assistant.ask(questions[0])  # warm-up: BM25 build, first Chroma load

    retrieval, full = [], []
    for q in questions:
        t0 = time.perf_counter()
        assistant.retrieve(q)
        t1 = time.perf_counter()
        assistant.ask(q)
        t2 = time.perf_counter()
        retrieval.append((t1 - t0) * 1000)
        full.append((t2 - t1) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(questions)} questions, model {embedder.name} ({embedder.dtype}), "
          f"{assistant.retriever.chunk_count()} chunks, bm25_weight {settings.bm25_weight}")
    print(f"{'':<22} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, values in (("retrieval (embed+search)", retrieval), ("full ask (extractive)", full)):
        print(f"{name:<22} {statistics.median(values):>8.1f} {percentile(values, 95):>8.1f} "
              f"{statistics.fmean(values):>8.1f}")
    print(f"peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
