"""Grouping question vectors by meaning: agglomerative clustering with a cosine distance threshold.

Average linkage with a threshold needs no number of clusters and leaves a lone question alone; it scored best of
the methods compared on evals/datasets/clusters/gaps-clusters.jsonl (benchmarks/clustering.py; README,
"Clustering, measured").
"""

from __future__ import annotations

import numpy as np


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def agglomerative(vectors: np.ndarray, distance: float, method: str = "average") -> np.ndarray:
    """Cluster labels 0..k-1 per row; rows closer than `distance` (cosine, by `method` linkage) share a label."""
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    # One float32 matrix product instead of scipy's pairwise loop: ten times faster on a thousand questions.
    unit = unit_rows(np.asarray(vectors, dtype=np.float32))
    square = np.clip(1.0 - unit @ unit.T, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(square, 0.0)
    tree = linkage(squareform(square, checks=False), method=method)
    labels = fcluster(tree, t=distance, criterion="distance") - 1
    return _renumber(labels)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Labels in order of first appearance, so equal groupings give equal labels."""
    seen: dict[int, int] = {}
    return np.array([seen.setdefault(int(x), len(seen)) for x in labels], dtype=int)


def medoid(vectors: np.ndarray) -> int:
    """Index of the row most similar to all others: the most central question of a cluster."""
    if len(vectors) <= 2:
        return 0
    # sum_j v_i . v_j = v_i . sum_j v_j: the same choice as the full similarity matrix, in O(n).
    return int(np.argmax(vectors @ vectors.sum(axis=0)))


def centroid(vectors: np.ndarray) -> np.ndarray:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def nearest(centroids: np.ndarray, vectors: np.ndarray, min_similarity: float) -> np.ndarray:
    """For each vector the index of the closest centroid, or -1 when none is at least `min_similarity`."""
    if len(centroids) == 0 or len(vectors) == 0:
        return np.full(len(vectors), -1, dtype=int)
    sims = vectors @ centroids.T
    best = sims.argmax(axis=1)
    return np.where(sims[np.arange(len(vectors)), best] >= min_similarity, best, -1)
