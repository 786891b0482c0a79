"""Per-case scoring, aggregate metrics and baseline comparison. Pure functions: no model, no index, no IO."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answering import Draft, groundedness, quoted_part
from assistant.types import Answer, cited_numbers
from evals.dataset import KINDS, Case
from evals.keyfacts import holds_key_facts

log = logging.getLogger(__name__)

HIT_KS = (1, 3, 5)
QUALITY_METRICS = (
    "hit@1", "hit@3", "hit@5", "mrr", "citation_validity", "citation_correctness",
    "escalation_precision", "escalation_recall", "escalation_f1", "groundedness", "key_facts", "key_facts_all",
)
# Share of each kind of question that was escalated, shown under "not sure" (band), pointed to another service
# (referred), or any of these or a greeting reply (handled: no confident corpus answer).
KIND_METRICS = tuple(f"{what}:{kind}" for kind in KINDS for what in ("escalated", "unsure", "referred", "handled"))
LENGTH_METRICS = ("answer_chars_p50", "answer_chars_p90", "total_chars_p50")
LATENCY_METRICS = ("latency_p50_ms", "latency_p95_ms")
EPS = 1e-9


# Answers that deliberately quote no corpus passage: a pointer to another service (a referral) or a reply to a
# greeting. For scoring they count like an escalation: the question was not answered from the corpus.
NOT_FROM_CORPUS = ("referred", "greeting")


def declined(answer: Answer) -> bool:
    """Escalated, referred elsewhere, or a greeting: no corpus answer was given (nor is one to be scored)."""
    return answer.escalated or answer.band in NOT_FROM_CORPUS


@dataclass(frozen=True)
class CaseResult:
    case: Case
    answer: Answer
    latency_ms: float
    rank: int | None  # 1-based document rank of the first expected source in answer.retrieved
    ranks: dict[str, int | None] = field(default_factory=dict)  # rank of every expected source
    citation_valid: bool = True
    citation_correct: bool | None = None  # None: not scored (unanswerable or escalated)
    groundedness: float | None = None  # None: not scored (escalated or generative answer)
    key_facts: bool | None = None  # None: not scored (no must_contain, or not answerable)

    @property
    def answer_chars(self) -> int | None:
        """Length of the quoted answer text, where key facts are looked for (without the intro naming the
        source and without "Zie ook"); None when the question went to a coach."""
        return None if declined(self.answer) else len(" ".join(quoted_part(self.answer.text).split()))

    @property
    def total_chars(self) -> int | None:
        """Length of everything shown, intro and "Zie ook" included."""
        return None if declined(self.answer) else len(self.answer.text)

    def hit(self, k: int) -> bool | None:
        return (self.rank is not None and self.rank <= k) if self.case.answerable else None

    @property
    def escalation_correct(self) -> bool:
        return declined(self.answer) == (not self.case.answerable)

    def checks(self) -> dict[str, bool | None]:
        """Pass/fail per metric; None where a metric does not apply to this case."""
        grounded = None if self.groundedness is None else self.groundedness >= 1.0 - EPS
        return {
            **{f"hit@{k}": self.hit(k) for k in HIT_KS},
            "citation_valid": self.citation_valid,
            "citation_correct": self.citation_correct,
            "escalation_correct": self.escalation_correct,
            "grounded": grounded,
            "key_facts": self.key_facts if not declined(self.answer) else None,
        }

    @property
    def failed_checks(self) -> list[str]:
        # hit@1/hit@3 misses are normal at the margin; a case fails when the document is not in the top 5.
        return [name for name, ok in self.checks().items() if ok is False and name not in ("hit@1", "hit@3")]

    @property
    def passed(self) -> bool:
        return not self.failed_checks


@dataclass(frozen=True)
class EvalResult:
    cases: list[CaseResult]
    metrics: dict[str, float | None]  # QUALITY_METRICS and LATENCY_METRICS; None = no case to measure on
    counts: dict[str, int]

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.cases if not r.passed]


@dataclass(frozen=True)
class Tolerance:
    max_drop: float | None = None  # allowed drop against the baseline
    floor: float | None = None  # absolute minimum, baseline or not


@dataclass(frozen=True)
class Regression:
    metric: str
    current: float
    baseline: float | None
    limit: float
    reason: str

    def __str__(self) -> str:
        return f"{self.metric}: {self.reason}"


DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    "hit@5": Tolerance(max_drop=0.02),
    "mrr": Tolerance(max_drop=0.02),
    "escalation_recall": Tolerance(max_drop=0.02),
    "citation_correctness": Tolerance(max_drop=0.02),
    "groundedness": Tolerance(floor=1.0),
    "citation_validity": Tolerance(floor=1.0),
    "key_facts": Tolerance(max_drop=0.02),
    "key_facts_all": Tolerance(max_drop=0.02),
}


def document_ranks(expected: Sequence[str], retrieved: Sequence[tuple[str, float]]) -> dict[str, int | None]:
    positions: dict[str, int] = {}
    for i, (source, _score) in enumerate(retrieved, start=1):
        positions.setdefault(source, i)
    return {source: positions.get(source) for source in expected}


def citation_valid(answer: Answer) -> bool:
    if answer.escalated and not answer.citations:
        return True  # "ask your coach" carries no claims and no markers to check
    listed = {c.n for c in answer.citations}
    return all(n in listed for n in cited_numbers(answer.text))


def first_cited_source(answer: Answer) -> str | None:
    by_n = {c.n: c.source for c in answer.citations}
    for n in cited_numbers(answer.text):
        if n in by_n:
            return by_n[n]
    return None


def answer_groundedness(answer: Answer) -> float:
    draft = Draft(text=answer.text, citations=answer.citations, coverage=0.0, answerer="extractive")
    return groundedness(draft)


def score_case(case: Case, answer: Answer, latency_ms: float, extractive: bool = True) -> CaseResult:
    """Score one answer; groundedness only for extractive answers, which must quote verbatim."""
    ranks = document_ranks(case.expected_sources, answer.retrieved)
    found = [r for r in ranks.values() if r is not None]
    correct = None
    if case.answerable and not declined(answer):
        correct = first_cited_source(answer) in case.expected_sources
    grounded = answer_groundedness(answer) if extractive and not declined(answer) else None
    key_facts = None
    if case.answerable and case.must_contain:
        key_facts = not declined(answer) and holds_key_facts(answer.text, case.must_contain)
    return CaseResult(
        case=case, answer=answer, latency_ms=latency_ms, rank=min(found) if found else None, ranks=ranks,
        citation_valid=citation_valid(answer), citation_correct=correct, groundedness=grounded,
        key_facts=key_facts,
    )


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def mrr(ranks: Sequence[int | None]) -> float | None:
    return mean([1.0 / r if r else 0.0 for r in ranks])


def hit_rate(ranks: Sequence[int | None], k: int) -> float | None:
    return mean([1.0 if r is not None and r <= k else 0.0 for r in ranks])


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    """Escalation scores; None where the denominator is empty (nothing to escalate and nothing escalated)."""
    recall = tp / (tp + fn) if tp + fn else None
    if tp + fp:
        precision: float | None = tp / (tp + fp)
    else:
        precision = 0.0 if tp + fn else None  # escalated nothing while some questions needed it
    if precision is None or recall is None:
        return precision, recall, None
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def aggregate(results: Sequence[CaseResult]) -> EvalResult:
    answerable = [r for r in results if r.case.answerable]
    ranks = [r.rank for r in answerable]
    # "Escalation" scores count every declined answer: a referral of an off-topic question is right too.
    tp = sum(1 for r in results if declined(r.answer) and not r.case.answerable)
    fp = sum(1 for r in results if declined(r.answer) and r.case.answerable)
    fn = sum(1 for r in results if not declined(r.answer) and not r.case.answerable)
    precision, recall, f1 = precision_recall_f1(tp, fp, fn)
    correct = [float(r.citation_correct) for r in results if r.citation_correct is not None]
    grounded = [r.groundedness for r in results if r.groundedness is not None]
    latencies = [r.latency_ms for r in results]
    metrics: dict[str, float | None] = {
        **{f"hit@{k}": hit_rate(ranks, k) for k in HIT_KS},
        "mrr": mrr(ranks),
        "citation_validity": mean([float(r.citation_valid) for r in results]),
        "citation_correctness": mean(correct),
        "escalation_precision": precision,
        "escalation_recall": recall,
        "escalation_f1": f1,
        "groundedness": mean(grounded),
        **key_fact_metrics(answerable),
        **kind_metrics(results),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
    counts = {
        "cases": len(results), "answerable": len(answerable), "unanswerable": len(results) - len(answerable),
        "escalated": sum(1 for r in results if r.answer.escalated), "declined": tp + fp,
        "referred": sum(1 for r in results if r.answer.band == "referred" and not r.answer.escalated),
        "escalated_answerable": fp, "answered_unanswerable": fn,
        "grounded_scored": len(grounded), "failed": sum(1 for r in results if not r.passed),
        "key_facts_scored": sum(1 for r in answerable if r.key_facts is not None),
        **{f"kind:{kind}": sum(1 for r in results if r.case.kind == kind) for kind in KINDS},
    }
    return EvalResult(cases=list(results), metrics=metrics, counts=counts)


def key_fact_metrics(answerable: Sequence[CaseResult]) -> dict[str, float | None]:
    """key_facts over answered annotated questions, key_facts_all over all of them (an escalation holds none);
    answer length over every answered answerable question."""
    scored = [r for r in answerable if r.key_facts is not None]
    chars = [float(r.answer_chars) for r in answerable if r.answer_chars is not None]
    totals = [float(r.total_chars) for r in answerable if r.total_chars is not None]
    return {
        "key_facts": mean([float(bool(r.key_facts)) for r in scored if not declined(r.answer)]),
        "key_facts_all": mean([float(bool(r.key_facts)) for r in scored]),
        "answer_chars_p50": percentile(chars, 50),
        "answer_chars_p90": percentile(chars, 90),
        "total_chars_p50": percentile(totals, 50),
    }


def kind_metrics(results: Sequence[CaseResult]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for kind in KINDS:
        of_kind = [r.answer for r in results if r.case.kind == kind]
        out[f"escalated:{kind}"] = mean([float(a.escalated) for a in of_kind])
        out[f"unsure:{kind}"] = mean([float(a.band == "unsure" and not a.escalated) for a in of_kind])
        out[f"referred:{kind}"] = mean([float(a.band == "referred" and not a.escalated) for a in of_kind])
        out[f"handled:{kind}"] = mean([float(declined(a) or a.band == "unsure") for a in of_kind])
    return out


def compare(current: Mapping[str, float | None], baseline: Mapping[str, float | None] | None,
            tolerances: Mapping[str, Tolerance] | None = None) -> list[Regression]:
    """Metrics that fell below their floor or dropped more than allowed against the baseline."""
    found: list[Regression] = []
    for metric, tol in (DEFAULT_TOLERANCES if tolerances is None else tolerances).items():
        value = current.get(metric)
        if value is None:
            continue  # not measured on this dataset (e.g. no unanswerable questions)
        before = baseline.get(metric) if baseline else None
        if tol.floor is not None and value < tol.floor - EPS:
            reason = f"{value:.3f} is below the floor {tol.floor:.3f}"
            found.append(Regression(metric, value, before, tol.floor, reason))
            continue
        if tol.max_drop is not None and before is not None and before - value > tol.max_drop + EPS:
            found.append(Regression(metric, value, before, before - tol.max_drop,
                                    f"dropped {before - value:.3f} from {before:.3f} (allowed {tol.max_drop:.3f})"))
    return found
