"""Start-check results colleagues chose to share with their digicoach: per check the department, the date and the
level per area. Nothing else: no answers, no name, no tip progress. A random series id links a colleague's re-checks
to their first check (it lives in their browser's signed path token) and lets them withdraw what they shared.

Same SQLite file as the escalations; this module owns only its table.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import StorageError, explain, explain_database

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS startcheck_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series TEXT NOT NULL,
    department TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    levels_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS startcheck_results_dept ON startcheck_results (department, series, checked_on)
"""


@dataclass(frozen=True)
class SharedCheck:
    series: str
    department: str
    checked_on: date
    levels: dict[str, float]  # area id -> mean self-rating


@dataclass(frozen=True)
class Newcomer:
    """One colleague's shared checks, oldest first."""

    series: str
    checks: tuple[SharedCheck, ...]

    @property
    def first(self) -> SharedCheck:
        return self.checks[0]

    @property
    def latest(self) -> SharedCheck:
        return self.checks[-1]


class StartResults:
    """Thread-safe: one connection per call, like EscalationStore."""

    def __init__(self, db_path: Path, timeout: float = 30.0) -> None:
        self.db_path, self.timeout = Path(db_path), timeout
        with self._conn("Openen van de database", write=True) as conn:
            for statement in filter(str.strip, SCHEMA.split(";")):
                conn.execute(statement)

    @contextmanager
    def _conn(self, action: str, write: bool = False) -> Iterator[sqlite3.Connection]:
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.db_path, timeout=self.timeout, isolation_level=None)) as conn:
                conn.execute("PRAGMA synchronous=FULL")
                if not write:
                    yield conn
                    return
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            log.error("Database %s: %s failed: %s", self.db_path, action, exc)
            detail = explain(exc) if isinstance(exc, OSError) else explain_database(exc)
            raise StorageError(f"{action} {self.db_path} lukt niet: {detail}") from exc

    def add(self, series: str, department: str, checked_on: date, levels: Mapping[str, float]) -> None:
        row = (series, department, checked_on.isoformat(), json.dumps(dict(levels), sort_keys=True))
        with self._conn("Opslaan in de database", write=True) as conn:
            conn.execute("INSERT INTO startcheck_results (series, department, checked_on, levels_json) "
                         "VALUES (?, ?, ?, ?)", row)
        log.info("Start check shared with the digicoach of %s", department)

    def withdraw(self, series: str) -> int:
        """Delete every shared check of a series; the number deleted."""
        with self._conn("Verwijderen uit de database", write=True) as conn:
            return conn.execute("DELETE FROM startcheck_results WHERE series = ?", (series,)).rowcount

    def newcomers(self, departments: Iterable[str] | None = None) -> list[Newcomer]:
        """Every series (of these departments, or of all), the most recent first check first."""
        sql = "SELECT series, department, checked_on, levels_json FROM startcheck_results"
        args: tuple[str, ...] = ()
        if departments is not None:
            args = tuple(departments)
            sql += f" WHERE department IN ({', '.join('?' * len(args))})" if args else " WHERE 0"
        with self._conn("Lezen uit de database") as conn:
            rows = conn.execute(sql + " ORDER BY checked_on, id", args).fetchall()
        series: dict[str, list[SharedCheck]] = {}
        for key, dept, day, levels in rows:
            series.setdefault(key, []).append(SharedCheck(key, dept, date.fromisoformat(day), json.loads(levels)))
        found = [Newcomer(key, tuple(checks)) for key, checks in series.items()]
        return sorted(found, key=lambda n: (n.first.checked_on, n.series), reverse=True)

    def count(self) -> int:
        with self._conn("Lezen uit de database") as conn:
            return int(conn.execute("SELECT count(*) FROM startcheck_results").fetchone()[0])
