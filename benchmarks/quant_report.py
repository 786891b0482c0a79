"""Markdown tables for benchmarks/quantised.py from one or more run folders (each with a results.json).

Quality rows come from every folder that holds query results; speed rows are shown per run folder, and the
gate table takes the median over runs.
"""

from __future__ import annotations

import json
import math
import statistics
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
    """hit@1/hit@5/MRR by document over answerable questions; AUCs over all questions."""
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


def _phase(meta: dict[str, Any], tag: str, phase: str) -> dict[str, Any]:
    return ((meta["results"].get(tag) or {}).get(phase)) or {}


def render(out: Path | list[Path]) -> str:
    runs = [out] if isinstance(out, Path) else out
    metas = [json.loads((r / "results.json").read_text()) for r in runs if (r / "results.json").is_file()]
    merged: dict[str, Any] = {}  # tag -> query result (quality), first folder wins
    for meta in metas:
        for tag in meta["results"]:
            if _phase(meta, tag, "query") and tag not in merged:
                merged[tag] = _phase(meta, tag, "query")
    speed = [(r, m) for r, m in zip(runs, metas, strict=False) if any(
        _phase(m, t, "speed-query") for t in m["results"])]
    lines = [f"CPU: {metas[0]['cpu']}, {metas[0]['cores']} cores. Runs: "
             + "; ".join(f"{r.name} {m['started']}–{m.get('finished', '?')}" for r, m in zip(runs, metas,
                                                                                         strict=False)), ""]
    reference = next((m.get("reference") for m in metas if m.get("reference")), "float32@native")
    lines += quality_table(merged)
    lines += interchange_table(merged, reference)
    lines += speed_table(speed, metas)
    lines += isa_table(speed)
    lines += gate_table(merged, speed, reference)
    return "\n".join(lines)


def _own(merged: dict[str, Any], tag: str, s: str) -> dict[str, float] | None:
    return quality(((merged.get(tag) or {}).get("sets", {}).get(s) or {}).get("own"), s)


def quality_table(merged: dict[str, Any]) -> list[str]:
    lines = ["### Retrieval and confidence (each with its own index of the corpus; dense ranking as shipped)", "",
             "| candidate | mode | sample hit@1 / hit@5 / MRR | office-nl hit@1 / hit@5 / MRR | "
             "AUC best-dense (sample / office) | AUC confidence (sample / office) |",
             "|---|---|---|---|---|---|"]
    for tag in merged:
        name, mode = tag.split("@")
        ms = [_own(merged, tag, s) for s in SETS]
        cells = [" / ".join(f(m[k]) for k in ("hit@1", "hit@5", "mrr")) if m else "–" for m in ms]
        dense = " / ".join(f(m["auc_dense"]) if m else "–" for m in ms)
        conf = " / ".join(f(m["auc_conf"]) if m else "–" for m in ms)
        lines.append(f"| {name} | {mode} | {cells[0]} | {cells[1]} | {dense} | {conf} |")
    return [*lines, ""]


