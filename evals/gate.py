"""The tip-batch gate: stage a coaches' batch beside the live index, evaluate both, publish only if none got worse.

It sits above the rest of evals and above ingest (it uses both: ingest.batch_files stages and publishes, evals
scores), so neither of those imports it; the coach workspace and `python -m ingest batch` call it.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from assistant.config import Settings
from assistant.embedding import EmbeddingModel
from assistant.errors import ConfigError
from assistant.store import ChromaStore, IndexInfo
from evals.dataset import Case, load_dataset
from evals.metrics import EPS, EvalResult, Regression, Tolerance, compare
from ingest import batch_files as files
from ingest.batch_files import BatchError, read_batch
from ingest.lock import batch_lock
from ingest.pipeline import IngestReport, run_ingest
from ingest.startcheck_files import retire_conflicts

log = logging.getLogger(__name__)

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
METRIC_NAMES = {
    "hit@5": "juiste bron in de top 5", "mrr": "rang van de juiste bron (MRR)",
    "escalation_recall": "vragen zonder antwoord doorgestuurd", "citation_correctness": "juiste bron geciteerd",
    "groundedness": "antwoord letterlijk uit de bron", "citation_validity": "geldige bronverwijzingen",
    "key_facts": "kernpunt staat in het antwoord", "key_facts_all": "kernpunt staat in het antwoord (alle vragen)",
}


class WorseCase(NamedTuple):
    id: str
    question: str
    rank_before: int | None  # None for an unanswerable question: it was escalated, now it gets an answer
    rank_after: int | None  # None: the expected source is no longer among the results
    displaced_by: list[str]  # documents that now rank above the expected source (the batch's own first)


@dataclass
class BatchOutcome:
    published: bool
    regressions: list[Regression]
    worse_cases: list[WorseCase]
    staged: list[str]  # corpus paths the batch writes
    added: list[str]
    updated: list[str]
    retired: list[str]
    live_metrics: dict[str, float | None]
    staged_metrics: dict[str, float | None]
    seconds: float
    passed: bool = False  # the gate's verdict (a dry run passes without publishing)
    index_changed: bool = True  # False: the files are already in the index, nothing to evaluate
    collection: str = ""  # the staged generation (live after publishing)
    chunks_embedded: int = 0
    lost_sources: dict[str, list[str]] = field(default_factory=dict)  # case id -> expected sources retired
    notes: list[str] = field(default_factory=list)  # Dutch remarks that do not block the batch
    backup: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regressions"] = [asdict(r) for r in self.regressions]
        data["worse_cases"] = [c._asdict() for c in self.worse_cases]
        data["seconds"] = round(self.seconds, 2)
        return data


# -- staging and judging ---------------------------------------------------------------------------------
def default_datasets(settings: Settings) -> list[Path]:
    """The shipped sample set, plus the escalation eval set once coaches have grown one."""
    escalations = settings.escalation_evals_file
    return [DATASETS_DIR / "sample.jsonl", *([escalations] if escalations.is_file() else [])]


def load_cases(datasets: Sequence[Path]) -> list[Case]:
    """Cases of every dataset; an id used twice gets its dataset's name in front."""
    cases: list[Case] = []
    taken: set[str] = set()
    for path in datasets:
        for case in load_dataset(Path(path)):
            cases.append(replace(case, id=f"{Path(path).stem}:{case.id}") if case.id in taken else case)
            taken.add(cases[-1].id)
    return cases


class _SameQuestions(EmbeddingModel):
    """Both generations hear the same questions: embed each once, which halves the model time of a gate run."""

    def __init__(self, embedder: EmbeddingModel) -> None:
        self.name, self.dimension, self._embedder = embedder.name, embedder.dimension, embedder
        self._seen: dict[str, np.ndarray] = {}

    def embed_query(self, question: str) -> np.ndarray:
        if question not in self._seen:
            self._seen[question] = self._embedder.embed_query(question)
        return self._seen[question]

    def embed_queries(self, questions: Sequence[str], batch_size: int = 16) -> np.ndarray:
        return np.stack([self.embed_query(q) for q in questions]) if questions else self._embedder.embed_queries([])

    def embed_documents(self, items: Sequence[tuple[str, str]], batch_size: int = 16) -> np.ndarray:
        return self._embedder.embed_documents(items, batch_size=batch_size)

    def warm(self, questions: Sequence[str], max_chars: int) -> None:
        """Embed all questions in batches up front (several times faster on a CPU than one by one)."""
        from assistant.question import clean_question

        # Keyed on the cleaned text, which is what Assistant.ask embeds.
        todo = list(dict.fromkeys(c.text for c in (clean_question(q, max_chars) for q in questions) if not c.refused))
        if todo:
            self._seen.update(zip(todo, self._embedder.embed_queries(todo), strict=True))


def check_batch(settings: Settings, batch_dir: Path) -> files.BatchPlan:
    """The batch's plan, or BatchError: its files (read_batch), then the tips the start check's paths need, which
    a batch may not retire (corpus/startcheck.yaml; ingest itself reports a broken start check)."""
    plan = read_batch(settings, Path(batch_dir))
    needed = retire_conflicts(settings.corpus_dir, plan.retire, plan.files)
    if needed:
        raise BatchError(needed)
    return plan


