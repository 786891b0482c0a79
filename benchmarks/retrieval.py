"""Retrieval comparison and tuning: BM25 alone, dense alone, fused (grid), plus the confidence threshold.

    python benchmarks/retrieval.py --corpus ../shared/corpora/office-nl/docs \
        --dataset evals/datasets/office-nl.jsonl --data-dir data/evals-office-nl

Embeds each question once, then evaluates every fusion weight on the cached vectors. Prints
hit@1 / hit@5 / MRR side by side, and escalation precision / recall per confidence threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import old_confidence  # noqa: E402

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()


def doc_ranking(chunks: list[Any], scored: list[tuple[int, float]]) -> list[str]:
    return list(dict.fromkeys(chunks[i].source for i, _ in scored))


def rank_metrics(rankings: list[list[str]], expected: list[list[str]]) -> dict[str, float]:
    ranks = []
    for ranking, exp in zip(rankings, expected, strict=True):
        rank = next((i + 1 for i, src in enumerate(ranking) if src in exp), None)
        ranks.append(rank)
    n = len(ranks) or 1
    return {
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if r and r <= 5) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    configure_logging("WARNING")

    from assistant.config import Settings
    from assistant.model import Embedder
    from assistant.retrieval import Retriever, fuse
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=args.corpus, data_dir=args.data_dir)
    embedder = Embedder(settings.model_dir, settings.embed_dtype)
    store = ChromaStore(settings)
    run_ingest(settings, embedder, store)
    retriever = Retriever(settings, store, embedder.name, embedder.dimension)
    retriever.chunk_count()
    info = store.require_live(embedder.name, embedder.dimension)
    chunks = retriever._chunks
    cases = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    vectors = embedder.embed_queries([c["question"] for c in cases])
    print(f"{len(cases)} questions embedded in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    n = 60
    dense_all, sparse_all = [], []
    for case, vec in zip(cases, vectors, strict=True):
        dense = [(retriever._by_id[cid], s) for cid, s in store.dense_search(info, vec, n)]
        sparse = retriever._bm25.top(case["question"], n)
        dense_all.append(dense)
        sparse_all.append(sparse)

    answerable = [i for i, c in enumerate(cases) if c["answerable"]]
    expected = [cases[i]["expected_sources"] for i in answerable]
    results: dict[str, dict[str, float]] = {}
    results["bm25 alone"] = rank_metrics([doc_ranking(chunks, sparse_all[i]) for i in answerable], expected)
    results["dense alone"] = rank_metrics([doc_ranking(chunks, dense_all[i]) for i in answerable], expected)
    results["rrf k=60 equal"] = rank_metrics([doc_ranking(chunks, rrf(dense_all[i], sparse_all[i], 1.0, 60))
                                              for i in answerable], expected)
    for w in (0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3):
        results[f"score fusion w={w}"] = rank_metrics(
            [doc_ranking(chunks, fuse(dense_all[i], sparse_all[i], w)) for i in answerable], expected)
    print(f"\n{'method':<24} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}   (n={len(answerable)} answerable)")
    for name, m in results.items():
        print(f"{name:<24} {m['hit@1']:>6.3f} {m['hit@5']:>6.3f} {m['mrr']:>6.3f}")

    w = settings.bm25_weight
    conf_rows = []
    for i, case in enumerate(cases):
        found = retriever._assemble(fuse(dense_all[i], sparse_all[i], w), dict(dense_all[i]), sparse_all[i])
        conf_rows.append((case["answerable"], old_confidence(found, 1.0), found.best_dense))
    print(f"AUC of best dense similarity (answerable vs not): {auc(conf_rows, 2):.3f}; "
          f"of confidence: {auc(conf_rows, 1):.3f}")
    print(f"\nconfidence before issue 11 (bm25_weight={w}): escalate when confidence < threshold")
    print(f"{'thr':>5} {'prec':>6} {'recall':>6} {'F1':>6} {'needless':>8}")
    for thr in [x / 100 for x in range(20, 80, 4)]:
        tp = sum(1 for a, c, _ in conf_rows if not a and c < thr)
        fp = sum(1 for a, c, _ in conf_rows if a and c < thr)
        fn = sum(1 for a, c, _ in conf_rows if not a and c >= thr)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"{thr:>5.2f} {prec:>6.3f} {rec:>6.3f} {f1:>6.3f} {fp:>8d}")
    ans = sorted(s for a, _, s in conf_rows if a)
    una = sorted(s for a, _, s in conf_rows if not a)
    print(f"\nbest dense similarity: answerable median {ans[len(ans) // 2]:.3f} min {ans[0]:.3f}; "
          f"unanswerable median {una[len(una) // 2]:.3f} max {una[-1]:.3f}")
    if args.json:
        args.json.write_text(json.dumps({"retrieval": results, "confidence": conf_rows}, indent=1))
    return 0


def auc(rows: list[tuple[bool, float, float]], col: int) -> float:
    pos = [r[col] for r in rows if r[0]]
    neg = [r[col] for r in rows if not r[0]]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg)) if pos and neg else 0.0


def rrf(dense: list[tuple[int, float]], sparse: list[tuple[int, float]], w: float, k: int) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for rank, (i, _) in enumerate(dense, start=1):
        scores[i] = scores.get(i, 0.0) + 1.0 / (k + rank)
    for rank, (i, _) in enumerate(sparse, start=1):
        scores[i] = scores.get(i, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


if __name__ == "__main__":
    raise SystemExit(main())
