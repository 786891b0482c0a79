"""Ingest benchmark: full-pipeline chunks/s next to raw sentence-transformers encode of the same texts.

    python benchmarks/ingest.py [--corpus DIR ...]

Per corpus, in one process and one run: a cold ingest into a fresh data dir, the raw encode
throughput of exactly the texts the pipeline embedded (the ratio is our overhead), the time of a
no-change re-run, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()

DEFAULT_CORPORA = [ROOT / "corpus", ROOT.parent / "shared" / "corpora" / "office-nl" / "docs"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_corpus(corpus: Path, embedder: object, batch: int) -> dict[str, float]:
    from assistant.config import Settings
    from assistant.store import ChromaStore
    from ingest.chunking import Chunker
    from ingest.pipeline import load_corpus, run_ingest

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(corpus_dir=corpus, data_dir=Path(tmp), embed_batch_size=batch)
        started = time.perf_counter()
        report = run_ingest(settings, embedder, ChromaStore(settings))  # type: ignore[arg-type]
        full = time.perf_counter() - started

        chunker = Chunker(settings.chunk_words, settings.chunk_overlap_words, embedder.name)  # type: ignore[attr-defined]
        docs = [d for d in load_corpus(settings, type(report)()) if d.active]
        texts = [embedder.document_text(c.title, c.text) for d in docs for c in chunker.chunk(d)]  # type: ignore[attr-defined]
        started = time.perf_counter()
        embedder.encode_raw(texts, batch_size=batch)  # type: ignore[attr-defined]
        raw = time.perf_counter() - started

        started = time.perf_counter()
        rerun = run_ingest(settings, embedder, ChromaStore(settings))  # type: ignore[arg-type]
        again = time.perf_counter() - started
        assert rerun.chunks_embedded == 0
    return {
        "documents": len(docs), "chunks": report.chunks_total, "failed": len(report.failed),
        "pipeline_s": full, "pipeline_cps": report.chunks_total / full,
        "raw_s": raw, "raw_cps": len(texts) / raw, "rerun_s": again,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, action="append", help="corpus root (repeatable)")
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.config import Settings
    from assistant.model import Embedder

    settings = Settings()
    embedder = Embedder(settings.model_dir, settings.embed_dtype)
    embedder.encode_raw(["title: warm-up | text: opwarmen van het model"] * 4)
    print(f"model {embedder.name} ({embedder.dtype}), batch {args.batch}, peak after load {peak_mb():.0f} MB")
    header = (f"{'corpus':<28} {'docs':>5} {'chunks':>6} {'pipeline':>9} {'chunks/s':>8} {'raw enc':>8} "
              f"{'texts/s':>8} {'overhead':>8} {'no-change':>9} {'peak MB':>8}")
    print(header)
    for corpus in args.corpus or DEFAULT_CORPORA:
        if not corpus.is_dir():
            print(f"{corpus}: not found, skipped")
            continue
        r = bench_corpus(corpus, embedder, args.batch)
        overhead = r["pipeline_s"] / r["raw_s"]
        print(f"{corpus.name[-28:]:<28} {r['documents']:>5.0f} {r['chunks']:>6.0f} {r['pipeline_s']:>8.1f}s "
              f"{r['pipeline_cps']:>8.2f} {r['raw_s']:>7.1f}s {r['raw_cps']:>8.2f} {overhead:>7.2f}x "
              f"{r['rerun_s']:>8.2f}s {peak_mb():>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
