"""Near-miss verifier on a frozen body: question and shown passage encoded TOGETHER by EmbeddingGemma.

    python benchmarks/verifier.py [--folds 5] [--json out.json] [--latency 40]

For every question of both eval sets (and the shared answerability pairs, training only) the passage is
the one digihulp shows: the first citation of the extractive answer composed exactly as ask() does.
The pair "query: <question> | title: <title> | text: <passage>" goes through the frozen model once
(bf16 on CPUs with native bf16), and a handful of numbers are read from that one forward pass:

- late interaction inside the joint encoding: for every question token, its best cosine with a passage
  token in the last (and a middle) layer's hidden states; mean, min, lower quartile;
- how much reading the passage moved the question: cosine of each question token's joint state with its
  state when the question is encoded alone (mean);
- the joint text's sentence embedding (the model's own pooling and projections) against the question's
  and the passage's own vectors.

A small class-balanced logistic head (a few weights) is fit on those numbers, alone and combined with
the dense best-window cosine (today's shipped signal), and scored held out only:
- k-fold grouped by question over both eval sets (pairs always train, never score);
- cross-corpus: fit on one corpus's data (sample eval + pairs, or office-nl eval), score the other.
Sample questions that the pairs file paraphrases are never scored where pairs were in training.
Band thresholds are fit on the training part (6 % / 20 % quantiles of the answerable questions), as in
benchmarks/answerability.py. Latency: the added forward pass per checked question, on one thread (the
serving default), median and p95, next to the rest of ask() measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from answerability import fit, pairs_dataset, predict, report_heldout, thresholds
from common import ROOT, auc, cpu_name, dump, load_set

from assistant.runtime import configure_logging, force_offline

force_offline()

# Sample eval questions whose paraphrases are in the shared pairs file: never scored when pairs train.
PARAPHRASED = {f"s{n:03d}" for n in (7, 8, 15, 18, 19, 20, 21, 22, 23, 37, 38, 39, 45, 60, 64, 68, 78, 83)}
JOINT = ("lat_mean", "lat_min", "lat_q25", "mid_mean", "mid_min", "shift_mean", "joint_q")
FEATURE_SETS = {
    "dense best window (shipped)": ("best_window",),
    "verifier alone": JOINT,
    "verifier alone, last-layer late interaction": ("lat_mean", "lat_min", "lat_q25"),
    "combined (best window + verifier)": ("best_window", *JOINT),
    "best window + joint late interaction": ("best_window", "lat_mean", "lat_min", "lat_q25", "mid_mean"),
    # Numbers only: 769 weights, whether the joint sentence vector holds more than the few statistics.
    "best window + joint vector (768-d, not shippable)": ("best_window", "joint_vector"),
}


@dataclass
class Pair:
    group: str  # sample | office-nl | pairs
    qid: str
    question: str
    kind: str
    title: str
    passage: str
    x: dict[str, float] = field(default_factory=dict)
    vec: Any = None  # the joint text's sentence embedding (numbers only: too many weights to ship)


def shown_pairs(loaded: Any, group: str) -> list[Pair]:
    """(question, shown passage) for every case, composed as ask() composes it."""
    from assistant.answering import compose_extractive

    out = []
    for case, found in zip(loaded.cases, loaded.found, strict=True):
        windows = loaded.assistant.scored_windows(found)
        draft = compose_extractive(case.question, found.hits, windows=windows)
        best_window = max((w.similarity for doc in (windows or {}).values() for w in doc), default=found.best_dense)
        if draft.citations:
            c = draft.citations[0]
            title, passage = " — ".join(filter(None, (c.title, c.section))), c.passage
        elif found.hits:
            chunk = found.hits[0].chunk
            title, passage = " — ".join(filter(None, (chunk.title, chunk.section))), chunk.text
        else:
            title, passage = "", ""
        out.append(Pair(group, case.id, case.question, case.kind, title, passage, {"best_window": best_window}))
    return out


class JointEncoder:
    """The embedder's frozen SentenceTransformer, read at token level (forward passes only)."""

    def __init__(self, embedder: Any) -> None:
        import torch

        self.torch = torch
        self.st = embedder._model  # the project's one loaded model; read only, never trained
        self.body = self.st[0].auto_model
        self.tok = self.st[0].tokenizer
        self.query_prompt = embedder._prompts.get("query", "")
        self.embedder = embedder
        self.layers = int(self.body.config.num_hidden_layers)

    def _states(self, text: str) -> tuple[Any, list[tuple[int, int]]]:
        enc = self.tok(text, return_offsets_mapping=True, return_tensors="pt", truncation=True, max_length=384)
        offsets = [tuple(o) for o in enc.pop("offset_mapping")[0].tolist()]
        with self.torch.inference_mode():
            out = self.body(**enc, output_hidden_states=True)
        return (*out.hidden_states[:-1], out.last_hidden_state), offsets

    def _sentence(self, last: Any) -> np.ndarray:
        pooled = {"sentence_embedding": last.mean(dim=1)}
        with self.torch.inference_mode():
            for module in list(self.st)[2:]:  # after the mean pooling: the model's own projections
                pooled = module(pooled)
        v = pooled["sentence_embedding"][0].float().numpy()
        return v / (np.linalg.norm(v) + 1e-9)

    def features(self, question: str, title: str, passage: str) -> dict[str, float]:
        return self.read(question, title, passage)[0]

    def read(self, question: str, title: str, passage: str) -> tuple[dict[str, float], np.ndarray]:
        head = f"{self.query_prompt}{question}"
        text = f"{head} | title: {title or 'none'} | text: {passage}"
        p_start = len(head) + len(f" | title: {title or 'none'} | text: ")
        q_start = len(self.query_prompt)
        states, offsets = self._states(text)
        q_idx = [i for i, (a, b) in enumerate(offsets) if b > a and a >= q_start and b <= len(head)]
        p_idx = [i for i, (a, b) in enumerate(offsets) if b > a and a >= p_start]
        alone, alone_offsets = self._states(head)
        qa_idx = [i for i, (a, b) in enumerate(alone_offsets) if b > a and a >= q_start]
        out: dict[str, float] = {}
        for name, layer in (("lat", -1), ("mid", self.layers // 2)):
            h = states[layer][0].float()
            h = h / (h.norm(dim=-1, keepdim=True) + 1e-9)
            # Empty passage (nothing retrieved): no evidence at all, the lowest similarity.
            best = (h[q_idx] @ h[p_idx].T).max(dim=1).values if q_idx and p_idx else self.torch.zeros(1)
            out[f"{name}_mean"], out[f"{name}_min"] = float(best.mean()), float(best.min())
            out[f"{name}_q25"] = float(self.torch.quantile(best, 0.25))
        joint_last = states[-1][0].float()
        alone_last = alone[-1][0].float()
        n = min(len(q_idx), len(qa_idx))
        if n:
            a, b = joint_last[q_idx[:n]], alone_last[qa_idx[:n]]
            out["shift_mean"] = float(self.torch.nn.functional.cosine_similarity(a, b, dim=-1).mean())
        else:
            out["shift_mean"] = 0.0
        # The passage's own vector is not encoded (it would double the cost): only the question's.
        joint = self._sentence(states[-1])
        out["joint_q"] = float(joint @ self._sentence(alone[-1]))
        return out, joint


def extract(encoder: JointEncoder, pairs: list[Pair], cache: Path) -> None:
    """Features of every pair; kept in `cache` (one JSON line per pair) so an interrupted run resumes."""
    done: dict[str, dict[str, Any]] = {}
    if cache.is_file():
        done = {d["key"]: d for d in map(json.loads, cache.read_text(encoding="utf-8").splitlines())}
    start = time.perf_counter()
    for i, pair in enumerate(pairs, 1):
        key = hashlib.sha256("\x1f".join((pair.question, pair.title, pair.passage)).encode()).hexdigest()[:24]
        if key not in done:
            features, vec = encoder.read(pair.question, pair.title, pair.passage)
            done[key] = {"key": key, "x": features, "vec": [round(float(v), 5) for v in vec]}
            with cache.open("a", encoding="utf-8") as out:
                out.write(json.dumps(done[key]) + "\n")
        pair.x.update(done[key]["x"])
        pair.vec = np.array(done[key]["vec"])
        if i % 50 == 0:
            print(f"  {i}/{len(pairs)} pairs, {time.perf_counter() - start:.0f} s", file=sys.stderr)


# -- held-out evaluation ---------------------------------------------------------------------------------------
def matrix(rows: list[Pair], cols: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    def values(r: Pair) -> list[float]:
        vector = list(r.vec) if "joint_vector" in cols else []
        return [r.x[c] for c in cols if c != "joint_vector"] + vector

    return (np.array([values(r) for r in rows]),
            np.array([1.0 if r.kind == "answerable" else 0.0 for r in rows]))


Scored = tuple[np.ndarray, list[Pair], Any, Any]


def fit_and_score(train: list[Pair], scored: list[Pair], cols: tuple[str, ...]) -> Scored:
    x, y = matrix(train, cols)
    # Strong shrinkage for the 768-d vector (as many weights as training rows); the few statistics need little.
    model = fit(x, y, l2=100.0 if "joint_vector" in cols else 1.0)
    low, high = thresholds(predict(model, x[y == 1]))
    return predict(model, matrix(scored, cols)[0]), scored, low, high


def held_out(rows: list[Pair], cols: tuple[str, ...], folds: int) -> dict[str, Scored]:
    evals = [r for r in rows if r.group != "pairs"]
    pairs = [r for r in rows if r.group == "pairs"]
    out: dict[str, Scored] = {}
    questions = sorted({r.question for r in evals})
    order = np.random.default_rng(11).permutation(len(questions))
    fold_of = {questions[i]: k % folds for k, i in enumerate(order)}  # grouped by question text
    probs, lows, highs = np.zeros(len(evals)), np.zeros(len(evals)), np.zeros(len(evals))
    for k in range(folds):
        test = [i for i, r in enumerate(evals) if fold_of[r.question] == k]
        p, _, low, high = fit_and_score([r for r in evals if fold_of[r.question] != k] + pairs,
                                        [evals[i] for i in test], cols)
        probs[test], lows[test], highs[test] = p, low, high
    for group in ("sample", "office-nl"):
        idx = [i for i, r in enumerate(evals) if r.group == group and not (pairs and r.qid in PARAPHRASED)]
        out[f"{folds}-fold, {group}"] = (probs[idx], [evals[i] for i in idx], lows[idx], highs[idx])
    out[f"cross: fit sample{'+pairs' if pairs else ''}, score office-nl"] = fit_and_score(
        [r for r in evals if r.group == "sample"] + pairs, [r for r in evals if r.group == "office-nl"], cols)
    out["cross: fit office-nl, score sample"] = fit_and_score(
        [r for r in evals if r.group == "office-nl"], [r for r in evals if r.group == "sample"], cols)
    return out


def single_aucs(rows: list[Pair]) -> None:
    print("\nAUC of each raw feature, answerable vs near-miss (no fitting; all eval questions)")
    names = ("best_window", *JOINT)
    print(f"{'feature':<14}" + "".join(f" {g:>10}" for g in ("sample", "office-nl", "pairs")))
    for name in names:
        cells = []
        for group in ("sample", "office-nl", "pairs"):
            rs = [r for r in rows if r.group == group]
            cells.append(auc([r.x[name] for r in rs if r.kind == "answerable"],
                             [r.x[name] for r in rs if r.kind == "near-miss"]) or 0.0)
        print(f"{name:<14}" + "".join(f" {c:>10.3f}" for c in cells))


def latency(encoder: JointEncoder, loaded: Any, n: int) -> dict[str, float]:
    """Added cost per checked question on one thread (serving), beside the rest of ask() in the same run."""
    from assistant.answering import compose_extractive

    torch = encoder.torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    ask_s, verify_s = [], []
    try:
        for case in loaded.cases[:n]:
            t0 = time.perf_counter()
            found = loaded.assistant.retrieve(case.question)
            windows = loaded.assistant.scored_windows(found)
            draft = compose_extractive(case.question, found.hits, windows=windows)
            t1 = time.perf_counter()
            c = draft.citations[0] if draft.citations else None
            encoder.features(case.question, c.title if c else "", c.passage if c else "")
            t2 = time.perf_counter()
            ask_s.append(t1 - t0)
            verify_s.append(t2 - t1)
    finally:
        torch.set_num_threads(threads)
    q = lambda v, p: float(np.quantile(v, p))  # noqa: E731
    figures = {"ask_median": statistics.median(ask_s), "ask_p95": q(ask_s, 0.95),
               "verifier_median": statistics.median(verify_s), "verifier_p95": q(verify_s, 0.95), "n": len(ask_s)}
    print(f"\nlatency on 1 thread, {len(ask_s)} questions: ask without the check median "
          f"{figures['ask_median'] * 1000:.0f} ms, p95 {figures['ask_p95'] * 1000:.0f} ms; verifier adds median "
          f"{figures['verifier_median'] * 1000:.0f} ms, p95 {figures['verifier_p95'] * 1000:.0f} ms")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency", type=int, default=30, help="questions timed for the added latency")
    parser.add_argument("--json", type=Path, help="write the figures and every pair's features here")
    parser.add_argument("--no-pairs", action="store_true", help="train on the eval sets only (no shared pairs)")
    parser.add_argument("--cached", type=Path, help="re-fit on the features of an earlier --json (no model)")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    summary: dict[str, Any] = {}
    if args.cached:
        rows = [Pair(**{**r, "vec": np.array(r["vec"]) if r.get("vec") else None})
                for r in json.loads(args.cached.read_text(encoding="utf-8"))["rows"]]
    else:
        rows, summary["latency"] = measure(args.latency, not args.no_pairs)
    single_aucs(rows)
    for label, cols in FEATURE_SETS.items():
        if "joint_vector" in cols and rows[0].vec is None:
            continue
        summary[label] = report_heldout(f"held out, logistic on: {label}", held_out(rows, cols, args.folds))
    dump(args.json, {**summary, "rows": [{**r.__dict__, "vec": None if r.vec is None else
                                          [round(float(v), 5) for v in r.vec]} for r in rows]})
    return 0


def measure(latency_questions: int, with_pairs: bool) -> tuple[list[Pair], dict[str, float]]:
    """Every pair's features from the real model, and the added latency."""
    from assistant.config import Settings
    from assistant.model import load_embedder

    embedder = load_embedder(Settings(), all_cores=True)
    print(f"{cpu_name()}, model {embedder.name} ({embedder.dtype})")
    encoder = JointEncoder(embedder)
    rows: list[Pair] = []
    loaded_sets = {}
    for name in ("sample", "office-nl"):
        loaded_sets[name] = load_set(name, embedder, ingest=False)
        rows += shown_pairs(loaded_sets[name], name)
    if with_pairs:  # the same pairs (and the same filter) as benchmarks/answerability.py; training rows only
        pairs = load_set("sample", embedder, dataset=pairs_dataset([r.question for r in rows]), ingest=False)
        rows += shown_pairs(pairs, "pairs")
    print(f"{len(rows)} pairs: " + ", ".join(f"{g} {sum(r.group == g for r in rows)}"
                                           for g in ("sample", "office-nl", "pairs")), file=sys.stderr)
    extract(encoder, rows, ROOT / "data" / "verifier-features.jsonl")
    return rows, latency(encoder, loaded_sets["sample"], latency_questions) if latency_questions else {}


if __name__ == "__main__":
    raise SystemExit(main())
