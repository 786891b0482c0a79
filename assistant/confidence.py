"""Confidence in [0, 1] from retrieval signals. Pure functions; the threshold lives in Settings.

The best dense similarity carries most of the weight: on real Dutch questions it alone separates
answerable from unanswerable questions well. Margin, dense/BM25 agreement and how much of the
answer the top source covers refine it. The calibration points come from the eval sets.
"""

from __future__ import annotations

from dataclasses import dataclass

# Cosine similarities of EmbeddingGemma (query prompt vs "title | text" passages) between which
# confidence rises from 0 to 1; measured on the eval sets (see README, "Confidence").
SIM_LOW = 0.40
SIM_HIGH = 0.70
MARGIN_FULL = 0.08


@dataclass(frozen=True)
class Signals:
    best_dense: float  # cosine similarity of the best document
    second_dense: float  # cosine similarity of the next document
    top_in_bm25: bool  # the top document is also among BM25's first three
    coverage: float  # share of the answer taken from the top source (0..1)


def _clip(value: float) -> float:
    return max(0.0, min(1.0, value))


def score(signals: Signals) -> float:
    similarity = _clip((signals.best_dense - SIM_LOW) / (SIM_HIGH - SIM_LOW))
    margin = _clip((signals.best_dense - signals.second_dense) / MARGIN_FULL)
    agreement = 1.0 if signals.top_in_bm25 else 0.0
    combined = 0.75 * similarity + 0.1 * margin + 0.1 * agreement + 0.05 * _clip(signals.coverage)
    # Without a decent similarity no bonus should lift a question over the threshold.
    return round(_clip(combined if similarity > 0 else 0.0), 4)