def run_batch(settings: Settings, embedder: EmbeddingModel, batch_dir: Path, datasets: Sequence[Path],
              tolerances: Mapping[str, Tolerance] | None = None, *, dry_run: bool = False) -> BatchOutcome:
    """Stage the batch, evaluate it against the live index and publish it only when the gate passes.

    Raises BatchError (invalid batch: nothing staged) and ConfigError/IndexProblem; refusals are outcomes.
    """
    started = time.perf_counter()
    plan = check_batch(settings, Path(batch_dir))
    cases = load_cases(datasets)
    store = ChromaStore(settings)
    with batch_lock(settings.data_dir), tempfile.TemporaryDirectory(prefix="digihulp-batch-") as tmp:
        live = store.live_info()  # read under the lock: another batch may just have published
        if live is None:
            raise ConfigError("Er is nog geen live index om mee te vergelijken. Bouw hem met: python -m ingest")
        published, staged_generation = False, ""
        try:
            staged = files.stage_corpus(settings.corpus_dir, plan, Path(tmp) / "corpus")
            report = run_ingest(settings.model_copy(update={"corpus_dir": staged}), embedder, store, publish=False)
            staged_generation = "" if report.collection == live.collection else report.collection
            bad = {source: reason for source, reason in report.failed.items() if source in plan.files}
            if bad:
                raise BatchError(bad)
            queries = _SameQuestions(embedder)
            if report.collection != live.collection:
                queries.warm([case.question for case in cases], settings.max_question_chars)
            outcome = _judge(settings, queries, store, live, report, plan, cases, tolerances, Path(tmp))
            if outcome.passed and not dry_run:
                outcome.backup = str(files.publish_batch(settings, store, plan, staged, report, live, embedder))
                published = outcome.published = True
                _keep_measurements(Path(outcome.backup), outcome)
        finally:
            if not published and staged_generation:
                store.drop(staged_generation)  # the refused generation; live and previous stay
    outcome.seconds = time.perf_counter() - started
    log.info("Batch %s: %s in %.1f s", batch_dir, "published" if published else "not published", outcome.seconds)
    return outcome


