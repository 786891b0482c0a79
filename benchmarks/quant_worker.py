"""One measurement process of benchmarks/quantised.py: produce a candidate, or ingest with it, or query with it.

Prints nothing but its JSON result (the orchestrator reads the last line of stdout). Indexes, question vectors
and rankings are written under the run folder so later candidates can be compared with float32.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from quantised import ROOT, SETS

QUICK_QUESTIONS = 5
QUICK_CHUNKS = 4
SPEED_CHUNKS = 32
REFERENCE_WAIT_S = 3600


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def isa_report() -> dict[str, Any]:
    """What the runtimes in this process believe the CPU can do."""
    import sys

    torch = sys.modules.get("torch")
    report: dict[str, Any] = {"torch": torch.backends.cpu.get_cpu_capability() if torch else "not loaded"}
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats

        report["numpy_avx512f"] = bool(feats.get("AVX512F"))
    except ImportError:
        pass
    preload = os.environ.get("LD_PRELOAD", "")
    if preload:
        lib = ctypes.CDLL(preload)
        lib.avx2_cpuid_traps.restype = ctypes.c_ulong
        report["cpuid_shim_active"] = bool(lib.avx2_cpuid_active())
        report["cpuid_traps"] = int(lib.avx2_cpuid_traps())
    return report


def avx512_state_ms() -> list[int]:
    """Per thread, ms since the kernel last saw AVX-512 register state in use (-1: never)."""
    out = []
    for status in Path("/proc/self/task").glob("*/arch_status"):
        for line in status.read_text().splitlines():
            if line.startswith("AVX512_elapsed_ms"):
                out.append(int(line.split()[1]))
    return out


def settings_for(set_name: str, data_dir: Path, threads: int) -> Any:
    from assistant.config import Settings

    corpus, _ = SETS[set_name]
    return Settings(corpus_dir=corpus, data_dir=data_dir, coaches_path=ROOT / "corpus" / "coaches.yaml",
                    embed_threads=threads, log_level="WARNING")


def cases_for(set_name: str) -> list[dict[str, Any]]:
    _, dataset = SETS[set_name]
    return [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_candidate(args: argparse.Namespace, threads: int) -> tuple[Any, dict[str, Any]]:
    import quant_candidates as qc

    from assistant.config import Settings

    candidate = qc.CANDIDATES[args.candidate]
    rss_before = rss_mb()
    started = time.perf_counter()
    embedder = qc.load(candidate, Settings().model_dir, args.scratch, threads)
    loaded = time.perf_counter() - started
    embedder.embed_queries(["opwarmen van het model"])
    info = {"load_s": round(loaded, 2), "first_encode_s": round(time.perf_counter() - started - loaded, 2),
            "rss_after_load_mb": round(rss_mb()), "rss_before_load_mb": round(rss_before),
            "dtype": embedder.dtype, **qc.runtime_details(embedder)}
    return embedder, info


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.phase == "produce":
        return produce(args)
    if args.phase == "screen":
        import quant_search

        return quant_search.screen(args)
    result: dict[str, Any] = {"phase": args.phase, "candidate": args.candidate, "mode": args.mode,
                              "loadavg_start": os.getloadavg()[0]}
    threads = (os.cpu_count() or 1) if args.phase in ("ingest", "speed-ingest") else 1
    embedder, info = load_candidate(args, threads)
    result.update(info, threads=threads)
    started = time.perf_counter()
    if args.phase == "ingest":
        result["sets"] = ingest(args, embedder)
    elif args.phase == "query":
        result["sets"] = {s: query_set(args, embedder, s) for s in args.sets.split(",")}
    elif args.phase == "speed-ingest":
        result["ingest"] = ingest_speed(args, embedder)
    else:
        result["ask"] = ask_latency(args, embedder)
    result["peak_rss_mb"] = round(peak_mb())
    result["loadavg_end"] = os.getloadavg()[0]
    result["isa"] = isa_report()
    state = avx512_state_ms()
    result["isa"]["avx512_state_ms_min"] = min(state) if state else None
    result["isa"]["measured_s"] = round(time.perf_counter() - started, 1)
    return result


def produce(args: argparse.Namespace) -> dict[str, Any]:
    import quant_candidates as qc

    from assistant.config import Settings
    from assistant.model.files import SAFETENSORS_SHA256

    src = qc.copy_source(Settings().model_dir, args.scratch, SAFETENSORS_SHA256)
    produced = qc.produce(qc.CANDIDATES[args.candidate], src, args.scratch)
    qc.save_manifest(args.scratch, {args.candidate: produced})
    return produced


def run_dir(args: argparse.Namespace) -> Path:
    return Path(args.out) / args.mode / args.candidate


def reference_dir(args: argparse.Namespace) -> Path:
    """Where the reference (float32) indexes and question vectors live: --index-root/<mode>/<candidate>."""
    name, mode = args.reference.split("@")
    return Path(args.index_root or args.out) / mode / name


def ingest(args: argparse.Namespace, embedder: Any) -> dict[str, Any]:
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    out: dict[str, Any] = {}
    for set_name in args.sets.split(","):
        data_dir = run_dir(args) / f"index-{set_name}"
        shutil.rmtree(data_dir, ignore_errors=True)
        settings = settings_for(set_name, data_dir, 0)
        started = time.perf_counter()
        report = run_ingest(settings, embedder, ChromaStore(settings))
        seconds = time.perf_counter() - started
        out[set_name] = {"chunks": report.chunks_total, "embedded": report.chunks_embedded,
                         "seconds": round(seconds, 2), "cps": report.chunks_embedded / seconds,
                         "failed": len(report.failed)}
    return out


def _retriever(args: argparse.Namespace, embedder: Any, set_name: str, data_dir: Path) -> Any:
    from assistant.errors import DigihulpError
    from assistant.retrieval import Retriever
    from assistant.store import ChromaStore

    if not (data_dir / "chroma").is_dir():
        return None
    settings = settings_for(set_name, data_dir, 1)
    retriever = Retriever(settings, ChromaStore(settings), embedder.name, embedder.dimension)
    try:
        retriever.chunk_count()
    except DigihulpError:  # an index whose ingest was stopped: nothing published
        return None
    return retriever


def query_set(args: argparse.Namespace, embedder: Any, set_name: str) -> dict[str, Any]:
    """Embed each question alone (timed), rank with the own index, the float32 index, and float32's vectors."""
    cases = cases_for(set_name)
    latencies, vectors = [], []
    for case in cases:
        started = time.perf_counter()
        vectors.append(embedder.embed_query(case["question"]))
        latencies.append((time.perf_counter() - started) * 1000)
    vecs = np.stack(vectors)
    here = run_dir(args)
    here.mkdir(parents=True, exist_ok=True)
    np.save(here / f"queries-{set_name}.npy", vecs)
    result: dict[str, Any] = {"n": len(cases), "embed_ms": latencies,
                              "embed_p50": statistics.median(latencies), "embed_p95": pct(latencies, 95)}
    own = _retriever(args, embedder, set_name, here / f"index-{set_name}")
    is_ref = f"{args.candidate}@{args.mode}" == args.reference
    ref = None if is_ref else _retriever(args, embedder, set_name, reference_dir(args) / f"index-{set_name}")
    ref_file = reference_dir(args) / f"queries-{set_name}.npy"
    waited = 0
    while not is_ref and not ref_file.is_file() and waited < REFERENCE_WAIT_S:  # reference run still going
        time.sleep(30)
        waited += 30
    if ref is None and not is_ref:
        ref = _retriever(args, embedder, set_name, reference_dir(args) / f"index-{set_name}")
    ref_vecs = np.load(ref_file) if ref_file.is_file() and not is_ref else None
    if ref_vecs is not None and len(ref_vecs) >= len(vecs):
        cos = np.sum(vecs * ref_vecs[: len(vecs)], axis=1)
        result["query_cos_f32"] = {"mean": float(cos.mean()), "min": float(cos.min())}
    runs = {"own": (own, vecs), "f32_index": (ref, vecs),
            "own_index_f32_queries": (own, ref_vecs[: len(vecs)] if ref_vecs is not None else None)}
    for label, (retriever, qv) in runs.items():
        if retriever is not None and qv is not None:
            result[label] = rank_all(retriever, cases, qv)
    if own is not None and ref is not None:
        result["doc_cos_f32"] = doc_cosines(own, ref)
    return result


