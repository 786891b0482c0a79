"""Ingest benchmark: full-pipeline chunks/s next to raw sentence-transformers encode of the same texts.

    python benchmarks/ingest.py [--corpus DIR ...] [--no-windows-too]

Per corpus, in one process and one run: a cold ingest into a fresh data dir (chunks and their
sentence/step windows), the raw encode throughput of exactly the chunk texts the pipeline embedded
(the ratio is our overhead), the time of a no-change re-run, of a re-run after one document changed,
and the process's peak memory. With --no-windows-too, also a cold ingest without windows (the
pipeline before issue 11), for the before/after comparison.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()

DEFAULT_CORPORA = [ROOT / "corpus", ROOT.parent / "shared" / "corpora" / "office-nl" / "docs"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def without_windows() -> Any:
    """The pipeline as it was before windows: no window is cut, so none is embedded."""
    from assistant.windows import ChunkWindows

    with mock.patch("ingest.pipeline.chunk_windows", lambda chunk, model: ChunkWindows([], [], [], [])):
        yield


def timed_ingest(settings: Any, embedder: object) -> tuple[Any, float]:
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    started = time.perf_counter()
    report = run_ingest(settings, embedder, ChromaStore(settings))  # type: ignore[arg-type]
    return report, time.perf_counter() - started


def bench_corpus(corpus: Path, embedder: object, batch: int, before_too: bool) -> dict[str, float]:
    from assistant.config import Settings
    from ingest.chunking import Chunker
    from ingest.pipeline import load_corpus

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(corpus, copy)  # one document is edited below
        settings = Settings(corpus_dir=copy, data_dir=Path(tmp) / "data", embed_batch_size=batch)
        report, full = timed_ingest(settings, embedder)

        chunker = Chunker(settings.chunk_words, settings.chunk_overlap_words, embedder.name)  # type: ignore[attr-defined]
        docs = [d for d in load_corpus(settings, type(report)()) if d.active]
        texts = [embedder.document_text(c.title, c.text) for d in docs for c in chunker.chunk(d)]  # type: ignore[attr-defined]
        started = time.perf_counter()
        embedder.encode_raw(texts, batch_size=batch)  # type: ignore[attr-defined]
        raw = time.perf_counter() - started

        rerun, again = timed_ingest(settings, embedder)
        assert rerun.chunks_embedded == 0 and rerun.windows_embedded == 0
        edited = sorted(copy.rglob("*.md"))[len(docs) // 2]
        edited.write_text(edited.read_text(encoding="utf-8") + "\nEen extra zin voor de meting.\n", encoding="utf-8")
        one, one_s = timed_ingest(settings, embedder)
        out = {
            "documents": len(docs), "chunks": report.chunks_total, "windows": report.windows_total,
            "failed": len(report.failed), "pipeline_s": full, "pipeline_cps": report.chunks_total / full,
            "raw_s": raw, "raw_cps": len(texts) / raw, "rerun_s": again, "one_doc_s": one_s,
            "one_doc_embedded": one.chunks_embedded + one.windows_embedded,
        }
    if before_too:
        with tempfile.TemporaryDirectory() as tmp, without_windows():
            settings = Settings(corpus_dir=corpus, data_dir=Path(tmp), embed_batch_size=batch)
            _, out["before_s"] = timed_ingest(settings, embedder)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, action="append", help="corpus root (repeatable)")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--no-windows-too", action="store_true", help="also time a cold ingest without windows")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.config import Settings
    from assistant.model import Embedder

    settings = Settings()
    embedder = Embedder(settings.model_dir, settings.embed_dtype)
    embedder.encode_raw(["title: warm-up | text: opwarmen van het model"] * 4)
    print(f"model {embedder.name} ({embedder.dtype}), batch {args.batch}, peak after load {peak_mb():.0f} MB")
    header = (f"{'corpus':<12} {'docs':>5} {'chunks':>6} {'windows':>7} {'pipeline':>9} {'no windows':>10} "
              f"{'chunks/s':>8} {'raw enc':>8} {'overhead':>8} {'no-change':>9} {'1 doc edit':>10} {'peak MB':>8}")
    print(header)
    for corpus in args.corpus or DEFAULT_CORPORA:
        if not corpus.is_dir():
            print(f"{corpus}: not found, skipped")
            continue
        r = bench_corpus(corpus, embedder, args.batch, args.no_windows_too)
        overhead = r["pipeline_s"] / r["raw_s"]
        before = f"{r['before_s']:>9.1f}s" if "before_s" in r else f"{'—':>10}"
        print(f"{corpus.name[-12:]:<12} {r['documents']:>5.0f} {r['chunks']:>6.0f} {r['windows']:>7.0f} "
              f"{r['pipeline_s']:>8.1f}s {before} {r['pipeline_cps']:>8.2f} {r['raw_s']:>7.1f}s {overhead:>7.2f}x "
              f"{r['rerun_s']:>8.2f}s {r['one_doc_s']:>9.1f}s {peak_mb():>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
