"""Answerability check: signals, cross-validated calibration, escalation by kind, threshold curve.

    python benchmarks/answerability.py [--datasets DIR] [--json out.json] [--folds 5]

Every question of both eval sets (sample, office-nl) is embedded once and retrieved once; the answer is
composed as in ask(), and its signals (assistant.answerability.Evidence) are recorded. The shared
answerability pairs (../shared/data/answerability-pairs-sample.jsonl, sample corpus) are used as extra
TRAINING rows only, never scored; pairs that paraphrase an eval question are left out.

Figures are held-out: cross-set (fit on one set, score the other) and k-fold by question over both sets.
Thresholds are chosen on the training part only, as quantiles of the answerable questions' probabilities.
The final fit on all rows is printed as the constants to ship in assistant/answerability.py.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from common import ROOT, auc, cpu_name, dump, load_set, old_confidence, pairs_dataset

from assistant.runtime import configure_logging, force_offline

force_offline()

KINDS = ("answerable", "near-miss", "off-topic")
# Share of answerable questions (of the training part) allowed below each threshold.
ESCALATE_QUANTILE = 0.06
UNSURE_QUANTILE = 0.20  # escalated + unsure


@dataclass
class Row:
    group: str  # sample | office-nl | pairs
    qid: str
    question: str
    kind: str
    x: dict[str, float]
    old_confidence: float


def collect(loaded: Any, group: str, items: list[tuple[str, str, str]]) -> list[Row]:
    """items: (id, question, kind) in the order of loaded.found."""
    from assistant.answering import compose_extractive, quoted_part

    rows = []
    assistant = loaded.assistant
    for (qid, question, kind), found in zip(items, loaded.found, strict=True):
        windows = assistant.scored_windows(found)
        draft = compose_extractive(question, found.hits, windows=windows)
        evidence = assistant.retriever.evidence(question, found, windows, quoted_part(draft.text))
        old = old_confidence(found, draft.coverage)
        rows.append(Row(group, qid, question, kind, evidence.values(), old))
    return rows


def pairs_rows(embedder: Any, eval_questions: list[str]) -> list[Row]:
    dataset = pairs_dataset(ROOT / "data" / "dev-pairs.jsonl", eval_questions)
    loaded = load_set("sample", embedder, dataset=dataset, ingest=False)
    return collect(loaded, "pairs", [(c.id, c.question, c.kind) for c in loaded.cases])


# -- logistic regression (L2, Newton) -------------------------------------------------------------------------
def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    means, scales = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    # Balance the classes: there are more answerable questions than unanswerable ones.
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    reg = np.eye(z.shape[1]) * l2
    reg[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (weight * (p - y)) + reg @ w
        hess = (z * (weight * p * (1 - p))[:, None]).T @ z + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return means, scales, w[:-1], float(w[-1])


def predict(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray) -> np.ndarray:
    means, scales, w, b = model
    return 1 / (1 + np.exp(-(((x - means) / scales) @ w + b)))


def thresholds(p_answerable: np.ndarray) -> tuple[float, float]:
    return float(np.quantile(p_answerable, ESCALATE_QUANTILE)), float(np.quantile(p_answerable, UNSURE_QUANTILE))


def rates(p: np.ndarray, kinds: list[str], low: float, high: float) -> dict[str, dict[str, float]]:
    out = {}
    for kind in KINDS:
        sel = np.array([k == kind for k in kinds])
        if sel.any():
            esc, uns = float((p[sel] < low).mean()), float(((p[sel] >= low) & (p[sel] < high)).mean())
            out[kind] = {"n": int(sel.sum()), "escalated": esc, "unsure": uns, "handled": esc + uns}
    return out


def held_out(rows: list[Row], cols: list[str], folds: int) -> dict[str, Any]:
    """Out-of-fold probabilities and thresholds: cross-set, and k-fold by question; pairs only ever train."""
    evals = [r for r in rows if r.group != "pairs"]
    pairs = [r for r in rows if r.group == "pairs"]
    x_of = lambda rs: np.array([[r.x[c] for c in cols] for r in rs])  # noqa: E731
    y_of = lambda rs: np.array([1.0 if r.kind == "answerable" else 0.0 for r in rs])  # noqa: E731
    results: dict[str, Any] = {}
    for test in ("sample", "office-nl"):
        train = [r for r in evals if r.group != test] + pairs
        scored = [r for r in evals if r.group == test]
        model = fit(x_of(train), y_of(train))
        low, high = thresholds(predict(model, x_of([r for r in train if r.kind == "answerable"])))
        results[f"fit on the other set, scored on {test}"] = (predict(model, x_of(scored)), scored, low, high)
    rng = np.random.default_rng(11)
    order = rng.permutation(len(evals))
    probs = np.zeros(len(evals))
    lows, highs = np.zeros(len(evals)), np.zeros(len(evals))
    for k in range(folds):
        test_idx = order[k::folds]
        train = [evals[i] for i in order if i not in set(test_idx)] + pairs
        model = fit(x_of(train), y_of(train))
        low, high = thresholds(predict(model, x_of([r for r in train if r.kind == "answerable"])))
        probs[test_idx] = predict(model, x_of([evals[i] for i in test_idx]))
        lows[test_idx], highs[test_idx] = low, high
    for test in ("sample", "office-nl"):
        idx = [i for i, r in enumerate(evals) if r.group == test]
        results[f"{folds}-fold over both sets, {test}"] = (probs[idx], [evals[i] for i in idx], lows[idx], highs[idx])
    return results


def report_heldout(title: str, results: dict[str, Any]) -> dict[str, Any]:
    print(f"\n{title}")
    print(f"{'':<42} {'AUC nm':>6} {'AUC ot':>6} | {'ans esc':>7} {'ans uns':>7} | {'nm hand':>7} {'nm esc':>6} | "
          f"{'ot esc':>6}")
    out = {}
    for label, (p, scored, low, high) in results.items():
        kinds = [r.kind for r in scored]
        r = rates_vector(p, kinds, low, high)
        pos = [float(v) for v, k in zip(p, kinds, strict=True) if k == "answerable"]
        a_nm = auc(pos, [float(v) for v, k in zip(p, kinds, strict=True) if k == "near-miss"])
        a_ot = auc(pos, [float(v) for v, k in zip(p, kinds, strict=True) if k == "off-topic"])
        out[label] = {"auc_near_miss": a_nm, "auc_off_topic": a_ot, **r}
        ans, near, off = r["answerable"], r["near-miss"], r["off-topic"]
        print(f"{label:<42} {a_nm or 0:>6.3f} {a_ot or 0:>6.3f} | {ans['escalated']:>7.3f} {ans['unsure']:>7.3f} | "
              f"{near['handled']:>7.3f} {near['escalated']:>6.3f} | {off['escalated']:>6.3f}")
    return out


def rates_vector(p: np.ndarray, kinds: list[str], low: Any, high: Any) -> dict[str, dict[str, float]]:
    low_v, high_v = np.broadcast_to(low, p.shape), np.broadcast_to(high, p.shape)
    out = {}
    for kind in KINDS:
        sel = np.array([k == kind for k in kinds])
        esc = float((p[sel] < low_v[sel]).mean()) if sel.any() else 0.0
        uns = float(((p[sel] >= low_v[sel]) & (p[sel] < high_v[sel])).mean()) if sel.any() else 0.0
        out[kind] = {"n": int(sel.sum()), "escalated": esc, "unsure": uns, "handled": esc + uns}
    return out


def curve(p: np.ndarray, kinds: list[str]) -> None:
    """Escalate below t (no middle band): share escalated per kind, for a sweep of t."""
    print("\nthreshold curve (pooled out-of-fold probabilities): escalated share per kind when p < t")
    print(f"{'t':>5} {'answerable':>10} {'near-miss':>9} {'off-topic':>9}")
    for t in np.arange(0.1, 0.91, 0.05):
        r = rates(p, kinds, float(t), float(t))
        print(f"{t:>5.2f} {r['answerable']['escalated']:>10.3f} {r['near-miss']['escalated']:>9.3f} "
              f"{r['off-topic']['escalated']:>9.3f}")


SUBSETS = {
    "best dense (today's main input)": ("best_dense",),
    "best window (shipped)": ("best_window",),
    "best window + document coverage": ("best_window", "doc_coverage"),
    "all signals": ("best_dense", "margin", "best_window", "doc_coverage", "term_coverage", "top_in_bm25",
                    "novel_terms"),
}
SHIPPED = "best window (shipped)"


def main(argv: list[str] | None = None) -> int:
    from assistant.config import Settings
    from assistant.model import load_embedder

    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=Path, help="folder with <set>.jsonl (default: evals/datasets)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    embedder = load_embedder(Settings(), all_cores=True)
    print(f"{cpu_name()}, model {embedder.name} ({embedder.dtype})")
    rows: list[Row] = []
    questions: list[str] = []
    for name in ("sample", "office-nl"):
        loaded = load_set(name, embedder, dataset=args.datasets / f"{name}.jsonl" if args.datasets else None)
        rows += collect(loaded, name, [(c.id, c.question, c.kind) for c in loaded.cases])
        questions += [c.question for c in loaded.cases]
    rows += pairs_rows(embedder, questions)
    print_signal_aucs(rows, tuple(rows[0].x))
    summary: dict[str, Any] = {}
    for label, cols in SUBSETS.items():
        summary[label] = report_heldout(f"held-out, logistic on: {label}", held_out(rows, list(cols), args.folds))
    pooled = held_out(rows, list(SUBSETS[SHIPPED]), args.folds)
    p = np.concatenate([v[0] for k, v in pooled.items() if "fold" in k])
    kinds = [r.kind for k, v in pooled.items() if "fold" in k for r in v[1]]
    curve(p, kinds)
    shipped = list(SUBSETS[SHIPPED])
    x_all = np.array([[r.x[c] for c in shipped] for r in rows])
    final = fit(x_all, np.array([1.0 if r.kind == "answerable" else 0.0 for r in rows]))
    low, high = thresholds(predict(final, x_all[[r.kind == "answerable" for r in rows]]))
    print(f"\nto ship (fit on all {len(rows)} rows):")
    print(f"features={tuple(shipped)}\nmeans={_rounded(final[0])}\nscales={_rounded(final[1])}\n"
          f"weights={_rounded(final[2])}\nbias={final[3]:.4f}\nescalate_below={low:.4f}\nanswer_from={high:.4f}")
    dump(args.json, {**summary, "rows": [r.__dict__ for r in rows]})
    return 0


def _rounded(values: np.ndarray) -> tuple[float, ...]:
    return tuple(round(float(v), 4) for v in values)


def print_signal_aucs(rows: list[Row], names: tuple[str, ...]) -> None:
    print("\nAUC of each signal alone (answerable vs near-miss / vs off-topic), per set")
    print(f"{'signal':<22}" + "".join(f" {g + ' nm':>14} {g + ' ot':>14}" for g in ("sample", "office-nl")))
    for i, name in enumerate([*names, "old confidence"]):
        cells = []
        for group in ("sample", "office-nl"):
            rs = [r for r in rows if r.group == group]
            def val(r: Row, n: str = name, old: bool = i == len(names)) -> float:
                return float(r.old_confidence if old else r.x[n])

            pos = [val(r) for r in rs if r.kind == "answerable"]
            for kind in ("near-miss", "off-topic"):
                cells.append(auc(pos, [val(r) for r in rs if r.kind == kind]) or 0.0)
        print(f"{name:<22}" + "".join(f" {c:>14.3f}" for c in cells))


if __name__ == "__main__":
    raise SystemExit(main())
