"""The knowledge-gap board as a service: cards for a period, the coaches' actions on them, and the eval cases a
published tip brings along. The coach tab (ui/coach_gaps.py), the agenda and the benchmark all use this."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import DigihulpError
from assistant.gap_store import CardStatus, GapCardStore
from assistant.gaps import SPARK_WEEKS, GapCard, TipVectors, build_cards
from assistant.records import EscalationStore, LoggedQuestion
from assistant.signals import gather
from assistant.store import ChromaStore
from assistant.triage import Triage

log = logging.getLogger(__name__)
AddCases = Callable[[Path, list[dict[str, Any]]], int]


@dataclass(frozen=True)
class TipPrefill:
    title: str
    app: str
    tags: str
    department: str
    body: str
    note: str  # where the body came from, for the coach


class GapBoard:
    def __init__(self, settings: Settings, records: EscalationStore, store: ChromaStore | None,
                 evals_file: Path, add_cases: AddCases | None = None) -> None:
        """`add_cases` is the eval-set writer (ingest.corpus_files.add_eval_cases), handed in by the entry point:
        without it published tips wait, and their questions join the eval set on a board that has one."""
        self.settings, self.records, self.store = settings, records, store
        self.evals_file = Path(evals_file)
        self.add_cases = add_cases
        self.decisions = GapCardStore(records)
        self.triage = Triage(records)  # which escalations coaches marked as spam
        self._lock = threading.Lock()
        self._tips: tuple[str, TipVectors] = ("", TipVectors.empty())
        self._last: dict[str, GapCard] = {}
        self._aliases: dict[str, str] = {}

    # -- reading ------------------------------------------------------------------------------------------
    def tip_vectors(self) -> TipVectors:
        """The live index's tip passages, read once per published generation."""
        if self.store is None:
            return TipVectors.empty()
        try:
            info = self.store.live_info()  # the vectors were made by the model that serves: no model needed here
        except DigihulpError as exc:
            log.warning("Gap board without tips: %s", exc)
            return TipVectors.empty()
        if info is None:
            return TipVectors.empty()
        with self._lock:
            if self._tips[0] != info.collection:
                self._tips = (info.collection, _tip_vectors(self.store.vectors_of_type(info, "tip")))
            return self._tips[1]

    def cards(self, since: dt.date, until: dt.date) -> list[GapCard]:
        """Cards for questions asked on since <= day < until (UTC days), biggest first."""
        self.sync_published()
        length = max(until - since, dt.timedelta(days=1))
        back = min(since - length, until - dt.timedelta(weeks=SPARK_WEEKS))
        spam = self.triage.spam_ids()
        current = gather(self.records, since, until, spam)
        history = gather(self.records, back, since, spam)
        cards = build_cards(current, history, self.tip_vectors(), self.decisions.all(), since=since, until=until,
                            distance=self.settings.gap_distance, min_questions=self.settings.gap_min_questions,
                            weak_similarity=self.settings.gap_weak_tip_similarity)
        with self._lock:
            self._last = {c.key: c for c in cards}
        return cards

    def card(self, key: str) -> GapCard | None:
        with self._lock:
            return self._last.get(self._aliases.get(key, key))

    def prefill(self, card: GapCard) -> TipPrefill:
        """The tip form for "Maak tip": the best coach answer in the cluster, else the questions to answer."""
        esc = self.records.get(card.best_answer_id) if card.best_answer_id else None
        app = card.apps[0] if card.apps else ""
        dept = card.departments[0][0] if card.departments else ""
        title = card.label.rstrip("?").strip()
        title = (title[:1].upper() + title[1:])[:90]
        if esc is not None and esc.answer.strip():
            note = f"Tekst overgenomen uit het antwoord van {esc.answered_by or esc.coach_name} op vraag #{esc.id}."
            return TipPrefill(title, app, app.lower(), esc.department or dept, esc.answer.strip(), note)
        body = "Vragen van collega's die deze tip moet beantwoorden:\n" + "\n".join(f"- {q}" for q in card.examples)
        return TipPrefill(title, app, app.lower(), dept, body, "Nog geen antwoord van een coach in deze groep.")

    # -- actions ------------------------------------------------------------------------------------------
    def decide(self, card: GapCard, status: CardStatus, coach: str, tip: str = "") -> int:
        record_id = self.decisions.decide(status, coach=coach, label=card.label, centroid=card.centroid,
                                          question_ids=card.question_ids, tip=tip,
                                          record_id=card.record.id if card.record else None)
        log.info("Gap card %s (%d questions) -> %s %s by %s", card.key, card.count, status, tip, coach)
        # The card on screen is this decision's card from now on, also before the next refresh.
        card.record, card.status = self.decisions.get(record_id), status
        with self._lock:
            self._aliases[card.key] = f"k{record_id}"
            self._last[f"k{record_id}"] = card
        return record_id

    def resolve(self, key: str | None) -> str:
        """The current key of a card picked before a decision re-keyed it ('' when unknown)."""
        with self._lock:
            key = str(key or "")
            return self._aliases.get(key, key)

    def sync_published(self) -> int:
        """Cards whose tip is now in the live index: their questions join the escalation eval set (masked),
        so the batch gate guards them from now on. Returns how many questions were added."""
        pending = [r for r in self.decisions.all() if r.status == "tip" and r.tip]
        if not pending or self.add_cases is None:
            return 0

        live = set(self.tip_vectors().sources)
        added = 0
        for record in pending:
            if record.tip not in live:
                continue
            entries = [{"id": f"gap-{record.id}-q{q.id}", "question": q.question, "expected_sources": [record.tip],
                        "answerable": True, "department": q.department or None,
                        "notes": f"Kennishiaat '{record.label}': tip {record.tip} van {record.coach}."}
                       for q in self._questions(record.question_ids)]
            added += self.add_cases(self.evals_file, entries)
            self.decisions.set_status(record.id, "published")
            log.info("Gap card k%d: tip %s published, %d questions in the eval set", record.id, record.tip, added)
        return added

    def _questions(self, ids: frozenset[int]) -> list[LoggedQuestion]:
        if not ids:
            return []
        rows = self.records.questions_between("0000", "9999")
        return [q for q in rows if q.id in ids]


def _tip_vectors(passages: list[tuple[dict[str, Any], np.ndarray]]) -> TipVectors:
    active = [(m, v) for m, v in passages if str(m.get("status", "active")) == "active" and len(v)]
    if not active:
        return TipVectors.empty()
    sources = list(dict.fromkeys(str(m.get("source", "")) for m, _ in active))
    index = {s: i for i, s in enumerate(sources)}
    first = {str(m.get("source", "")): m for m, _ in reversed(active)}
    vectors = np.stack([v for _, v in active]).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return TipVectors(tuple(sources), tuple(str(first[s].get("title", s)) for s in sources),
                      tuple(str(first[s].get("app", "")) for s in sources), vectors,
                      np.array([index[str(m.get("source", ""))] for m, _ in active], dtype=int))

