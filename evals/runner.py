"""Run an eval: bring the eval's own index up to date, ask every question through Assistant.ask, write results.

`evaluate` is the reusable core (no ingest, no files); `run` adds the index, the outputs and the baseline.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.config import Settings
from assistant.embedding import EmbeddingModel
from assistant.errors import ConfigError
from assistant.types import Answer
from evals import report
from evals.dataset import Case, check_sources, load_dataset
from evals.metrics import DEFAULT_TOLERANCES, EvalResult, Regression, Tolerance, aggregate, compare, score_case

log = logging.getLogger(__name__)

EVALS_DIR = Path(__file__).resolve().parent


class Asker(Protocol):
    def ask(self, question: str, department: str | None = None) -> Answer: ...


@dataclass(frozen=True)
class RunOutcome:
    result: EvalResult
    summary: dict[str, Any]
    baseline: dict[str, float | None] | None  # metrics of the baseline as it was before this run
    regressions: list[Regression]
    out_dir: Path
    baseline_path: Path
    source_problems: list[str] = field(default_factory=list)


def default_out_dir(dataset: Path) -> Path:
    return EVALS_DIR / "out" / Path(dataset).stem


def default_baseline(dataset: Path) -> Path:
    return EVALS_DIR / "baselines" / f"{Path(dataset).stem}.json"


def default_data_dir(dataset: Path) -> Path:
    # Evals escalate questions on purpose: they get a data dir of their own, never the live one.
    return Path("data") / f"evals-{Path(dataset).stem}"


def evaluate(assistant: Asker, cases: Sequence[Case], *, extractive: bool | None = None,
             warm_up: bool = True) -> EvalResult:
    """Ask every case through `assistant.ask` (the chat page's code path) and score the answers."""
    if extractive is None:
        extractive = getattr(assistant, "llm", None) is None
    retrieve = getattr(assistant, "retrieve", None)
    if warm_up and cases and callable(retrieve):
        # The first query loads chunks and BM25; a running app pays that once, so it is kept out of p95.
        retrieve(cases[0].question)
    results = []
    for case in cases:
        started = time.perf_counter()
        answer = assistant.ask(case.question, case.department)
        latency_ms = (time.perf_counter() - started) * 1000.0
        result = score_case(case, answer, latency_ms, extractive=extractive)
        log.debug("%s rank=%s escalated=%s failed=%s", case.id, result.rank, answer.escalated, result.failed_checks)
        results.append(result)
    return aggregate(results)


def settings_that_matter(settings: Settings, embedder: EmbeddingModel) -> dict[str, Any]:
    return {
        "model": embedder.name,
        "embed_dtype": getattr(embedder, "dtype", settings.embed_dtype),
        "top_k": settings.top_k,
        "candidates": settings.candidates,
        "max_chunks_per_doc": settings.max_chunks_per_doc,
        "bm25_weight": settings.bm25_weight,
        "confidence_threshold": settings.confidence_threshold,
        "unsure_threshold": settings.unsure_threshold,
        "passage_selector": settings.passage_selector,
        "chunk_words": settings.chunk_words,
        "answerer": "llm" if settings.llm_url else "extractive",
    }


def _ingest(settings: Settings, embedder: EmbeddingModel) -> dict[str, Any]:
    from assistant.store import ChromaStore
    from ingest.pipeline import run_ingest

    ingest_report = run_ingest(settings, embedder, ChromaStore(settings))
    for source, reason in sorted(ingest_report.failed.items()):
        log.warning("Not ingested: %s: %s", source, reason)
    log.info("Index %s: %d chunks, %d embedded", ingest_report.collection, ingest_report.chunks_total,
             ingest_report.chunks_embedded)
    return {"collection": ingest_report.collection, "chunks": ingest_report.chunks_total,
            "embedded": ingest_report.chunks_embedded, "failed": sorted(ingest_report.failed)}


def assistant_settings(settings: Settings) -> Settings:
    """Settings for build_assistant; borrows the project's coaches.yaml when the corpus has none.

    Public corpora (office-nl) carry no coach directory; routing only decides who an escalation goes
    to, which no metric depends on.
    """
    if settings.coaches_file.is_file():
        return settings
    fallback = EVALS_DIR.parent / "corpus" / "coaches.yaml"
    if not fallback.is_file():
        raise ConfigError(f"Geen coaches.yaml in {settings.corpus_dir} en ook niet {fallback}.")
    log.warning("%s has no coaches.yaml; routing escalations with %s", settings.corpus_dir, fallback)
    return settings.model_copy(update={"coaches_path": fallback})


def run(settings: Settings, dataset: Path, out: Path | None = None, embedder: EmbeddingModel | None = None, *,
        baseline: Path | None = None, update_baseline: bool = False,
        tolerances: dict[str, Tolerance] | None = None) -> RunOutcome:
    """Ingest (incremental), evaluate, write summary.json, cases.jsonl and report.md; raises on bad input."""
    from assistant.service import build_assistant

    dataset = Path(dataset)
    cases = load_dataset(dataset)
    if not settings.corpus_dir.is_dir():
        raise ConfigError(f"De corpusmap {settings.corpus_dir} bestaat niet.")
    # Escalation mails from an eval would land in real coaches' inboxes.
    settings = settings.model_copy(update={"smtp_host": ""})
    for_assistant = assistant_settings(settings)  # fails before minutes of embedding, not after
    problems = check_sources(cases, settings.corpus_dir)
    for problem in problems:
        log.warning("%s", problem)
    if embedder is None:
        from assistant.model import load_embedder

        embedder = load_embedder(settings)  # as the chat page
    index = _ingest(settings, embedder)
    result = evaluate(build_assistant(for_assistant, embedder=embedder), cases)

    out_dir = Path(out) if out is not None else default_out_dir(dataset)
    baseline_path = Path(baseline) if baseline is not None else default_baseline(dataset)
    before = report.load_baseline(baseline_path)
    regressions = compare(result.metrics, before, DEFAULT_TOLERANCES if tolerances is None else tolerances)
    summary = {
        "dataset": dataset.stem,
        "dataset_path": str(dataset),
        "corpus": str(settings.corpus_dir),
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "metrics": {k: None if v is None else round(v, 4) for k, v in result.metrics.items()},
        "counts": result.counts,
        "settings": settings_that_matter(settings, embedder),
        "index": index,
        "source_problems": problems,
        "baseline": str(baseline_path) if before is not None else None,
        "regressions": [str(r) for r in regressions],
    }
    report.write_outputs(out_dir, result, summary, before)
    if update_baseline:
        report.save_baseline(baseline_path, summary)
        log.info("Baseline written to %s", baseline_path)
    return RunOutcome(result, summary, before, regressions, out_dir, baseline_path, problems)
