"""Knowledge-gap cards: cluster the period's signals and describe each cluster for the coaches.

Pure logic over stored vectors (see signals.py): the period's signals are clustered, older signals are assigned
to the nearest cluster for the trend and the weekly sparkline, each cluster is compared with the tips' passages
(a *missing* tip when none comes close, a *weak* one when a tip does but questions still end here), and the
coaches' earlier decisions are found again by meaning (gap_store.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant import clustering
from assistant.bm25 import tokenize
from assistant.escalation import mask_pii
from assistant.gap_store import CardRecord
from assistant.signals import Signal, SignalSet

HANDLED = ("tip", "published", "linked", "no_action")
STATUS_NL = {"new": "nieuw", "tip": "tip in de maak", "published": "tip gepubliceerd", "linked": "gekoppeld aan tip",
             "no_action": "geen actie", "reopened": "heropend: nieuwe vragen"}
EXAMPLES = 5
SPARK_WEEKS = 8


@dataclass(frozen=True)
class TipVectors:
    """The active tips' passage vectors (document side of the model), as the index holds them."""

    sources: tuple[str, ...]
    titles: tuple[str, ...]
    apps: tuple[str, ...]
    vectors: np.ndarray  # passages x dim, unit rows, grouped per tip (rows of tip i: owner == i)
    owner: np.ndarray  # tip index per passage row

    @classmethod
    def empty(cls) -> TipVectors:
        return cls((), (), (), np.zeros((0, 0), np.float32), np.zeros(0, int))


@dataclass(frozen=True)
class TipMatch:
    source: str
    title: str
    similarity: float


@dataclass
class GapCard:
    key: str
    label: str
    question_ids: tuple[int, ...]
    count: int
    previous: int
    weekly: tuple[int, ...]  # oldest first, the last week ends at the period's end
    departments: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]  # masked
    kinds: dict[str, int]
    tips: tuple[TipMatch, ...]
    missing: bool  # no tip comes close: a tip has to be written, not improved
    status: str = "new"
    record: CardRecord | None = None
    best_answer_id: int | None = None  # the escalation whose coach answer prefills "Maak tip"
    centroid: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    apps: tuple[str, ...] = ()

    @property
    def trend(self) -> int:
        return self.count - self.previous

    @property
    def status_nl(self) -> str:
        return STATUS_NL.get(self.status, self.status)


def build_cards(current: SignalSet, history: SignalSet, tips: TipVectors, records: Sequence[CardRecord], *,
                since: dt.date, until: dt.date, distance: float, min_questions: int,
                weak_similarity: float) -> list[GapCard]:
    """Cards for the signals asked on since <= day < until, biggest first; `history` holds the older signals."""
    if not current.signals:
        return []
    labels = clustering.agglomerative(current.vectors, distance)
    groups = [np.flatnonzero(labels == k) for k in range(int(labels.max()) + 1)]
    groups = [g for g in groups if len(g) >= min_questions]
    per_tip = _tip_similarities(current.vectors, tips)
    cards = [_card(current, g, tips, per_tip, weak_similarity) for g in groups]
    if not cards:
        return []
    centroids = np.stack([c.centroid for c in cards])
    _count_history(cards, centroids, current, history, since, until, 1.0 - distance)
    _attach_decisions(cards, centroids, current, records, 1.0 - distance)
    return sorted(cards, key=lambda c: (-c.count, -c.trend, c.label))


def _card(signals: SignalSet, rows: np.ndarray, tips: TipVectors, per_tip: np.ndarray,
          weak_similarity: float) -> GapCard:
    members = [signals.signals[i] for i in rows]
    vectors = signals.vectors[rows]
    center = members[_label_row(vectors, members)]
    newest_first = sorted(members, key=lambda s: s.created_at, reverse=True)
    examples = _examples(center, newest_first)
    kinds = Counter(k for s in members for k in s.kinds)
    matches = _nearest_tips(per_tip[rows], tips)
    closeness = dict(zip((s.question_id for s in members), vectors @ clustering.centroid(vectors), strict=True))
    answered = [s for s in newest_first if s.coach_answer.strip()]
    best = max(answered, key=lambda s: float(closeness[s.question_id]), default=None)
    tip_index = {source: i for i, source in enumerate(tips.sources)}
    apps = Counter(tips.apps[tip_index[s.top_source]] for s in members if s.top_source in tip_index)
    return GapCard(
        key=f"n{center.question_id}", label=_short(mask_pii(center.question)),
        question_ids=tuple(s.question_id for s in members), count=len(members), previous=0, weekly=(),
        departments=tuple(Counter(s.department or "onbekend" for s in members).most_common()),
        examples=examples, kinds=dict(kinds), tips=matches,
        missing=not matches or matches[0].similarity < weak_similarity,
        best_answer_id=best.escalation.id if best is not None and best.escalation is not None else None,
        centroid=clustering.centroid(vectors), apps=tuple(a for a, _ in apps.most_common(2) if a),
    )