def rank_all(retriever: Any, cases: list[dict[str, Any]], vecs: np.ndarray) -> dict[str, Any]:
    from common import old_confidence  # the confidence score assistant/confidence.py computed before issue 11

    rankings, best, conf = [], [], []
    for case, vec in zip(cases, vecs, strict=True):
        found = retriever.search(case["question"], vec)
        rankings.append([src for src, _ in found.documents[:5]])
        best.append(found.best_dense)
        conf.append(old_confidence(found, 1.0))
    return {"top5": rankings, "best_dense": best, "confidence": conf}


def doc_cosines(own: Any, ref: Any) -> dict[str, float]:
    mine = own._store.vectors_by_hash(own._store.live_info())
    theirs = ref._store.vectors_by_hash(ref._store.live_info())
    common = sorted(set(mine) & set(theirs))
    cos = np.array([float(np.dot(mine[h], theirs[h])) for h in common])
    return {"n": len(common), "mean": float(cos.mean()), "min": float(cos.min())} if len(common) else {}


def ingest_speed(args: argparse.Namespace, embedder: Any) -> dict[str, Any]:
    """Chunks/s on a fixed, length-representative subset of office-nl, batched as the ingest pipeline does."""
    from ingest.chunking import Chunker
    from ingest.pipeline import IngestReport, load_corpus

    settings = settings_for("office-nl", run_dir(args) / "unused", 0)
    chunker = Chunker(settings.chunk_words, settings.chunk_overlap_words, embedder.name)
    docs = [d for d in load_corpus(settings, IngestReport()) if d.active]
    chunks = sorted((c for d in docs for c in chunker.chunk(d)), key=lambda c: len(c.text))
    n = QUICK_CHUNKS if args.quick == "yes" else SPEED_CHUNKS
    subset = chunks[:: max(1, len(chunks) // n)][:n]
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(subset), settings.embed_batch_size):
        batch = subset[i:i + settings.embed_batch_size]
        embedder.embed_documents([(c.title, c.text) for c in batch], batch_size=settings.embed_batch_size)
    seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    # cpu_cps: chunks per CPU-second of all threads, times the cores: the rate an otherwise idle machine would
    # reach if the threads scaled perfectly (an upper bound; wall-clock cps is the measured one).
    return {"chunks": len(subset), "of": len(chunks), "seconds": round(seconds, 2), "cps": len(subset) / seconds,
            "cpu_s": round(cpu_s, 2), "cpu_cps": len(subset) / cpu_s * (os.cpu_count() or 1),
            "quick": args.quick == "yes"}


class TimedEmbedder:
    """Times each question embedding inside ask(), so one loop gives both embed and ask latency."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.times: list[float] = []
        self.cpu: list[float] = []  # process CPU ms: on 1 compute thread, the latency an idle CPU would give

    def embed_query(self, question: str) -> np.ndarray:
        started, cpu = time.perf_counter(), time.process_time()
        vector = self.inner.embed_query(question)
        self.times.append((time.perf_counter() - started) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)
        return vector

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def ask_latency(args: argparse.Namespace, embedder: Any) -> dict[str, Any]:
    """Full extractive ask() on a copy of the reference office-nl index, 1 thread, warm, as benchmarks/query.py."""
    from assistant.service import build_assistant

    settings = settings_for("office-nl", Path(args.out) / "ask-index", 1)
    timed = TimedEmbedder(embedder)
    assistant = build_assistant(settings, embedder=timed)
    questions = [c["question"] for c in cases_for("office-nl")][: args.ask]
    if args.quick == "yes":
        questions = questions[:QUICK_QUESTIONS]
    assistant.ask(questions[0])  # warm-up: BM25 build, first Chroma load
    timed.times.clear()
    timed.cpu.clear()
    times, cpu = [], []
    for question in questions:
        started, cpu_started = time.perf_counter(), time.process_time()
        assistant.ask(question)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return {"n": len(times), "p50": statistics.median(times), "p95": pct(times, 95),
            "embed_p50": statistics.median(timed.times), "embed_p95": pct(timed.times, 95),
            "cpu_p50": statistics.median(cpu), "cpu_p95": pct(cpu, 95),
            "embed_cpu_p50": statistics.median(timed.cpu), "embed_cpu_p95": pct(timed.cpu, 95)}
