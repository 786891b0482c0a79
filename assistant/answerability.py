"""Does the passage we found answer the question? A calibrated probability from retrieval signals, and a band.

Pure functions. The weights and the two thresholds are fit offline by cross-validation over both eval
sets (benchmarks/answerability.py prints them, with the held-out figures) and shipped as constants
here: nothing is fit at run time.

- below `escalate_below`: the question goes to the coach (band "escalated");
- from there up to `answer_from`: the answer is shown under "Ik ben niet zeker dat dit je vraag
  beantwoordt", with the coach one click away (band "unsure");
- from `answer_from` up: a plain answer (band "answer").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.types import Band


@dataclass(frozen=True)
class Evidence:
    """What retrieval and the chosen passage say about a question; all from the one question vector."""

    best_dense: float  # cosine of the best document (its best chunk)
    second_dense: float  # cosine of the next document
    best_window: float  # cosine of the best window in the retrieved documents
    doc_coverage: float  # IDF-weighted share of the question's terms found anywhere in the top document
    term_coverage: float  # the same, in the quoted passage only
    top_in_bm25: bool  # the top document is also among BM25's first three
    novel_terms: int  # question terms the corpus never uses (no compound or prefix neighbour either)

    def values(self) -> dict[str, float]:
        return {
            "best_dense": self.best_dense, "margin": self.best_dense - self.second_dense,
            "best_window": self.best_window, "doc_coverage": self.doc_coverage,
            "term_coverage": self.term_coverage, "top_in_bm25": float(self.top_in_bm25),
            "novel_terms": float(min(self.novel_terms, 3)),
        }


@dataclass(frozen=True)
class Calibration:
    """A logistic model on standardised features, and the two band thresholds on its probability."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    escalate_below: float
    answer_from: float

    def probability(self, evidence: Evidence) -> float:
        values = evidence.values()
        z = self.bias + sum(w * (values[f] - m) / s for f, w, m, s in
                            zip(self.features, self.weights, self.means, self.scales, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def band(self, probability: float) -> Band:
        return band(probability, self.escalate_below, self.answer_from)


def band(probability: float, escalate_below: float, answer_from: float) -> Band:
    if probability < escalate_below:
        return "escalated"
    return "unsure" if probability < answer_from else "answer"


_ORDER: tuple[Band, ...] = ("escalated", "unsure", "answer")


def at_most(current: Band, cap: Band) -> Band:
    """The band lowered to `cap` ("answer" > "unsure" > "escalated"); never raised."""
    return current if _ORDER.index(current) <= _ORDER.index(cap) else cap


# Fit by `python benchmarks/answerability.py` (2026-11-30, EmbeddingGemma-300M bf16) on every question of
# evals/datasets/sample.jsonl and office-nl.jsonl plus the 284 shared answerability pairs (training only),
# class-balanced L2 logistic regression; thresholds are the 6 % and 20 % quantiles of the answerable questions'
# scores. Held-out (5-fold by question and cross-set) figures are in README, "Answerability". The best window's
# similarity alone is shipped: adding term coverage scored better within a corpus but did not carry over from
# one corpus to the other (README). Equivalent cut-offs on the best window's cosine: 0.515 and 0.578.
SHIPPED = Calibration(
    features=("best_window",),
    means=(0.6003,),
    scales=(0.0913,),
    weights=(1.2126,),
    bias=0.0535,
    escalate_below=0.2539,
    answer_from=0.4397,
)
