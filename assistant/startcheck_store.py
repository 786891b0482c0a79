"""Start-check results colleagues chose to share with their digicoach: per check the department, the date and the
level per area. Nothing else: no answers, no name, no tip progress. A random series id links a colleague's re-checks
to their first check (it lives in their browser's signed path token) and lets them withdraw what they shared.

Same SQLite file as the escalations (`assistant.db`: connections, transactions, Dutch errors); this module brings
its one table as a named migration.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.db import Database, Migration

log = logging.getLogger(__name__)

# IF NOT EXISTS: databases made by this branch before named migrations already hold the table.
_RESULTS_TABLE = """
CREATE TABLE IF NOT EXISTS startcheck_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series TEXT NOT NULL,
    department TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    levels_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS startcheck_results_dept ON startcheck_results (department, series, checked_on)
"""
# Named, applied once each (assistant/db.py); add new ones at the end, never edit a shipped one.
MIGRATIONS: list[Migration] = [("startcheck-results", _RESULTS_TABLE)]


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
    """Thread-safe: one connection per call (assistant.db), like EscalationStore."""

    def __init__(self, db_path: Path, timeout: float = 30.0) -> None:
        self.db_path = Path(db_path)
        self._db = Database(self.db_path, MIGRATIONS, timeout)

    def add(self, series: str, department: str, checked_on: date, levels: Mapping[str, float]) -> None:
        row = (series, department, checked_on.isoformat(), json.dumps(dict(levels), sort_keys=True))
        with self._db.write() as conn:
            conn.execute("INSERT INTO startcheck_results (series, department, checked_on, levels_json) "
                         "VALUES (?, ?, ?, ?)", row)
        log.info("Start check shared with the digicoach of %s", department)

    def withdraw(self, series: str) -> int:
        """Delete every shared check of a series; the number deleted."""
        with self._db.write("Verwijderen uit de database") as conn:
            return conn.execute("DELETE FROM startcheck_results WHERE series = ?", (series,)).rowcount

    def newcomers(self, departments: Iterable[str] | None = None) -> list[Newcomer]:
        """Every series (of these departments, or of all), the most recent first check first."""
        sql = "SELECT series, department, checked_on, levels_json FROM startcheck_results"
        args: tuple[str, ...] = ()
        if departments is not None:
            args = tuple(departments)
            sql += f" WHERE department IN ({', '.join('?' * len(args))})" if args else " WHERE 0"
        with self._db.read() as conn:
            rows = conn.execute(sql + " ORDER BY checked_on, id", args).fetchall()
        series: dict[str, list[SharedCheck]] = {}
        for key, dept, day, levels in rows:
            series.setdefault(key, []).append(SharedCheck(key, dept, date.fromisoformat(day), json.loads(levels)))
        found = [Newcomer(key, tuple(checks)) for key, checks in series.items()]
        return sorted(found, key=lambda n: (n.first.checked_on, n.series), reverse=True)

    def count(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute("SELECT count(*) FROM startcheck_results").fetchone()[0])
