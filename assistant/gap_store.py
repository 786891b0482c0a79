"""The coaches' decisions on knowledge-gap cards: table gap_cards in the records database (its own named migration).

Clusters are recomputed on every view, so a decision is kept with the cluster's centroid and its questions at
that moment; the next view finds it again by meaning (the closest stored centroid within the clustering
distance) and reopens it when new questions landed in it after the decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.db import Database, Migration
from assistant.errors import RecordError
from assistant.records import EscalationStore, _insert

CardStatus = Literal["tip", "published", "linked", "no_action"]
STATUSES: tuple[CardStatus, ...] = ("tip", "published", "linked", "no_action")
MIGRATIONS: list[Migration] = [("gap-cards-table", """
CREATE TABLE gap_cards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('tip', 'published', 'linked', 'no_action')),
    tip TEXT NOT NULL DEFAULT '',
    coach TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    centroid BLOB NOT NULL,
    question_ids TEXT NOT NULL DEFAULT '[]'
)
""")]


@dataclass(frozen=True)
class CardRecord:
    id: int
    created_at: str
    updated_at: str
    status: CardStatus
    tip: str
    coach: str
    label: str
    centroid: np.ndarray
    question_ids: frozenset[int]


class GapCardStore:
    """Reads and writes gap_cards in the records database (same file, same clock as the question log)."""

    def __init__(self, records: EscalationStore) -> None:
        self.records = records
        self._db = Database(records.db_path, MIGRATIONS)

    def all(self) -> list[CardRecord]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM gap_cards ORDER BY id").fetchall()
        return [CardRecord(id=r["id"], created_at=r["created_at"], updated_at=r["updated_at"], status=r["status"],
                           tip=r["tip"], coach=r["coach"], label=r["label"],
                           centroid=np.frombuffer(r["centroid"], dtype=np.float32),
                           question_ids=frozenset(json.loads(r["question_ids"] or "[]"))) for r in rows]

    def get(self, record_id: int) -> CardRecord | None:
        return next((r for r in self.all() if r.id == record_id), None)

    def decide(self, status: CardStatus, *, coach: str, label: str, centroid: np.ndarray,
               question_ids: Iterable[int], tip: str = "", record_id: int | None = None) -> int:
        """Store a decision: a new record, or an update of the card's record (which re-arms its reopening)."""
        if status not in STATUSES:
            raise RecordError(f"onbekende status {status!r} (invalid gap card status)")
        now = self.records.now()
        values = {"updated_at": now, "status": status, "tip": tip, "coach": coach, "label": label,
                  "centroid": np.asarray(centroid, dtype=np.float32).tobytes(),
                  "question_ids": json.dumps(sorted({int(i) for i in question_ids}))}
        with self._db.write() as conn:
            if record_id is not None and conn.execute("SELECT 1 FROM gap_cards WHERE id = ?", (record_id,)).fetchone():
                assign = ", ".join(f"{k} = ?" for k in values)
                conn.execute(f"UPDATE gap_cards SET {assign} WHERE id = ?", (*values.values(), record_id))
                return int(record_id)
            return _insert(conn, "gap_cards", {"created_at": now, **values})

    def set_status(self, record_id: int, status: CardStatus) -> None:
        with self._db.write() as conn:
            conn.execute("UPDATE gap_cards SET status = ?, updated_at = ? WHERE id = ?",
                         (status, self.records.now(), record_id))