def _keep_measurements(backup: Path, outcome: BatchOutcome) -> None:
    """What the gate measured, next to the batch's backup: the meeting agenda reports it per tip."""
    gate = {"live": outcome.live_metrics, "staged": outcome.staged_metrics, "added": outcome.added,
            "updated": outcome.updated, "retired": outcome.retired}
    try:
        (backup / "gate.json").write_text(json.dumps(gate, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:  # the batch is published; only the agenda misses its figures
        log.warning("Could not keep the gate's measurements in %s: %s", backup, exc)


def _judge(settings: Settings, queries: _SameQuestions, store: ChromaStore, live: IndexInfo, report: IngestReport,
           plan: files.BatchPlan, cases: list[Case], tolerances: Mapping[str, Tolerance] | None, tmp: Path
           ) -> BatchOutcome:
    outcome = BatchOutcome(
        published=False, regressions=[], worse_cases=[], staged=sorted({*plan.files, *plan.retire}),
        added=report.added, updated=report.updated, retired=sorted(plan.retire), live_metrics={}, staged_metrics={},
        seconds=0.0, collection=report.collection, chunks_embedded=report.chunks_embedded)
    outside = sorted({*report.added, *report.updated, *report.removed} - {*plan.files, *plan.retire})
    if outside:
        outcome.notes.append("Ook deze wijzigingen in het corpus zaten nog niet in de index en worden mee "
                             f"getest en gepubliceerd: {', '.join(outside)}.")
    if report.collection == live.collection:
        outcome.passed, outcome.index_changed = True, False
        return outcome
    before, after = (_evaluate(settings, queries, store.pinned(name), cases, tmp / label)
                     for label, name in (("live", live.collection), ("staged", report.collection)))
    outcome.live_metrics, outcome.staged_metrics = before.metrics, after.metrics
    for regression in compare(after.metrics, before.metrics, tolerances):
        was = before.metrics.get(regression.metric)
        if was is not None and regression.current >= was - EPS:  # a floor the live index already misses
            outcome.notes.append(f"{METRIC_NAMES.get(regression.metric, regression.metric)} haalt de "
                                 f"ondergrens {regression.limit:.3f} ook nu al niet ({was:.3f}).")
        else:
            outcome.regressions.append(regression)
    removed = {*plan.retire, *report.removed}
    outcome.worse_cases, outcome.lost_sources = _worse_cases(before, after, {*report.added, *report.updated},
                                                             removed, settings.top_k)
    outcome.passed = not outcome.regressions
    return outcome


def _evaluate(settings: Settings, queries: _SameQuestions, store: ChromaStore, cases: list[Case],
              data_dir: Path) -> EvalResult:
    from assistant.service import build_assistant
    from evals.runner import assistant_settings, evaluate

    # Evals escalate on purpose: their own SQLite, no mail; extractive answers keep both sides deterministic.
    private = settings.model_copy(update={"data_dir": data_dir, "smtp_host": "", "llm_url": ""})
    return evaluate(build_assistant(assistant_settings(private), embedder=queries, store=store), cases)


def _worse_cases(before: EvalResult, after: EvalResult, changed: set[str], removed: set[str], top_k: int
                 ) -> tuple[list[WorseCase], dict[str, list[str]]]:
    worse: list[WorseCase] = []
    lost: dict[str, list[str]] = {}
    for old, new in zip(before.cases, after.cases, strict=True):
        case = old.case
        if not case.answerable:
            if old.answer.escalated and not new.answer.escalated:
                cited = list(dict.fromkeys(c.source for c in new.answer.citations))
                worse.append(WorseCase(case.id, case.question, None, None, [s for s in cited if s in changed] or cited))
            continue
        if old.rank is None or (new.rank is not None and new.rank <= old.rank):
            continue
        gone = sorted(set(case.expected_sources) & removed)
        if gone:
            lost[case.id] = gone
        was_first = [s for s, r in old.ranks.items() if r == old.rank]
        above_before = {s for s, _ in old.answer.retrieved[:old.rank - 1]}
        above_now = [s for s, _ in new.answer.retrieved[:(new.rank - 1) if new.rank else top_k]]
        moved_up = [s for s in above_now if s not in above_before and s not in case.expected_sources]
        displaced = [] if set(was_first) <= removed else [s for s in moved_up if s in changed] or moved_up
        worse.append(WorseCase(case.id, case.question, old.rank, new.rank, displaced))
    return worse, lost


# -- for coaches ------------------------------------------------------------------------------------------
def describe(outcome: BatchOutcome) -> str:
    """What a coach reads after 'Batch publiceren' (Dutch)."""
    changes = f"{len(outcome.added)} nieuw, {len(outcome.updated)} bijgewerkt, {len(outcome.retired)} ingetrokken"
    if not outcome.index_changed:
        lines = [f"Batch verwerkt ({changes}): de zoekindex verandert niet, de bestanden staan al zo in het corpus."]
    elif outcome.published:
        lines = [f"Batch gepubliceerd ({changes}; {outcome.chunks_embedded} stukken nieuw ingebed, "
                 f"{outcome.seconds:.0f} s). Collega's krijgen nu antwoorden uit de nieuwe versie."]
    elif outcome.passed:
        lines = [f"Batch goedgekeurd ({changes}), maar niet gepubliceerd (proefrun)."]
    else:
        lines = [f"Batch GEWEIGERD ({changes}): de antwoorden zouden slechter worden. Voor de collega's verandert "
                 "er niets."]
    before, after = outcome.live_metrics, outcome.staged_metrics
    scores = [f"{name} {before[m]:.3f} → {after[m]:.3f}" for m, name in METRIC_NAMES.items()
              if before.get(m) is not None and after.get(m) is not None]
    lines += [f"Scores (nu → met de batch): {'; '.join(scores)}."] if scores and not outcome.regressions else []
    for reg in outcome.regressions:
        name = METRIC_NAMES.get(reg.metric, reg.metric)
        was = "—" if reg.baseline is None else f"{reg.baseline:.3f}"
        lines.append(f"  {name}: {was} → {reg.current:.3f} (mag niet onder {reg.limit:.3f})")
    if outcome.worse_cases:
        lines.append("Vragen die slechter beantwoord worden:" if outcome.regressions else
                     "Vragen die binnen de marge zakken (bekijk of de eval-set de nieuwe tip moet verwachten):")
        lines += [f"  - {_case_line(case, outcome.lost_sources.get(case.id, []))}" for case in outcome.worse_cases]
    blamed = Counter(source for case in outcome.worse_cases for source in case.displaced_by[:1])
    lines += [f"Oorzaak: {source} verdringt de juiste bron bij {_questions(n)}." for source, n in blamed.most_common()
              if source in {*outcome.added, *outcome.updated}]
    needed = Counter(source for sources in outcome.lost_sources.values() for source in sources)
    if needed:
        lines.append("Oorzaak: deze ingetrokken tips zijn nog nodig: "
                     + ", ".join(f"{source} ({_questions(n)})" for source, n in needed.most_common()) + ".")
    return "\n".join(lines + [f"Opmerking: {note}" for note in outcome.notes])


def _questions(n: int) -> str:
    return f"{n} vraag" if n == 1 else f"{n} vragen"


def _case_line(case: WorseCase, lost: list[str]) -> str:
    sources = ", ".join(case.displaced_by)
    if case.rank_before is None:
        return f"{case.id} „{case.question}”: werd doorgestuurd naar een digicoach, krijgt nu een antwoord" + (
            f" uit {sources}" if sources else "")
    after = "niet meer gevonden" if case.rank_after is None else str(case.rank_after)
    what = f"rang {case.rank_before} → {after}"
    why = [f"verdrongen door {sources}"] if sources else []
    why += [f"de verwachte bron {', '.join(lost)} wordt ingetrokken"] if lost else []
    return f"{case.id} „{case.question}”: {what}" + (f" ({'; '.join(why)})" if why else "")
