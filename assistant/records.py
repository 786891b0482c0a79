"""SQLite store for escalations, the (masked) question log and answer feedback.

One connection per call, because Gradio workers are threads and sqlite3 connections must not be shared.
WAL lets readers run next to a writer; synchronous=FULL makes a committed write survive a kill.
"""

from __future__ import annotations

import builtins
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.errors import StorageError, explain, explain_database
from assistant.escalation import Coach, Route, mask_pii
from assistant.types import Citation

logger = logging.getLogger(__name__)

Status = Literal["open", "answered", "closed"]
SCHEMA_VERSION = 2

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
# The colleague saw the answer under "Ik ben niet zeker..." and asked the coach: the coach sees what was shown.
_SCHEMA_V2 = "ALTER TABLE escalations ADD COLUMN shown_unsure INTEGER NOT NULL DEFAULT 0;"
# Index = version reached after running the script; append new scripts, never edit old ones.
_MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _SCHEMA_V2)
_QUESTION_COLUMNS = ("created_at", "question", "department", "confidence", "escalated")
_FEEDBACK_COLUMNS = ("created_at", "question", "answer", "rating", "comment", "department")


@dataclass(frozen=True)
class Escalation:
    id: int
    created_at: str
    updated_at: str
    question: str
    department: str
    asker_name: str
    asker_contact: str
    coach_name: str
    coach_email: str
    route_reason: str
    sources: tuple[dict[str, Any], ...]
    draft_answer: str
    confidence: float
    status: Status
    answer: str
    answered_by: str
    handed_over_from: str
    shown_unsure: bool = False  # asked from an answer shown under "niet zeker"; draft_answer is what was shown


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    created_at: str
    question: str
    department: str
    confidence: float
    escalated: bool


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: str
    question: str
    answer: str
    rating: int
    comment: str
    department: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _to_escalation(row: sqlite3.Row) -> Escalation:
    data = dict(row)
    data["sources"] = tuple(json.loads(data.pop("sources_json") or "[]"))
    data["shown_unsure"] = bool(data.get("shown_unsure", 0))
    return Escalation(**data)


def _sources_json(sources: Iterable[Mapping[str, Any] | Citation]) -> str:
    dicts = [s.to_dict() if isinstance(s, Citation) else dict(s) for s in sources]
    return json.dumps(dicts, ensure_ascii=False)


def _insert(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    # Table and column names come from this module only; values are always bound parameters.
    sql = f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
    return int(conn.execute(sql, tuple(values.values())).lastrowid or 0)


class EscalationStore:
    """Thread-safe: every method opens its own connection."""

    def __init__(self, db_path: Path, timeout: float = 30.0) -> None:
        self.db_path = Path(db_path)
        self.timeout = timeout
        with self._translated("Openen van de database"):
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                # Persistent in the file, and it cannot be switched inside a transaction, so set it once here.
                conn.execute("PRAGMA journal_mode=WAL")
            self._migrate()

    @contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        """sqlite3 and OS errors become a StorageError that says what to do (full disk, read-only, damaged)."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            logger.error("Database %s: %s failed: %s: %s", self.db_path, action, type(exc).__name__, exc)
            detail = explain(exc) if isinstance(exc, OSError) else explain_database(exc)
            raise StorageError(f"{action} {self.db_path} lukt niet: {detail}") from exc

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves so every write is one explicit transaction.
        conn = sqlite3.connect(self.db_path, timeout=self.timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=FULL")  # per connection, not stored in the file
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._translated("Lezen uit de database"), closing(self._connect()) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._translated("Opslaan in de database"), closing(self._connect()) as conn:
            # IMMEDIATE takes the write lock up front, so concurrent writers wait instead of deadlocking.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with suppress(sqlite3.Error):  # a failed write may already have ended the transaction
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.db_path}: schema version {version} is newer than {SCHEMA_VERSION}")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in filter(str.strip, _MIGRATIONS[target - 1].split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
                logger.info("%s: schema migrated to version %d", self.db_path, target)

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
        now = _now()
        values = {
            "created_at": now,
            "updated_at": now,
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

    def list(self, department: str | None = None, status: Status | None = None) -> builtins.list[Escalation]:
        """Oldest first; `department` matches the stored department id case-insensitively."""
        sql, args = "SELECT * FROM escalations WHERE 1=1", builtins.list[Any]()
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
                raise ValueError(f"onbekende vraag #{escalation_id} (unknown escalation)")
            if row["status"] not in allowed:
                raise ValueError(f"vraag #{escalation_id} is '{row['status']}' (invalid status transition)")
            sql = f"UPDATE escalations SET {assign}, updated_at = ? WHERE id = ?"
            conn.execute(sql, (*params, _now(), escalation_id))

    def answer(self, escalation_id: int, text: str, coach_name: str) -> None:
        if not text.strip():
            raise ValueError("leeg antwoord (empty answer)")
        # Re-answering an answered question is allowed: coaches correct themselves.
        assign = "status = 'answered', answer = ?, answered_by = ?"
        self._update(escalation_id, ("open", "answered"), assign, (text.strip(), coach_name))

    def close(self, escalation_id: int) -> None:
        self._update(escalation_id, ("open", "answered"), "status = 'closed'", ())

    def hand_over(self, escalation_id: int, coach: Coach) -> None:
        # The right-hand coach_name is the old value: SQLite evaluates the whole SET list before assigning.
        assign = "handed_over_from = coach_name, coach_name = ?, coach_email = ?"
        self._update(escalation_id, ("open",), assign, (coach.name, coach.email))
        logger.info("escalation #%d handed over to %s", escalation_id, coach.name)

    def answered_for(self, ids: Iterable[int]) -> builtins.list[Escalation]:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT * FROM escalations WHERE id IN ({marks}) AND answer != '' ORDER BY id", wanted
            ).fetchall()
        return [_to_escalation(r) for r in rows]

    def log_question(self, question: str, department: str | None, confidence: float, escalated: bool) -> int:
        row = (_now(), mask_pii(question), department or "", float(confidence), int(escalated))
        with self._write() as conn:
            return _insert(conn, "questions", dict(zip(_QUESTION_COLUMNS, row, strict=True)))

    def recent_questions(self, limit: int = 100) -> builtins.list[LoggedQuestion]:
        """Newest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM questions ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [LoggedQuestion(**{**dict(r), "escalated": bool(r["escalated"])}) for r in rows]

    def add_feedback(
        self, question: str, answer: str, rating: int, comment: str = "", department: str | None = None
    ) -> int:
        if rating not in (1, -1):
            raise ValueError(f"rating moet +1 of -1 zijn, niet {rating!r} (invalid rating)")
        # Like the question log: feedback is analytics, so no personal data in clear (an answer may echo the question).
        row = (_now(), mask_pii(question), mask_pii(answer), rating, mask_pii(comment), department or "")
        with self._write() as conn:
            return _insert(conn, "feedback", dict(zip(_FEEDBACK_COLUMNS, row, strict=True)))

    def negative_feedback(self, limit: int = 100) -> builtins.list[Feedback]:
        """Newest first."""
        with self._read() as conn:
            sql = "SELECT * FROM feedback WHERE rating = -1 ORDER BY id DESC LIMIT ?"
            rows = conn.execute(sql, (limit,)).fetchall()
        return [Feedback(**dict(r)) for r in rows]