def interchange_table(merged: dict[str, Any], reference: str) -> list[str]:
    lines = [f"### Index interchangeability with the reference ({reference})", "",
             "A = the reference's index queried with the candidate's question vectors; B = the candidate's index "
             "queried with the reference's question vectors. 'same top-1 / top-5' = share of questions whose first "
             "document / ordered first five documents equal the reference's own ranking. Cosines: candidate vs "
             "reference vectors of the same question / passage.", "",
             "| candidate | mode | set | own hit@5 / MRR / AUC conf | A hit@5 / MRR / AUC conf "
             "| A same top-1 / top-5 | own same top-1 / top-5 | B hit@5 / MRR / AUC conf | B same top-1 / top-5 "
             "| query cos mean / min | passage cos mean / min |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    ref = (merged.get(reference) or {}).get("sets", {})
    for tag in merged:
        if tag == reference:
            continue
        name, mode = tag.split("@")
        for s in SETS:
            q = (merged[tag].get("sets") or {}).get(s) or {}
            base = (ref.get(s) or {}).get("own")
            cells = []
            for label in ("own", "f32_index", "own_index_f32_queries"):
                m = quality(q.get(label), s)
                cells.append(f"{f(m['hit@5'])} / {f(m['mrr'])} / {f(m['auc_conf'])}" if m else "–")
                t1, t5 = agreement(q.get(label), base)
                cells.append(f"{f(t1, 2)} / {f(t5, 2)}")
            cells = [cells[0], cells[2], cells[3], cells[1], cells[4], cells[5]]
            qc, dc = q.get("query_cos_f32") or {}, q.get("doc_cos_f32") or {}
            cells.append(f"{f(qc.get('mean'), 4)} / {f(qc.get('min'), 4)}")
            cells.append(f"{f(dc.get('mean'), 4)} / {f(dc.get('min'), 4)}")
            lines.append(f"| {name} | {mode} | {s} | " + " | ".join(cells) + " |")
    return [*lines, ""]


SIZES_MB = {"float32": 1211.5, "bf16": 605.8, "torch-int8": 0.0}


def _size_mb(metas: list[dict[str, Any]], name: str) -> str:
    for meta in metas:
        files = ((meta.get("produced") or {}).get(name) or {}).get("files") or {}
        if files:
            return f"{sum(v['bytes'] for v in files.values()) / 1e6:.0f}"
    return {"torch-int8": "0 (quantised at load)"}.get(name, f"{SIZES_MB.get(name, math.nan):.0f}")


def _cps(meta: dict[str, Any], tag: str, key: str = "cps") -> float | None:
    return (_phase(meta, tag, "speed-ingest").get("ingest") or {}).get(key)


def speed_table(speed: list[tuple[Path, dict[str, Any]]], metas: list[dict[str, Any]]) -> list[str]:
    lines = ["### Speed and memory", "",
             "embed / ask: each office-nl question alone through the full extractive ask() (1 thread, warm), the "
             "question embedding timed inside it. Ingest: a fixed length-representative subset of office-nl "
             "passages, batches of 16 as the pipeline embeds them, all cores. Load: building the model object "
             "(imports excluded). Peak RSS: whole process.", "",
             "CPU columns: process CPU time of the same calls (1 compute thread, so about the latency on an idle "
             "core; the wall-clock columns include waiting for the other engineers' jobs on these 2 cores). Ingest "
             "CPU rate: chunks per CPU-second × cores.", "",
             "| run | candidate | mode | embed p50 / p95 ms | embed CPU p50 / p95 ms | ask p50 / p95 ms | "
             "ask CPU p50 / p95 ms | ingest chunks/s (× float32) | ingest CPU rate (× float32) | "
             "load s | peak RSS query / ingest MB | on disk MB | precision run | 1-min load avg (query) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run, meta in speed:
        for tag in meta["results"]:
            name, mode = tag.split("@")
            sq, si = _phase(meta, tag, "speed-query"), _phase(meta, tag, "speed-ingest")
            if not sq and not si:
                continue
            ask = sq.get("ask") or {}
            cps, ref = _cps(meta, tag), _cps(meta, f"float32@{mode}")
            ratio = f" ({cps / ref:.2f}×)" if cps and ref else ""
            ccps, cref = _cps(meta, tag, "cpu_cps"), _cps(meta, f"float32@{mode}", "cpu_cps")
            cratio = f" ({ccps / cref:.2f}×)" if ccps and cref else ""
            few = f" ({(si.get('ingest') or {}).get('chunks')} chunks, {ask.get('n')} q)" if (
                si.get("ingest") or {}).get("quick") else ""
            lines.append(
                f"| {run.name} | {name} | {mode} | {f(ask.get('embed_p50'), 0)} / {f(ask.get('embed_p95'), 0)} | "
                f"{f(ask.get('embed_cpu_p50'), 0)} / {f(ask.get('embed_cpu_p95'), 0)} | "
                f"{f(ask.get('p50'), 0)} / {f(ask.get('p95'), 0)} | {f(ask.get('cpu_p50'), 0)} / "
                f"{f(ask.get('cpu_p95'), 0)} | {f(cps, 2)}{ratio}{few} | {f(ccps, 2)}{cratio} | "
                f"{f(sq.get('load_s'), 1)} | {sq.get('peak_rss_mb', '–')} / {si.get('peak_rss_mb', '–')} | "
                f"{_size_mb(metas, name)} | {sq.get('ov_inference_precision', sq.get('dtype', '–'))} | "
                f"{f(sq.get('loadavg_start'), 1)}–{f(sq.get('loadavg_end'), 1)} |")
    return [*lines, ""]


def isa_table(speed: list[tuple[Path, dict[str, Any]]]) -> list[str]:
    lines = ["### What the runtimes saw (query process)", "",
             "| run | candidate | mode | torch ISA | numpy AVX-512F | CPUID calls trapped | AVX-512 registers last used"
             " (ms ago, min over threads) / process measured for s |", "|---|---|---|---|---|---|---|"]
    for run, meta in speed:
        for tag in meta["results"]:
            name, mode = tag.split("@")
            isa = _phase(meta, tag, "speed-query").get("isa") or {}
            if isa:
                lines.append(f"| {run.name} | {name} | {mode} | {isa.get('torch', '–')} | "
                             f"{isa.get('numpy_avx512f', '–')} | {isa.get('cpuid_traps', '–')} | "
                             f"{isa.get('avx512_state_ms_min', '–')} / {isa.get('measured_s', '–')} |")
    return [*lines, ""]


def gate_table(merged: dict[str, Any], speed: list[tuple[Path, dict[str, Any]]], reference: str) -> list[str]:
    """The issue's gates for the AVX2-only target: quality vs the reference, speed in avx2 mode (median of runs)."""
    lines = [f"### Gates on an AVX2-only CPU (quality vs {reference}; speed: avx2 mode, median over runs)", "",
             "Speed is judged on CPU time (what an idle 2-core machine would show); wall-clock under this "
             "machine's load is shown next to it.", "",
             "| candidate | max abs Δ hit@5 | max abs Δ MRR | max abs Δ AUC confidence | ask CPU p50 / p95 ms | "
             "ask wall p50 / p95 ms | ingest × float32 (CPU / wall) | passes |", "|---|---|---|---|---|---|---|---|"]
    ref = {s: _own(merged, reference, s) for s in SETS}
    names = dict.fromkeys(t.split("@")[0] for _, m in speed for t in m["results"])
    for name in names:
        tag = f"{name}@avx2"
        mine = {s: _own(merged, tag, s) for s in SETS}
        have = all(mine.values()) and all(ref.values())
        d = {k: max(abs(m[k] - r[k]) for m, r in zip(mine.values(), ref.values(), strict=True) if m and r)
             for k in ("hit@5", "mrr", "auc_conf")} if have else {}
        asks = [_phase(m, tag, "speed-query").get("ask") or {} for _, m in speed]
        med = {k: _median([a.get(k) for a in asks]) for k in ("p50", "p95", "cpu_p50", "cpu_p95")}
        ratio = {k: _median([(_cps(m, tag, k) or math.nan) / (_cps(m, "float32@avx2", k) or math.nan)
                             for _, m in speed]) for k in ("cps", "cpu_cps")}
        fast = med["cpu_p50"] <= GATE_P50 and med["cpu_p95"] <= GATE_P95 and ratio["cpu_cps"] >= GATE_INGEST
        good = have and all(v <= GATE_QUALITY + 1e-9 for v in d.values())
        verdict = "yes" if fast and good else ("no" if have or not fast else "speed only; quality not measured")
        lines.append(f"| {name} | {f(d.get('hit@5'))} | {f(d.get('mrr'))} | {f(d.get('auc_conf'))} | "
                     f"{f(med['cpu_p50'], 0)} / {f(med['cpu_p95'], 0)} | {f(med['p50'], 0)} / {f(med['p95'], 0)} | "
                     f"{f(ratio['cpu_cps'], 2)} / {f(ratio['cps'], 2)} | {verdict} |")
    return [*lines, ""]


def _median(values: list[float | None]) -> float:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(clean) if clean else math.nan
