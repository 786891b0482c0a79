"""Eval outputs: summary.json, cases.jsonl, report.md with a chart, the stdout table and the baseline file."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from evals.dataset import KINDS
from evals.keyfacts import missing_groups
from evals.metrics import KIND_METRICS, LATENCY_METRICS, LENGTH_METRICS, QUALITY_METRICS, CaseResult, EvalResult

log = logging.getLogger(__name__)

CHART_NAME = "metrics.png"
MAX_ANSWER_CHARS = 600  # enough to see what was quoted (and why key facts are missing), not the corpus


def _num(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _digits(metric: str) -> int:
    return 0 if metric in LENGTH_METRICS else 1 if metric in LATENCY_METRICS else 3


def table_rows(metrics: Mapping[str, float | None],
               baseline: Mapping[str, float | None] | None) -> list[tuple[str, str, str, str]]:
    rows = []
    for metric in (*QUALITY_METRICS, *KIND_METRICS, *LENGTH_METRICS, *LATENCY_METRICS):
        value = metrics.get(metric)
        if value is None and metric in KIND_METRICS:
            continue  # a kind the dataset does not have
        before = baseline.get(metric) if baseline else None
        digits = _digits(metric)
        delta = "" if value is None or before is None else f"{value - before:+.{digits}f}"
        rows.append((metric, _num(value, digits), _num(before, digits) if baseline else "", delta))
    return rows


def format_table(metrics: Mapping[str, float | None], baseline: Mapping[str, float | None] | None) -> str:
    """Compact fixed-width table for the terminal."""
    rows = [("metric", "value", "baseline", "delta"), *table_rows(metrics, baseline)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                    strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def case_record(result: CaseResult) -> dict[str, Any]:
    case, answer = result.case, result.answer
    return {
        "id": case.id,
        "question": case.question,
        "department": case.department,
        "answerable": case.answerable,
        "expected": list(case.expected_sources),
        "ranks": result.ranks,
        "rank": result.rank,
        "retrieved": [source for source, _score in answer.retrieved[:5]],
        "answer": answer.text,
        "citations": [{"n": c.n, "source": c.source, "title": c.title, "page": c.page} for c in answer.citations],
        "confidence": round(answer.confidence, 4),
        "escalated": answer.escalated,
        "band": answer.band,
        "kind": case.kind,
        "key_facts": result.key_facts,
        "key_facts_missing": [list(case.must_contain[i]) for i in missing_groups(answer.text, case.must_contain)]
        if result.key_facts is False and not answer.escalated else [],
        "answer_chars": result.answer_chars,
        "groundedness": None if result.groundedness is None else round(result.groundedness, 4),
        "latency_ms": round(result.latency_ms, 1),
        "checks": result.checks(),
        "passed": result.passed,
    }


def write_chart(path: Path, metrics: Mapping[str, float | None], baseline: Mapping[str, float | None] | None) -> None:
    """Grouped bars of the [0, 1] metrics, current next to baseline."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = list(QUALITY_METRICS)
    current = [metrics.get(m) or 0.0 for m in names]
    fig = Figure(figsize=(10, 4.5), dpi=100)
    FigureCanvasAgg(fig)  # render without pyplot: no GUI backend, no global state
    ax = fig.subplots()
    width = 0.4 if baseline else 0.6
    xs = list(range(len(names)))
    if baseline:
        before = [baseline.get(m) or 0.0 for m in names]
        ax.bar([x - width / 2 for x in xs], before, width, label="baseline", color="#b0b7c3")
        ax.bar([x + width / 2 for x in xs], current, width, label="current", color="#2f6db5")
    else:
        ax.bar(xs, current, width, label="current", color="#2f6db5")
    ax.set_xticks(xs, names, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _failure_lines(result: CaseResult) -> list[str]:
    case, answer = result.case, result.answer
    excerpt = " ".join(answer.text.split())
    if len(excerpt) > MAX_ANSWER_CHARS:
        excerpt = excerpt[:MAX_ANSWER_CHARS].rstrip() + " …"
    missing = [" | ".join(case.must_contain[i]) for i in missing_groups(answer.text, case.must_contain)] \
        if result.key_facts is False and not answer.escalated else []
    return [
        f"### {case.id}: {_md_cell(case.question)}",
        "",
        f"- failed: {', '.join(result.failed_checks)}",
        f"- expected: {', '.join(case.expected_sources) or '(unanswerable)'}; rank: {result.rank or '—'}",
        f"- retrieved: {', '.join(s for s, _ in answer.retrieved[:3]) or '—'}",
        f"- escalated: {'yes' if answer.escalated else 'no'}; band: {answer.band}; kind: {case.kind}; "
        f"confidence: {answer.confidence:.3f}",
        *([f"- key facts missing: {_md_cell(' / '.join(missing))}"] if missing else []),
        f"- answer: {_md_cell(excerpt) or '—'}",
        *([f"- notes: {_md_cell(case.notes)}"] if case.notes else []),
        "",
    ]


def _kind_table(result: EvalResult) -> list[str]:
    """Escalation per kind of question: the answerability check's report card."""
    m, counts = result.metrics, result.counts
    rows = [f"| {kind} | {counts.get(f'kind:{kind}', 0)} | {_num(m.get(f'escalated:{kind}'), 3)} | "
            f"{_num(m.get(f'unsure:{kind}'), 3)} | {_num(m.get(f'handled:{kind}'), 3)} |"
            for kind in KINDS if counts.get(f"kind:{kind}")]
    return ["| kind | questions | escalated | unsure | handled |", "|---|---:|---:|---:|---:|", *rows, ""]


def render_markdown(result: EvalResult, summary: Mapping[str, Any],
                    baseline: Mapping[str, float | None] | None) -> str:
    counts = result.counts
    lines = [
        f"# Eval `{summary.get('dataset', '')}`",
        "",
        f"{summary.get('created', '')} · corpus `{summary.get('corpus', '')}` · {counts['cases']} questions "
        f"({counts['answerable']} answerable, {counts['unanswerable']} unanswerable) · "
        f"{counts['escalated']} escalated · {counts['failed']} failing",
        "",
        "| metric | value | baseline | delta |",
        "|---|---:|---:|---:|",
        *(f"| {m} | {v} | {b or '—'} | {d or '—'} |" for m, v, b, d in table_rows(result.metrics, baseline)),
        "",
        *_kind_table(result),
        f"![metrics]({CHART_NAME})",
        "",
        "Settings: " + ", ".join(f"{k}={v}" for k, v in summary.get("settings", {}).items()),
        "",
    ]
    for title, key in (("Regressions", "regressions"), ("Dataset problems", "source_problems")):
        if summary.get(key):
            lines += [f"## {title}", "", *(f"- {_md_cell(item)}" for item in summary[key]), ""]
    failures = result.failures
    lines += [f"## Failing cases ({len(failures)})", ""]
    if not failures:
        lines += ["None.", ""]
    for failure in failures:
        lines += _failure_lines(failure)
    return "\n".join(lines)


def write_outputs(out_dir: Path, result: EvalResult, summary: Mapping[str, Any],
                  baseline: Mapping[str, float | None] | None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as fh:
        for case_result in result.cases:
            fh.write(json.dumps(case_record(case_result), ensure_ascii=False) + "\n")
    write_chart(out_dir / CHART_NAME, result.metrics, baseline)
    (out_dir / "report.md").write_text(render_markdown(result, summary, baseline), encoding="utf-8")
    log.info("Eval results written to %s", out_dir)


def load_baseline(path: Path) -> dict[str, float | None] | None:
    """Metrics of a baseline file, or None when there is none yet."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        metrics = data["metrics"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"Baseline {path} is unreadable: {exc}") from exc
    if not isinstance(metrics, dict) or not all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v))
        for v in metrics.values()
    ):
        raise ConfigError(f"Baseline {path}: 'metrics' must map metric names to numbers.")
    return {str(k): (None if v is None else float(v)) for k, v in metrics.items()}


def save_baseline(path: Path, summary: Mapping[str, Any]) -> None:
    # Only what a reviewer needs to judge a change: no timestamps to the second, no per-case detail.
    data = {
        "dataset": summary.get("dataset"),
        "updated": dt.date.today().isoformat(),
        "metrics": {k: (None if v is None else round(v, 4)) for k, v in summary["metrics"].items()},
        "counts": summary.get("counts", {}),
        "settings": summary.get("settings", {}),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
