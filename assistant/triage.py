"""Coach bulk actions on escalations: close several with one note, or mark them "geen vraag / spam".

A verdict per escalation is kept in its own table (named migration); the escalation itself is closed through the
escalation store, so every view of the queue agrees. Spam is a verdict the rest of digihulp must respect: it is
left out of the knowledge-gap signals (`without_spam`) and never becomes an eval case (`is_spam`, checked where
'Van antwoord naar tip' adds one). One escalation that cannot be closed never stops the rest of the selection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.db import Database, Migration, now
from assistant.errors import RecordError
from assistant.records import EscalationStore
from assistant.types import Escalation

log = logging.getLogger(__name__)

Verdict = Literal["closed", "spam"]
MIGRATIONS: list[Migration] = [(
    "triage-escalation-verdicts",
    """
    CREATE TABLE escalation_verdicts (
        escalation_id INTEGER PRIMARY KEY, verdict TEXT NOT NULL CHECK (verdict IN ('closed', 'spam')),
        note TEXT NOT NULL DEFAULT '', coach TEXT NOT NULL DEFAULT '', at TEXT NOT NULL)
    """,
)]
SPAM_NOTE = "geen vraag / spam"


@dataclass(frozen=True)
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (id, Dutch reason)

    def message(self, what: str) -> str:
        """Dutch summary for the coach, e.g. '3 vragen gesloten. Niet gelukt: #7 (onbekende vraag #7).'"""
        count = f"{len(self.done)} vraag" if len(self.done) == 1 else f"{len(self.done)} vragen"
        text = f"{count} {what}." if self.done else f"Geen vragen {what}."
        if self.failed:
            text += " Niet gelukt: " + "; ".join(f"#{i} ({why})" for i, why in self.failed) + "."
        return text


class Triage:
    def __init__(self, records: EscalationStore, db_path: Path | None = None) -> None:
        self.records = records
        self._db = Database(Path(db_path or records.db_path), MIGRATIONS)

    def close_many(self, ids: Iterable[int], note: str, coach: str) -> BulkResult:
        """Close open or answered escalations; the note is kept with each (what the coach did about them)."""
        return self._apply(ids, "closed", note.strip(), coach)

    def mark_spam(self, ids: Iterable[int], coach: str, note: str = "") -> BulkResult:
        """Close and mark as no real question; also for escalations closed before."""
        return self._apply(ids, "spam", note.strip() or SPAM_NOTE, coach)

    def _apply(self, ids: Iterable[int], verdict: Verdict, note: str, coach: str) -> BulkResult:
        result = BulkResult()
        for escalation_id in sorted({int(i) for i in ids}):
            escalation = self.records.get(escalation_id)
            try:
                if escalation is None:
                    raise RecordError(f"onbekende vraag #{escalation_id}")
                if escalation.status != "closed":
                    # A bulk close's note is what each colleague reads; spam gets no note for its sender.
                    self.records.close(escalation_id, note if verdict == "closed" else "")
                elif verdict == "closed":
                    raise RecordError("was al gesloten")
            except RecordError as exc:
                result.failed.append((escalation_id, str(exc).split(" (")[0]))
                continue
            with self._db.write() as conn:
                conn.execute("INSERT OR REPLACE INTO escalation_verdicts (escalation_id, verdict, note, coach, at) "
                             "VALUES (?, ?, ?, ?, ?)", (escalation_id, verdict, note, coach, now()))
            result.done.append(escalation_id)
        log.info("%s marked %s: %s", coach, verdict, result.done)
        return result

    def spam_ids(self) -> set[int]:
        with self._db.read() as conn:
            return {int(r[0]) for r in conn.execute(
                "SELECT escalation_id FROM escalation_verdicts WHERE verdict = 'spam'")}

    def is_spam(self, escalation_id: int) -> bool:
        with self._db.read() as conn:
            row = conn.execute("SELECT 1 FROM escalation_verdicts WHERE escalation_id = ? AND verdict = 'spam'",
                               (escalation_id,)).fetchone()
        return row is not None

    def note(self, escalation_id: int) -> str:
        with self._db.read() as conn:
            row = conn.execute("SELECT note FROM escalation_verdicts WHERE escalation_id = ?",
                               (escalation_id,)).fetchone()
        return str(row[0]) if row else ""

    def without_spam(self, escalations: Sequence[Escalation]) -> list[Escalation]:
        """The escalations that count as signals (knowledge gaps, eval cases): spam left out."""
        spam = self.spam_ids()
        return [e for e in escalations if e.id not in spam]