def _label_row(vectors: np.ndarray, members: Sequence[Signal]) -> int:
    """Of the ten most central questions, the one with the fewest words that matter (then the shortest): as
    central as the medoid, without the greetings around it."""
    closeness = vectors @ vectors.sum(axis=0)
    central = np.argsort(-closeness)[:10]
    return int(min(central, key=lambda i: (len(set(tokenize(members[i].question))), len(members[i].question))))


def _examples(center: Signal, newest_first: Sequence[Signal], near_same: float = 0.6) -> tuple[str, ...]:
    """Up to five masked examples, newest first, leaving out near-repeats (mostly the same words) of one
    already chosen: "Hallo, X" and "X, groetjes" show once."""
    chosen: list[tuple[str, set[str]]] = []
    for sig in [center, *newest_first]:
        if len(chosen) == EXAMPLES:
            break
        text = mask_pii(sig.question)
        words = set(tokenize(text))
        if all(len(words & w) / max(1, len(words | w)) < near_same for _, w in chosen):
            chosen.append((text, words))
    return tuple(text for text, _ in chosen)


def _tip_similarities(vectors: np.ndarray, tips: TipVectors) -> np.ndarray:
    """Questions x tips: each question's similarity to the tip's closest passage."""
    if len(tips.sources) == 0 or len(vectors) == 0:
        return np.zeros((len(vectors), len(tips.sources)), dtype=np.float32)
    order = np.argsort(tips.owner, kind="stable")
    starts = np.searchsorted(tips.owner[order], np.arange(len(tips.sources)))
    sims = vectors @ tips.vectors[order].T  # questions x passages, grouped per tip
    return np.maximum.reduceat(sims, starts, axis=1)


def _nearest_tips(per_tip: np.ndarray, tips: TipVectors, top: int = 3) -> tuple[TipMatch, ...]:
    """Tips by mean over the cluster's questions of their best passage similarity."""
    if len(tips.sources) == 0:
        return ()
    score = per_tip.mean(axis=0)
    order = np.argsort(-score)[:top]
    return tuple(TipMatch(tips.sources[i], tips.titles[i], round(float(score[i]), 3)) for i in order)


def _count_history(cards: list[GapCard], centroids: np.ndarray, current: SignalSet, history: SignalSet,
                   since: dt.date, until: dt.date, min_similarity: float) -> None:
    """Previous-period count and weekly counts per card: older signals go to the nearest card."""
    length = until - since
    weeks = [until - dt.timedelta(weeks=SPARK_WEEKS - i) for i in range(SPARK_WEEKS + 1)]
    assigned = clustering.nearest(centroids, history.vectors, min_similarity)
    older: list[list[Signal]] = [[] for _ in cards]
    for sig, k in zip(history.signals, assigned, strict=True):
        if k >= 0:
            older[k].append(sig)
    by_id = {s.question_id: s for s in current.signals}
    for card, old in zip(cards, older, strict=True):
        days = [_day(s) for s in old] + [_day(by_id[q]) for q in card.question_ids]
        card.previous = sum(since - length <= _day(s) < since for s in old)
        card.weekly = tuple(sum(weeks[i] <= d < weeks[i + 1] for d in days) for i in range(SPARK_WEEKS))


def _attach_decisions(cards: list[GapCard], centroids: np.ndarray, current: SignalSet, records: Sequence[CardRecord],
                      min_similarity: float) -> None:
    """Each stored decision goes to its closest card (one card per decision); new questions reopen it."""
    usable = [r for r in records if r.centroid.shape == centroids.shape[1:]]
    if not usable:
        return
    sims = np.stack([r.centroid for r in usable]) @ centroids.T  # records x cards
    created = {s.question_id: s.created_at for s in current.signals}
    taken: set[int] = set()
    used: set[int] = set()
    for flat in np.argsort(-sims, axis=None):
        r, k = divmod(int(flat), sims.shape[1])
        if sims[r, k] < min_similarity:
            break
        if k in taken or r in used:
            continue
        taken.add(k)
        used.add(r)
        record, card = usable[r], cards[k]
        card.record, card.key = record, f"k{record.id}"
        fresh = [q for q in card.question_ids if q not in record.question_ids and created[q] > record.updated_at]
        card.status = "reopened" if fresh and record.status in HANDLED else record.status


def _day(signal: Signal) -> dt.date:
    return dt.date.fromisoformat(signal.created_at[:10])


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
