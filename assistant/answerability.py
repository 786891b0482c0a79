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
    best_window: float  # cosine of the best window in the retrieved chunks
    quoted_window: float  # cosine of the window the answer quotes first
    window_in_top_chunk: bool  # the best window lies in the best dense chunk
    top_in_bm25: bool  # the top document is also among BM25's first three
    term_coverage: float  # IDF-weighted share of the question's terms found in the quoted passage
    novel_terms: int  # question terms the corpus never uses (no compound or prefix neighbour either)


FEATURES: tuple[str, ...] = (
    "best_dense", "margin", "best_window", "quoted_window", "window_in_top_chunk", "top_in_bm25",
    "term_coverage", "novel_terms",
)


def features(e: Evidence) -> list[float]:
    values = {
        "best_dense": e.best_dense, "margin": e.best_dense - e.second_dense, "best_window": e.best_window,
        "quoted_window": e.quoted_window, "window_in_top_chunk": float(e.window_in_top_chunk),
        "top_in_bm25": float(e.top_in_bm25), "term_coverage": e.term_coverage,
        "novel_terms": float(min(e.novel_terms, 3)),
    }
    return [values[name] for name in FEATURES]


@dataclass(frozen=True)
class Calibration:
    """A logistic model on standardised features, and the two band thresholds on its probability."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    escalate_below: float
    answer_from: float

    def probability(self, evidence: Evidence) -> float:
        z = self.bias + sum(w * (x - m) / s for w, x, m, s in
                            zip(self.weights, features(evidence), self.means, self.scales, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def band(probability: float, escalate_below: float, answer_from: float) -> Band:
    if probability < escalate_below:
        return "escalated"
    return "unsure" if probability < answer_from else "answer"


# Fit by benchmarks/answerability.py on sample.jsonl + office-nl.jsonl + the shared answerability pairs
# (see README, "Answerability"); placeholder until the first fit is committed.
SHIPPED = Calibration(
    means=(0.55, 0.03, 0.55, 0.5, 0.5, 0.5, 0.5, 0.3),
    scales=(0.08, 0.03, 0.08, 0.1, 0.5, 0.5, 0.3, 0.6),
    weights=(2.0, 0.3, 0.5, 0.3, 0.1, 0.2, 0.1, -0.5),
    bias=1.5,
    escalate_below=0.4,
    answer_from=0.6,
)
