"""The gap board's inputs: which logged questions signal that a colleague did not get what they needed.

A signal is a (masked) logged question with one or more reasons: it was escalated (by digihulp or by the
colleague), answered in the middle band ("niet zeker"), referred elsewhere, rated 👎, or asked again by the
same department soon after an answer. Escalations and 👎 are joined to the question log on the masked text
(the log holds only masked text; an escalation keeps the clear text for its coach). Escalations marked as spam
never count. Everything here is read from SQLite; nothing is embedded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.escalation import mask_pii
from assistant.records import Escalation, EscalationStore, LoggedQuestion

# Bands that are a signal on their own (issue 11 adds "unsure", issue 12 "referred").
SIGNAL_BANDS = {"unsure": "unsure", "referred": "referred", "escalated": "escalated"}
KIND_NL = {"escalated": "doorgestuurd", "unsure": "niet zeker", "referred": "doorverwezen", "thumbs_down": "👎",
           "asked_again": "opnieuw gevraagd"}
ASKED_AGAIN_MINUTES = 15
ASKED_AGAIN_SIMILARITY = 0.80


@dataclass
class Signal:
    question_id: int
    created_at: str
    question: str  # masked
    department: str
    kinds: set[str] = field(default_factory=set)
    escalation: Escalation | None = None
    top_source: str = ""

    @property
    def coach_answer(self) -> str:
        return self.escalation.answer if self.escalation is not None else ""


@dataclass
class SignalSet:
    signals: list[Signal]
    vectors: np.ndarray  # one unit row per signal, same order
    without_vector: int = 0  # signals logged before vectors were kept (not clustered)


def _stamp(day: dt.date) -> str:
    return day.isoformat()


def gather(records: EscalationStore, since: dt.date, until: dt.date, spam: Collection[int] = ()) -> SignalSet:
    """Signals of questions asked on days since <= day < until, with their stored vectors. `spam`: ids of the
    escalations a coach marked "geen vraag / spam" (assistant.triage): their questions leave the board."""
    questions = records.questions_between(_stamp(since), _stamp(until))
    by_id = {q.id: q for q in questions}
    vectors = records.question_vectors(by_id)
    found: dict[int, Signal] = {}

    def mark(q: LoggedQuestion, kind: str) -> Signal:
        sig = found.get(q.id) or Signal(q.id, q.created_at, q.question, q.department, top_source=q.top_source)
        sig.kinds.add(kind)
        found[q.id] = sig
        return sig

    for q in questions:
        if q.band in SIGNAL_BANDS or q.escalated:
            mark(q, SIGNAL_BANDS.get(q.band, "escalated"))
    by_text = _by_text(questions)
    spam_ids: set[int] = set()
    for esc in records.escalations_between(_stamp(since), _stamp(until + dt.timedelta(days=1))):
        hit = _match(by_text, mask_pii(esc.question), esc.created_at)
        if hit is None:
            continue
        if esc.id in spam:  # a question a coach marked as spam leaves the board altogether
            spam_ids.add(hit.id)
        else:
            mark(hit, "escalated").escalation = esc
    for fb in records.feedback_between(_stamp(since), _stamp(until + dt.timedelta(days=1))):
        hit = _match(by_text, fb.question, fb.created_at) if fb.rating < 0 else None
        if hit is not None:
            mark(hit, "thumbs_down")
    for qid in asked_again(questions, vectors):
        mark(by_id[qid], "asked_again")
    kept = [s for s in sorted(found.values(), key=lambda s: (s.created_at, s.question_id))
            if s.question_id not in spam_ids]
    with_vec = [s for s in kept if s.question_id in vectors]
    matrix = _unit(np.stack([vectors[s.question_id] for s in with_vec])) if with_vec else np.zeros((0, 0), np.float32)
    return SignalSet(with_vec, matrix, len(kept) - len(with_vec))


def _by_text(questions: Iterable[LoggedQuestion]) -> dict[str, list[LoggedQuestion]]:
    out: dict[str, list[LoggedQuestion]] = defaultdict(list)
    for q in questions:
        out[q.question].append(q)
    return out


def _match(by_text: dict[str, list[LoggedQuestion]], masked: str, at: str) -> LoggedQuestion | None:
    """The latest logged question with this masked text asked no later than `at` (the row it came from)."""
    candidates = [q for q in by_text.get(masked, []) if q.created_at <= at]
    return candidates[-1] if candidates else None


def asked_again(questions: Sequence[LoggedQuestion], vectors: dict[int, np.ndarray]) -> list[int]:
    """Answered questions that the same department asked again (similar meaning) within a few minutes: the
    answer apparently did not help. Without a session id this is per department, which is what a coach sees."""
    window = dt.timedelta(minutes=ASKED_AGAIN_MINUTES)
    by_dept: dict[str, list[LoggedQuestion]] = defaultdict(list)
    for q in questions:
        if q.id in vectors:
            by_dept[q.department].append(q)
    hits: list[int] = []
    for rows in by_dept.values():
        times = [dt.datetime.fromisoformat(q.created_at) for q in rows]
        for i, q in enumerate(rows):
            if q.escalated or q.band not in ("", "answer"):
                continue
            for j in range(i + 1, len(rows)):
                if times[j] - times[i] > window:
                    break
                if float(vectors[q.id] @ vectors[rows[j].id]) >= ASKED_AGAIN_SIMILARITY * _norms(vectors, q, rows[j]):
                    hits.append(q.id)
                    break
    return hits


def _norms(vectors: dict[int, np.ndarray], a: LoggedQuestion, b: LoggedQuestion) -> float:
    return float(np.linalg.norm(vectors[a.id]) * np.linalg.norm(vectors[b.id])) or 1.0


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
