"""The store for escalations, the (masked) question log and answer feedback, in the SQLite database of
`assistant.db` (connections, transactions, Dutch errors and named migrations live there)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from assistant.db import USER_VERSION, Database, Migration, now
from assistant.errors import RecordError
from assistant.escalation import Coach, Route, mask_pii
from assistant.types import Citation, Escalation, Status

logger = logging.getLogger(__name__)

SCHEMA_VERSION = USER_VERSION

_SCHEMA_V1 = """
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    question TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    asker_name TEXT NOT NULL DEFAULT '',
    asker_contact TEXT NOT NULL DEFAULT '',
    coach_name TEXT NOT NULL,
    coach_email TEXT NOT NULL,
    route_reason TEXT NOT NULL,
    sources_json TEXT NOT NULL DEFAULT '[]',
    draft_answer TEXT NOT NULL DEFAULT '',
    confidence REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    answer TEXT NOT NULL DEFAULT '',
    answered_by TEXT NOT NULL DEFAULT '',
    handed_over_from TEXT NOT NULL DEFAULT ''
);
CREATE INDEX escalations_dept_status ON escalations (department, status);
CREATE TABLE questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    confidence REAL NOT NULL DEFAULT 0,
    escalated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT ''
);
"""
# The coach's desk (issue 12): a note when closing (the colleague reads it), feedback marked handled.
_COACH_DESK = """
ALTER TABLE escalations ADD COLUMN close_note TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback ADD COLUMN handled_at TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback ADD COLUMN handled_note TEXT NOT NULL DEFAULT ''
"""
# The gap board, freshness view and agenda (issue 13): what each logged question got (band, cited sources, best
# document) and its vector, stored once at ask time so no view embeds again.
_QUESTION_LOG_FOR_GAPS = """
ALTER TABLE questions ADD COLUMN band TEXT NOT NULL DEFAULT '';
ALTER TABLE questions ADD COLUMN cited_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE questions ADD COLUMN top_source TEXT NOT NULL DEFAULT '';
ALTER TABLE questions ADD COLUMN vector BLOB;
CREATE INDEX questions_created ON questions (created_at);
CREATE INDEX escalations_created ON escalations (created_at);
CREATE INDEX feedback_created ON feedback (created_at)
"""
# Named, applied once each (assistant/db.py); add new ones at the end, never edit a shipped one.
MIGRATIONS: list[Migration] = [
    ("records-initial-tables", _SCHEMA_V1),
    ("records-question-log-for-gaps", _QUESTION_LOG_FOR_GAPS),
    # The colleague saw the answer under "Ik ben niet zeker..." and asked the coach: the coach sees what was shown.
    ("escalations-shown-unsure", "ALTER TABLE escalations ADD COLUMN shown_unsure INTEGER NOT NULL DEFAULT 0"),
    ("records-coach-desk", _COACH_DESK),
]
_QUESTION_COLUMNS = ("created_at", "question", "department", "confidence", "escalated", "band", "cited_json",
                     "top_source", "vector")
_LOGGED = "id, created_at, question, department, confidence, escalated, band, cited_json, top_source"
_FEEDBACK_COLUMNS = ("created_at", "question", "answer", "rating", "comment", "department")


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    created_at: str
    question: str
    department: str
    confidence: float
    escalated: bool
    band: str = ""  # answer | unsure | escalated | referred ('' in rows logged before the gap board)
    cited: tuple[str, ...] = ()  # corpus sources cited in the answer
    top_source: str = ""  # the best-ranked document, cited or not


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: str
    question: str
    answer: str
    rating: int
    comment: str
    department: str
    handled_at: str = ""  # '' while a coach still has to look at it
    handled_by: str = ""
    handled_note: str = ""  # e.g. "tip tips/x.md" or "doorgestuurd als vraag #12"


def _to_logged(row: sqlite3.Row) -> LoggedQuestion:
    data = dict(row)
    cited = tuple(json.loads(data.pop("cited_json") or "[]"))
    return LoggedQuestion(**{**data, "escalated": bool(data["escalated"]), "cited": cited})


_ESCALATION_FIELDS = frozenset(f.name for f in fields(Escalation))


def _to_escalation(row: sqlite3.Row) -> Escalation:
    data = dict(row)
    data["sources"] = tuple(json.loads(data.pop("sources_json") or "[]"))
    data["shown_unsure"] = bool(data.get("shown_unsure", 0))
    # Columns a later version adds are not this version's business: read the ones Escalation knows.
    return Escalation(**{k: v for k, v in data.items() if k in _ESCALATION_FIELDS})


def _sources_json(sources: Iterable[Mapping[str, Any] | Citation]) -> str:
    dicts = [s.to_dict() if isinstance(s, Citation) else dict(s) for s in sources]
    return json.dumps(dicts, ensure_ascii=False)


def _insert(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    # Table and column names come from this module only; values are always bound parameters.
    sql = f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
    return int(conn.execute(sql, tuple(values.values())).lastrowid or 0)


class EscalationStore:
    """Thread-safe: every method opens its own connection."""

    def __init__(self, db_path: Path, timeout: float = 30.0, clock: Callable[[], str] | None = None) -> None:
        self.db_path = Path(db_path)
        self._db = Database(self.db_path, MIGRATIONS, timeout)
        self._read, self._write = self._db.read, self._db.write
        self.now = clock or now  # ISO timestamps; a replayed log (benchmarks/question_log.py) sets its own

    def create(
        self,
        question: str,
        department: str | None,
        route: Route,
        sources: Sequence[Mapping[str, Any] | Citation],
        draft: str,
        confidence: float,
        asker_name: str = "",
        asker_contact: str = "",
        shown_unsure: bool = False,
    ) -> int:
        # Store the canonical id when the directory knows the department, so coaches can filter on it.
        dept = route.department.id if route.department is not None else (department or "").strip()
        stamp = self.now()
        values = {
            "created_at": stamp,
            "updated_at": stamp,
            "question": question,
            "department": dept,
            "asker_name": asker_name,
            "asker_contact": asker_contact,
            "coach_name": route.coach.name,
            "coach_email": route.coach.email,
            "route_reason": route.reason,
            "sources_json": _sources_json(sources),
            "draft_answer": draft,
            "confidence": float(confidence),
            "shown_unsure": int(shown_unsure),
        }
        with self._write() as conn:
            new_id = _insert(conn, "escalations", values)
        logger.info("escalation #%d created for %s (%s)", new_id, route.coach.name, route.reason)
        return new_id

    def get(self, escalation_id: int) -> Escalation | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
        return _to_escalation(row) if row else None

    def escalations(self, department: str | None = None, status: Status | None = None) -> list[Escalation]:
        """Oldest first; `department` matches the stored department id case-insensitively."""
        sql, args = "SELECT * FROM escalations WHERE 1=1", list[Any]()
        if department:
            sql += " AND lower(department) = lower(?)"
            args.append(department.strip())
        if status:
            sql += " AND status = ?"
            args.append(status)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [_to_escalation(r) for r in rows]

    def _update(
        self, escalation_id: int, allowed: tuple[Status, ...], assign: str, params: tuple[Any, ...]
    ) -> None:
        """One checked status transition; `assign` is a constant SQL SET list from this class, never input."""
        with self._write() as conn:
            row = conn.execute("SELECT status FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
            if row is None:
                raise RecordError(f"onbekende vraag #{escalation_id} (unknown escalation)")
            if row["status"] not in allowed:
                raise RecordError(f"vraag #{escalation_id} is '{row['status']}' (invalid status transition)")
            sql = f"UPDATE escalations SET {assign}, updated_at = ? WHERE id = ?"
            conn.execute(sql, (*params, self.now(), escalation_id))

    def answer(self, escalation_id: int, text: str, coach_name: str) -> None:
        if not text.strip():
            raise RecordError("leeg antwoord (empty answer)")
        # Re-answering an answered question is allowed: coaches correct themselves.
        assign = "status = 'answered', answer = ?, answered_by = ?"
        self._update(escalation_id, ("open", "answered"), assign, (text.strip(), coach_name))

    def close(self, escalation_id: int, note: str = "") -> None:
        """Closed without an answer; the note is what the colleague reads (e.g. "opgelost aan de telefoon")."""
        self._update(escalation_id, ("open", "answered"), "status = 'closed', close_note = ?", (note.strip(),))

    def set_asker(self, escalation_id: int, name: str, contact: str) -> None:
        """The name and contact a colleague leaves after "Doorgestuurd naar je digicoach" (while it is open)."""
        self._update(escalation_id, ("open",), "asker_name = ?, asker_contact = ?", (name.strip(), contact.strip()))

    def hand_over(self, escalation_id: int, coach: Coach, department: str | None = None,
                  reason: str | None = None) -> None:
        """Move an open question to another coach, and to `department` (its id) when given: the question is
        then filed there, so it shows in that department's queue, and the colleague sees who holds it now."""
        # The right-hand coach_name is the old value: SQLite evaluates the whole SET list before assigning.
        assign = "handed_over_from = coach_name, coach_name = ?, coach_email = ?"
        params: tuple[Any, ...] = (coach.name, coach.email)
        if department:
            assign, params = assign + ", department = ?", (*params, department)
        if reason:
            assign, params = assign + ", route_reason = ?", (*params, reason)
        self._update(escalation_id, ("open",), assign, params)
        logger.info("escalation #%d handed over to %s (%s)", escalation_id, coach.name, department or "same dept")

    def answered_for(self, ids: Iterable[int]) -> list[Escalation]:
        return [e for e in self.for_asker(ids) if e.answer]

    def for_asker(self, ids: Iterable[int]) -> list[Escalation]:
        """The escalations a colleague's browser remembers, oldest first, as they stand now (status, coach)."""
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        with self._read() as conn:
            rows = conn.execute(f"SELECT * FROM escalations WHERE id IN ({marks}) ORDER BY id", wanted).fetchall()
        return [_to_escalation(r) for r in rows]

    def log_question(self, question: str, department: str | None, confidence: float, escalated: bool, *,
                     band: str = "", cited: Sequence[str] = (), top_source: str = "",
                     vector: np.ndarray | None = None) -> int:
        """`vector`: the question's embedding (float32), kept so the gap board never embeds again."""
        blob = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        row = (self.now(), mask_pii(question), department or "", float(confidence), int(escalated), band,
               json.dumps(list(cited), ensure_ascii=False), top_source, blob)
        with self._write() as conn:
            return _insert(conn, "questions", dict(zip(_QUESTION_COLUMNS, row, strict=True)))

    def recent_questions(self, limit: int = 100) -> list[LoggedQuestion]:
        """Newest first."""
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_LOGGED} FROM questions ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_to_logged(r) for r in rows]

    def questions_between(self, since: str, until: str = "9999") -> list[LoggedQuestion]:
        """Logged questions with since <= created_at < until (ISO strings compare as dates), oldest first."""
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_LOGGED} FROM questions WHERE created_at >= ? AND created_at < ? "
                                "ORDER BY created_at, id", (since, until)).fetchall()
        return [_to_logged(r) for r in rows]

    def question_vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        """Stored vectors by question id (questions logged without one are left out)."""
        wanted, found = sorted({int(i) for i in ids}), dict[int, np.ndarray]()
        with self._read() as conn:
            for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
                part = wanted[start:start + 900]
                marks = ", ".join("?" * len(part))
                sql = f"SELECT id, vector FROM questions WHERE vector IS NOT NULL AND id IN ({marks})"
                found.update((r["id"], np.frombuffer(r["vector"], dtype=np.float32)) for r in conn.execute(sql, part))
        return found

    def escalations_between(self, since: str, until: str = "9999") -> list[Escalation]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM escalations WHERE created_at >= ? AND created_at < ? ORDER BY id",
                                (since, until)).fetchall()
        return [_to_escalation(r) for r in rows]

    def feedback_between(self, since: str, until: str = "9999") -> list[Feedback]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM feedback WHERE created_at >= ? AND created_at < ? ORDER BY id",
                                (since, until)).fetchall()
        return [Feedback(**dict(r)) for r in rows]

    def add_feedback(
        self, question: str, answer: str, rating: int, comment: str = "", department: str | None = None
    ) -> int:
        if rating not in (1, -1):
            raise RecordError(f"rating moet +1 of -1 zijn, niet {rating!r} (invalid rating)")
        # Like the question log: feedback is analytics, so no personal data in clear (an answer may echo the question).
        row = (self.now(), mask_pii(question), mask_pii(answer), rating, mask_pii(comment), department or "")
        with self._write() as conn:
            return _insert(conn, "feedback", dict(zip(_FEEDBACK_COLUMNS, row, strict=True)))

    def update_feedback(self, feedback_id: int, rating: int, comment: str) -> None:
        """The colleague changed their mind (👍 to 👎) or wrote why after the thumb: the same row, the same answer."""
        if rating not in (1, -1):
            raise RecordError(f"rating moet +1 of -1 zijn, niet {rating!r} (invalid rating)")
        with self._write() as conn:
            found = conn.execute("UPDATE feedback SET rating = ?, comment = ? WHERE id = ?",
                                 (rating, mask_pii(comment), int(feedback_id))).rowcount
        if not found:
            raise RecordError(f"onbekende feedback #{feedback_id} (unknown feedback)")

    def negative_feedback(self, limit: int = 100, *, handled: bool | None = None) -> list[Feedback]:
        """Newest first; `handled` False/True keeps only the open/handled ones."""
        where = {None: "", False: " AND handled_at = ''", True: " AND handled_at != ''"}[handled]
        with self._read() as conn:
            sql = f"SELECT * FROM feedback WHERE rating = -1{where} ORDER BY id DESC LIMIT ?"
            rows = conn.execute(sql, (limit,)).fetchall()
        return [Feedback(**dict(r)) for r in rows]

    def feedback(self, feedback_id: int) -> Feedback | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM feedback WHERE id = ?", (feedback_id,)).fetchone()
        return Feedback(**dict(row)) if row else None

    def handle_feedback(self, feedback_id: int, coach_name: str, note: str = "") -> None:
        """Mark feedback as dealt with; handling it again only updates the note."""
        with self._write() as conn:
            found = conn.execute("UPDATE feedback SET handled_at = CASE handled_at WHEN '' THEN ? ELSE handled_at "
                                 "END, handled_by = ?, handled_note = ? WHERE id = ?",
                                 (now(), coach_name, note.strip(), feedback_id)).rowcount
        if not found:
            raise RecordError(f"onbekende feedback #{feedback_id} (unknown feedback)")
