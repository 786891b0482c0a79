"""Clustering quality of the gap board, side by side: adjusted Rand index and V-measure against the labelled
questions in evals/datasets/clusters/gaps-clusters.jsonl (intended grouping per question).

    python benchmarks/clustering.py [--dataset FILE]

Each question is embedded once, as the chat page embeds it (query prompt). Methods: agglomerative clustering
with a cosine distance threshold (average and complete linkage, scipy; what the app ships) and HDBSCAN
(scikit-learn, a dev dependency) at several settings. Prints a Markdown table and the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, force_offline  # noqa: E402

force_offline()

DATASET = ROOT / "evals" / "datasets" / "clusters" / "gaps-clusters.jsonl"


def cpu_name() -> str:
    """The CPU model, whether it has native bfloat16 (what the embedder's dtype depends on) and how many cores."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    bf16 = "avx512_bf16" if "avx512_bf16" in flags else "no avx512_bf16" + (", avx2" if "avx2" in flags else "")
    return f"{model} ({bf16}, {os.cpu_count()} cores)"


def as_groups(labels: np.ndarray) -> np.ndarray:
    """Noise (-1, HDBSCAN) becomes a singleton each: a lone question is its own card, not one big group."""
    out, nxt = labels.copy(), int(labels.max(initial=0)) + 1
    for i in np.flatnonzero(labels < 0):
        out[i], nxt = nxt, nxt + 1
    return out


def methods(vectors: np.ndarray) -> list[tuple[str, np.ndarray, float]]:
    from sklearn.cluster import HDBSCAN

    from assistant.clustering import agglomerative

    runs: list[tuple[str, np.ndarray, float]] = []
    for method in ("average", "complete"):
        for threshold in (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60):
            start = time.perf_counter()
            labels = agglomerative(vectors, threshold, method)
            runs.append((f"agglomerative {method}, distance {threshold:.2f}", labels, time.perf_counter() - start))
    for size in (2, 3, 4):
        for samples in (1, 2):
            start = time.perf_counter()
            model = HDBSCAN(min_cluster_size=size, min_samples=samples, metric="euclidean", copy=True)
            labels = model.fit_predict(vectors)
            runs.append((f"HDBSCAN min_cluster_size={size}, min_samples={samples}", as_groups(labels),
                         time.perf_counter() - start))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    from assistant.clustering import unit_rows
    from assistant.config import Settings
    from assistant.model import load_embedder

    rows = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    truth = [r["group"] for r in rows]
    embedder = load_embedder(Settings())
    vectors = unit_rows(np.asarray(embedder.embed_queries([r["question"] for r in rows]), dtype=np.float32))
    print(f"{len(rows)} questions in {len(set(truth))} groups · {embedder.name} · CPU: {cpu_name()}\n")
    print("| method | clusters | ARI | V-measure | ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, labels, seconds in methods(vectors):
        print(f"| {name} | {len(set(labels.tolist()))} | {adjusted_rand_score(truth, labels):.3f} | "
              f"{v_measure_score(truth, labels):.3f} | {seconds * 1000:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
