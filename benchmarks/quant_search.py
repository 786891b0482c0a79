"""Screening of the int8 variants: cosine to torch float32 on passages and questions, CPU time per text, and
retrieval of both eval sets on the float32 index with each variant's question vectors.

One subprocess per variant and one for torch float32 (`ref`), all AVX2-capped like every measurement of
benchmarks/quantised.py, each embedding the same length-representative passages of office-nl (batches of 16,
as ingest does) and every question of both eval sets one at a time (as a lone question is embedded). The
retrieval step needs no model: it ranks the saved question vectors in the float32 index of a quality run
(`--index-root`), so it measures the mixed path (float32 index, quantised question) on both sets; a variant
whose passages stay close to float32 is the one worth a full run with its own index.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

SCREEN_PASSAGES = 64


def texts(passages: int) -> tuple[list[tuple[str, str]], list[str]]:
    from quant_worker import cases_for, settings_for

    from ingest.chunking import Chunker
    from ingest.pipeline import IngestReport, load_corpus

    settings = settings_for("office-nl", Path("/nonexistent"), 0)
    chunker = Chunker(settings.chunk_words, settings.chunk_overlap_words, "embeddinggemma-300m")
    chunks = sorted((c for d in load_corpus(settings, IngestReport()) if d.active for c in chunker.chunk(d)),
                    key=lambda c: len(c.text))
    subset = chunks[:: max(1, len(chunks) // passages)][:passages]
    questions = [c["question"] for s in ("sample", "office-nl") for c in cases_for(s)]
    return [(c.title, c.text) for c in subset], questions


def screen(args: argparse.Namespace) -> dict[str, Any]:
    """Worker: vectors of the screening texts with one variant (or torch float32 for `ref`), timed."""
    import quant_onnx

    from assistant.config import Settings

    passages, questions = texts(args.passages)
    model_dir = Settings().model_dir
    if args.candidate == "ref":
        from assistant.model import Embedder

        embedder: Any = Embedder(model_dir, "float32", threads=1)
    else:
        embedder = quant_onnx.OrtEmbedder(args.onnx_dir, quant_onnx.variant_file(args.candidate), model_dir, 1)
    embedder.embed_queries(["opwarmen"])
    cpu, wall = time.process_time(), time.perf_counter()
    docs = np.concatenate([embedder.embed_documents(passages[i:i + 16]) for i in range(0, len(passages), 16)])
    doc_cpu, doc_wall = time.process_time() - cpu, time.perf_counter() - wall
    q_cpu = []
    vecs = []
    for question in questions:
        started = time.process_time()
        vecs.append(embedder.embed_queries([question])[0])
        q_cpu.append((time.process_time() - started) * 1000)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / f"screen-{args.candidate}-docs.npy", docs)
    np.save(out / f"screen-{args.candidate}-queries.npy", np.stack(vecs))
    return {"candidate": args.candidate, "passages": len(passages), "doc_cpu_s": round(doc_cpu, 1),
            "doc_wall_s": round(doc_wall, 1), "query_cpu_p50_ms": float(np.median(q_cpu)),
            "query_cpu_p95_ms": float(np.percentile(q_cpu, 95)),
            "loadavg": os.getloadavg()[0]}


def compare(out: Path, names: list[str]) -> list[dict[str, Any]]:
    ref_d, ref_q = np.load(out / "screen-ref-docs.npy"), np.load(out / "screen-ref-queries.npy")
    rows = []
    for name in names:
        path = out / f"screen-{name}-docs.npy"
        if not path.is_file():
            continue
        docs, queries = np.load(path), np.load(out / f"screen-{name}-queries.npy")
        dcos, qcos = np.sum(docs * ref_d, axis=1), np.sum(queries * ref_q, axis=1)
        result = json.loads((out / f"screen-{name}.json").read_text())
        rows.append({"variant": name, "doc_cos_mean": float(dcos.mean()), "doc_cos_min": float(dcos.min()),
                     "q_cos_mean": float(qcos.mean()), "q_cos_min": float(qcos.min()), **result})
    return rows


def retrieval(out: Path, names: list[str], index_root: Path) -> dict[str, dict[str, Any]]:
    """Per variant and set: hit@1/5, MRR and AUCs of its question vectors ranked in the float32 index."""
    from types import SimpleNamespace

    import quant_report
    from quant_worker import _retriever, cases_for, rank_all

    from assistant.config import Settings
    from assistant.model.files import model_name

    probe = SimpleNamespace(name=model_name(Settings().model_dir), dimension=768)
    sets = {s: cases_for(s) for s in ("sample", "office-nl")}
    retrievers = {s: _retriever(argparse.Namespace(), probe, s, index_root / f"index-{s}") for s in sets}
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        path = out / f"screen-{name}-queries.npy"
        if not path.is_file():
            continue
        vectors, start = np.load(path), 0
        for set_name, cases in sets.items():
            ranked = rank_all(retrievers[set_name], cases, vectors[start:start + len(cases)])
            results.setdefault(name, {})[set_name] = quant_report.quality(ranked, set_name)
            start += len(cases)
    return results


def render_retrieval(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| question vectors | sample hit@1 / hit@5 / MRR | office-nl hit@1 / hit@5 / MRR | "
             "AUC confidence sample / office-nl |", "|---|---|---|---|"]
    for name, sets in results.items():
        cells = [" / ".join(f"{sets[s][k]:.3f}" for k in ("hit@1", "hit@5", "mrr")) for s in ("sample", "office-nl")]
        auc = " / ".join(f"{sets[s]['auc_conf']:.3f}" for s in ("sample", "office-nl"))
        lines.append(f"| {'torch float32' if name == 'ref' else name} | {cells[0]} | {cells[1]} | {auc} |")
    return "\n".join(lines)


def render(rows: list[dict[str, Any]], ref: dict[str, Any]) -> str:
    lines = ["| variant | passage cos mean / min | question cos mean / min | passages CPU s (× float32) | "
             "question CPU p50 / p95 ms |", "|---|---|---|---|---|"]
    lines.append(f"| torch float32 | 1 / 1 | 1 / 1 | {ref['doc_cpu_s']} (1.00×) | {_ms(ref)} |")
    for r in rows:
        speed = ref["doc_cpu_s"] / r["doc_cpu_s"] if r["doc_cpu_s"] else 0
        lines.append(f"| {r['variant']} | {r['doc_cos_mean']:.4f} / {r['doc_cos_min']:.4f} | "
                     f"{r['q_cos_mean']:.4f} / {r['q_cos_min']:.4f} | {r['doc_cpu_s']} ({speed:.2f}×) | "
                     f"{_ms(r)} |")
    return "\n".join(lines)


def _ms(result: dict[str, Any]) -> str:
    p95 = result.get("query_cpu_p95_ms")
    return f"{result['query_cpu_p50_ms']:.0f} / " + (f"{p95:.0f}" if p95 is not None else "–")
