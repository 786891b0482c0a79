"""Duplicate threshold: cosine similarity of the real model's question vectors for the same question asked again
(benchmarks/paraphrases.jsonl: the id of an eval question and a rewording of it) against different questions.

    python benchmarks/duplicates.py [--model-dtype auto|float32|bfloat16]

Different questions are every pair of eval questions that expect different sources ("different"), and, harder,
pairs that expect the same source but ask something else ("same source"). A wrong merge hides a colleague's
question, a missed one only costs a duplicate escalation: so the threshold is the lowest one at which no pair of
different questions merges, and the recall of paraphrases at it is what near-identical text cannot catch.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.runtime import configure_logging, cpu_name, force_offline  # noqa: E402

force_offline()

DATASETS = (ROOT / "evals" / "datasets" / "sample.jsonl", ROOT / "evals" / "datasets" / "office-nl.jsonl")
PARAPHRASES = ROOT / "benchmarks" / "paraphrases.jsonl"  # not an eval set: pairs, not cases


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def negative_pairs(rows: list[dict[str, object]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(different sources, same source) index pairs within one dataset."""
    different: list[tuple[int, int]] = []
    same: list[tuple[int, int]] = []
    for i, j in itertools.combinations(range(len(rows)), 2):
        a, b = set(rows[i]["expected_sources"] or ()), set(rows[j]["expected_sources"] or ())  # type: ignore[call-overload]
        (same if a and a == b else different).append((i, j))
    return different, same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dtype", default="auto", choices=("auto", "float32", "bfloat16"))
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    from assistant.config import Settings
    from assistant.duplicates import near_identical, normalise
    from assistant.model import load_embedder

    embedder = load_embedder(Settings(embed_dtype=args.model_dtype), all_cores=True)
    by_id: dict[str, tuple[str, np.ndarray]] = {}
    positives: list[float] = []
    different: list[float] = []
    same: list[float] = []
    for path in DATASETS:
        rows = load(path)
        vectors = embedder.embed_queries([str(r["question"]) for r in rows])
        by_id.update({str(r["id"]): (str(r["question"]), vectors[k]) for k, r in enumerate(rows)})
        diff_pairs, same_pairs = negative_pairs(rows)
        different += [float(vectors[i] @ vectors[j]) for i, j in diff_pairs]
        same += [float(vectors[i] @ vectors[j]) for i, j in same_pairs]
    pairs = load(PARAPHRASES)
    again = embedder.embed_queries([str(p["again"]) for p in pairs])
    text_hits = 0
    for k, pair in enumerate(pairs):
        question, vector = by_id[str(pair["id"])]
        positives.append(float(vector @ again[k]))
        text_hits += near_identical(normalise(question), normalise(str(pair["again"])))
    pos, dif, sm = np.array(positives), np.array(different), np.array(same)
    print(f"{embedder.name} ({args.model_dtype}) on {cpu_name()}")
    print(f"paraphrase pairs {len(pos)}, different-question pairs {len(dif)}, same-source pairs {len(sm)}")
    print(f"near-identical text catches {text_hits}/{len(pos)} paraphrases")
    for name, values in (("paraphrases", pos), ("different", dif), ("same source", sm)):
        q = np.percentile(values, [0, 5, 50, 95, 100])
        print(f"  cosine {name:<12} min {q[0]:.3f}  p5 {q[1]:.3f}  median {q[2]:.3f}  p95 {q[3]:.3f}  max {q[4]:.3f}")
    print(f"{'threshold':>9} {'paraphrases merged':>19} {'different merged':>17} {'same-source merged':>19}")
    for t in np.arange(0.70, 0.99, 0.02):
        print(f"{t:>9.2f} {np.mean(pos >= t):>19.1%} {int(np.sum(dif >= t)):>17d} {int(np.sum(sm >= t)):>19d}")
    safe = float(max(dif.max(), sm.max())) + 0.01
    print(f"lowest threshold without a wrong merge (max of both negatives + 0.01): {safe:.3f}; "
          f"paraphrases merged there: {np.mean(pos >= safe):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
