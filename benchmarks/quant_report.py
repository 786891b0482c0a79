"""Markdown tables for benchmarks/quantised.py from one or more run folders (results.json + saved rankings)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import retrieval as rbench  # benchmarks/retrieval.py: the same metrics as the retrieval benchmark
from quantised import SETS

GATE_QUALITY = 0.01
GATE_P50, GATE_P95 = 150.0, 200.0
GATE_INGEST = 2.0


def _cases(set_name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in SETS[set_name][1].read_text(encoding="utf-8").splitlines() if x.strip()]


def quality(ranked: dict[str, Any] | None, set_name: str) -> dict[str, float] | None:
    """hit@1/hit@5/MRR by document over answerable questions; AUCs over all."""
    if not ranked:
        return None
    cases = _cases(set_name)[: len(ranked["top5"])]
    answerable = [i for i, c in enumerate(cases) if c["answerable"]]
    metrics = rbench.rank_metrics([ranked["top5"][i] for i in answerable],
                                  [cases[i]["expected_sources"] for i in answerable])
    rows = [(c["answerable"], ranked["confidence"][i], ranked["best_dense"][i]) for i, c in enumerate(cases)]
    metrics["auc_dense"] = rbench.auc(rows, 2)
    metrics["auc_conf"] = rbench.auc(rows, 1)
    return metrics


def agreement(a: dict[str, Any] | None, b: dict[str, Any] | None) -> tuple[float, float]:
    """Share of questions with the same top document, and with the same ordered top-5 documents."""
    if not a or not b:
        return math.nan, math.nan
    n = min(len(a["top5"]), len(b["top5"]))
    top1 = sum(1 for x, y in zip(a["top5"][:n], b["top5"][:n], strict=True) if x[:1] == y[:1]) / n
    top5 = sum(1 for x, y in zip(a["top5"][:n], b["top5"][:n], strict=True) if x == y) / n
    return top1, top5


def f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def render(out: Path | list[Path]) -> str:
    runs = [out] if isinstance(out, Path) else out
    metas = [json.loads((r / "results.json").read_text()) for r in runs]
    meta = metas[0]
    lines = [f"CPU: {meta['cpu']}, {meta['cores']} cores. Runs: "
             + "; ".join(f"{m['started']}–{m.get('finished', '?')}" for m in metas), ""]
    lines += quality_table(meta)
    lines += interchange_table(meta)
    lines += speed_table(runs, metas)
    lines += isa_table(meta)
    lines += gate_table(meta, metas)
    return "\n".join(lines)


def _q(meta: dict[str, Any], tag: str) -> dict[str, Any]:
    return ((meta["results"].get(tag) or {}).get("query")) or {}


def _i(meta: dict[str, Any], tag: str) -> dict[str, Any]:
    return ((meta["results"].get(tag) or {}).get("ingest")) or {}


def quality_table(meta: dict[str, Any]) -> list[str]:
    lines = ["### Retrieval and confidence (own index; dense ranking as shipped)", "",
             "| candidate | mode | sample hit@1 / hit@5 / MRR | office-nl hit@1 / hit@5 / MRR | "
             "AUC best-dense (sample / office) | AUC confidence (sample / office) |",
             "|---|---|---|---|---|---|"]
    for tag in meta["results"]:
        q = _q(meta, tag)
        name, mode = tag.split("@")
        cells = []
        for s in SETS:
            m = quality((q.get(s) or {}).get("own"), s)
            cells.append(" / ".join(f(m[k]) for k in ("hit@1", "hit@5", "mrr")) if m else "–")
        aucs = [quality((q.get(s) or {}).get("own"), s) for s in SETS]
        dense = " / ".join(f(a["auc_dense"]) if a else "–" for a in aucs)
        conf = " / ".join(f(a["auc_conf"]) if a else "–" for a in aucs)
        lines.append(f"| {name} | {mode} | {cells[0]} | {cells[1]} | {dense} | {conf} |")
    return [*lines, ""]


def interchange_table(meta: dict[str, Any]) -> list[str]:
    lines = ["### Index interchangeability with float32 (same mode)", "",
             "A = float32's index queried with the candidate's question vectors; B = the candidate's index "
             "queried with float32's question vectors. 'same top-1 / top-5' = share of questions whose first "
             "document / ordered first five documents equal float32's own ranking.", "",
             "| candidate | mode | set | own hit@5 / MRR | A hit@5 / MRR | A same top-1 / top-5 | "
             "B hit@5 / MRR | B same top-1 / top-5 | query cos mean / min | passage cos mean / min |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for tag in meta["results"]:
        name, mode = tag.split("@")
        if name == "float32":
            continue
        ref = _q(meta, f"float32@{mode}")
        for s in SETS:
            q = _q(meta, tag).get(s) or {}
            base = (ref.get(s) or {}).get("own")
            cells = []
            for label in ("own", "f32_index", "own_index_f32_queries"):
                m = quality(q.get(label), s)
                cells.append(f"{f(m['hit@5'])} / {f(m['mrr'])}" if m else "–")
                if label != "own":
                    t1, t5 = agreement(q.get(label), base)
                    cells.append(f"{f(t1, 2)} / {f(t5, 2)}")
            qc, dc = q.get("query_cos_f32") or {}, q.get("doc_cos_f32") or {}
            cells.append(f"{f(qc.get('mean'), 4)} / {f(qc.get('min'), 4)}")
            cells.append(f"{f(dc.get('mean'), 4)} / {f(dc.get('min'), 4)}")
            lines.append(f"| {name} | {mode} | {s} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _size_mb(meta: dict[str, Any], name: str) -> str:
    produced = (meta.get("produced") or {}).get(name) or {}
    files = produced.get("files") or {}
    sizes = {"float32": 1211.5, "bf16": 605.8}
    if files:
        return f"{sum(v['bytes'] for v in files.values()) / 1e6:.0f}"
    return f"{sizes[name]:.0f}" if name in sizes else "0 (at load)"


def speed_table(runs: list[Path], metas: list[dict[str, Any]]) -> list[str]:
    lines = ["### Speed and memory", "",
             "Query: one question embedded alone, 1 thread, warm. ask: full extractive ask() on office-nl "
             "(1 thread). Ingest: office-nl cold ingest, all cores, chunks embedded per second.", "",
             "| run | candidate | mode | embed p50 / p95 ms | ask p50 / p95 ms | ingest chunks/s (× float32) | "
             "load s | peak RSS query / ingest MB | model on disk MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for run, meta in zip(runs, metas, strict=True):
        for tag in meta["results"]:
            name, mode = tag.split("@")
            q, i = _q(meta, tag), _i(meta, tag)
            office = q.get("office-nl") or {}
            ask = q.get("office-nl-ask") or {}
            cps = ((i.get("sets") or {}).get("office-nl") or {}).get("cps")
            ref = ((_i(meta, f"float32@{mode}").get("sets") or {}).get("office-nl") or {}).get("cps")
            ratio = f" ({cps / ref:.2f}×)" if cps and ref else ""
            quick = " (few)" if ((i.get("sets") or {}).get("office-nl") or {}).get("quick") else ""
            lines.append(
                f"| {run.name} | {name} | {mode} | {f(office.get('embed_p50'), 0)} / {f(office.get('embed_p95'), 0)}"
                f" | {f(ask.get('p50'), 0)} / {f(ask.get('p95'), 0)} | {f(cps, 1)}{ratio}{quick} | "
                f"{f(q.get('load_s'), 1)} | {q.get('peak_rss_mb', '–')} / {i.get('peak_rss_mb', '–')} | "
                f"{_size_mb(meta, name)} |")
    return [*lines, ""]


def isa_table(meta: dict[str, Any]) -> list[str]:
    lines = ["### What the runtimes saw", "",
             "| candidate | mode | torch ISA | numpy AVX-512F | CPUID traps | AVX-512 state last used (ms ago, "
             "min over threads) / measured s | runtime precision |", "|---|---|---|---|---|---|---|"]
    for tag in meta["results"]:
        name, mode = tag.split("@")
        q = _q(meta, tag)
        isa = q.get("isa") or {}
        lines.append(f"| {name} | {mode} | {isa.get('torch', '–')} | {isa.get('numpy_avx512f', '–')} | "
                     f"{isa.get('cpuid_traps', '–')} | {isa.get('avx512_state_ms_min', '–')} / "
                     f"{isa.get('measured_s', '–')} | {q.get('ov_inference_precision', q.get('dtype', '–'))} |")
    return [*lines, ""]


def gate_table(meta: dict[str, Any], metas: list[dict[str, Any]]) -> list[str]:
    """The issue's gates, judged in the AVX2-capped mode against float32 in the same mode."""
    if "avx2" not in meta["modes"]:
        return []
    lines = ["### Gates (avx2 mode, vs float32 avx2; speed = median over runs)", "",
             "| candidate | max |Δ hit@5| | max |Δ MRR| | max |Δ AUC conf| | ask p50 / p95 ms | ingest × f32 | "
             "passes |", "|---|---|---|---|---|---|---|"]
    ref = {s: quality((_q(meta, "float32@avx2").get(s) or {}).get("own"), s) for s in SETS}
    for tag in meta["results"]:
        name, mode = tag.split("@")
        if mode != "avx2" or name == "float32":
            continue
        mine = {s: quality((_q(meta, tag).get(s) or {}).get("own"), s) for s in SETS}
        if not all(mine.values()) or not all(ref.values()):
            continue
        d = {k: max(abs(mine[s][k] - ref[s][k]) for s in SETS) for k in ("hit@5", "mrr", "auc_conf")}
        p50 = _median([(_q(m, tag).get("office-nl-ask") or {}).get("p50") for m in metas])
        p95 = _median([(_q(m, tag).get("office-nl-ask") or {}).get("p95") for m in metas])
        ratio = _median([_ratio(m, tag) for m in metas])
        ok = (all(v <= GATE_QUALITY + 1e-9 for v in d.values()) and p50 <= GATE_P50 and p95 <= GATE_P95
              and ratio >= GATE_INGEST)
        lines.append(f"| {name} | {f(d['hit@5'])} | {f(d['mrr'])} | {f(d['auc_conf'])} | {f(p50, 0)} / "
                     f"{f(p95, 0)} | {f(ratio, 2)} | {'yes' if ok else 'no'} |")
    return [*lines, ""]


def _ratio(meta: dict[str, Any], tag: str) -> float | None:
    mode = tag.split("@")[1]
    a = ((_i(meta, tag).get("sets") or {}).get("office-nl") or {}).get("cps")
    b = ((_i(meta, f"float32@{mode}").get("sets") or {}).get("office-nl") or {}).get("cps")
    return a / b if a and b else None


def _median(values: list[float | None]) -> float:
    import statistics

    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else math.nan
