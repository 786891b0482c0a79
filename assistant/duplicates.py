"""Duplicate questions: a question that matches an open escalation is attached to it as "nog eens gevraagd".

A question matches an escalation that is still open when it comes from the same browser, or from the same
department within `duplicate_hours`, and its text is near-identical after normalising (case, accents,
punctuation, a typo or two) or its question vector, the one computed at ask time, has a cosine similarity of at
least `duplicate_similarity` (measured on paraphrase pairs: benchmarks/duplicates.py).

This module keeps a fingerprint per escalation (normalised text and vector) and the repeats, in two tables of its
own (named migrations). Whether an escalation is still open is the escalation store's to say: `find` asks.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np

from assistant.db import Database, Migration

log = logging.getLogger(__name__)

Clock = Callable[[], float]
NEAR_IDENTICAL = 0.9  # difflib ratio of normalised texts: "hoe print ik met mijn badge" vs "hoe print ik met mn badge?"
MAX_CANDIDATES = 200
MIGRATIONS: list[Migration] = [(
    "duplicates-fingerprints-and-repeats",
    """
    CREATE TABLE escalation_fingerprints (
        escalation_id INTEGER PRIMARY KEY, created_at REAL NOT NULL, browser TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '', norm TEXT NOT NULL, vector BLOB);
    CREATE INDEX escalation_fingerprints_dept ON escalation_fingerprints (department, created_at);
    CREATE INDEX escalation_fingerprints_browser ON escalation_fingerprints (browser, created_at);
    CREATE TABLE escalation_repeats (
        id INTEGER PRIMARY KEY AUTOINCREMENT, escalation_id INTEGER NOT NULL, asked_at REAL NOT NULL,
        browser TEXT NOT NULL DEFAULT '', asker TEXT NOT NULL DEFAULT '');
    CREATE INDEX escalation_repeats_escalation ON escalation_repeats (escalation_id)
    """,
)]
_PUNCT = re.compile(r"[^\w\s]")


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: what two askings of one question share."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCT.sub(" ", plain).split())


def near_identical(a: str, b: str) -> bool:
    """Both normalised already."""
    if a == b:
        return True
    if 2 * min(len(a), len(b)) < NEAR_IDENTICAL * (len(a) + len(b)):
        return False  # real_quick_ratio(), without building a matcher: lengths alone rule it out
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # quick_ratio() is an upper bound of ratio(): most different questions of similar length stop there.
    return matcher.quick_ratio() >= NEAR_IDENTICAL and matcher.ratio() >= NEAR_IDENTICAL


@dataclass(frozen=True)
class Match:
    escalation_id: int
    how: str  # "tekst" or "betekenis" (for the log and the coach)
    similarity: float


@dataclass(frozen=True)
class Repeats:
    count: int  # times asked again (the first asking not included)
    times: tuple[str, ...]  # ISO timestamps (UTC), oldest first


class DuplicateFinder:
    """Thread- and process-safe: every call opens its own connection (assistant.db)."""

    def __init__(self, db_path: Path, similarity: float, hours: float, clock: Clock = time.time) -> None:
        # Fingerprints are a cache of what the escalation store holds: no fsync per escalation.
        self._db = Database(Path(db_path), MIGRATIONS, synchronous="NORMAL", keep_open=True)
        self.similarity, self.window, self._clock = similarity, hours * 3600, clock

    def find(self, question: str, vector: np.ndarray | None, browser: str, department: str,
             is_open: Callable[[int], bool]) -> Match | None:
        """The newest open escalation this question repeats, or None."""
        norm, now = normalise(question), self._clock()
        # Two indexed lookups (an OR would scan the table, vectors and all).
        sql = ("SELECT escalation_id, norm, vector FROM escalation_fingerprints "
               "WHERE department = ? AND department != '' AND created_at > ?")
        args: list[object] = [department, now - self.window]
        if browser:
            sql += " UNION SELECT escalation_id, norm, vector FROM escalation_fingerprints WHERE browser = ?"
            args.append(browser)
        with self._db.read() as conn:
            rows = conn.execute(sql + " ORDER BY escalation_id DESC LIMIT ?", (*args, MAX_CANDIDATES)).fetchall()
        similarities = self._similarities(rows, vector)
        for (escalation_id, stored_norm, _blob), similarity in zip(rows, similarities, strict=True):
            if near_identical(norm, stored_norm):
                match = Match(int(escalation_id), "tekst", 1.0)
            elif similarity >= self.similarity:
                match = Match(int(escalation_id), "betekenis", float(similarity))
            else:
                continue
            if is_open(match.escalation_id):
                return match
        return None

    @staticmethod
    def _similarities(rows: list[Any], vector: np.ndarray | None) -> np.ndarray:
        """Cosine of `vector` with every candidate's stored vector in one product (-1 where there is none or it
        comes from another model)."""
        out = np.full(len(rows), -1.0, dtype=np.float32)
        if vector is None:
            return out
        query = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if not norm:
            return out
        keep = [i for i, row in enumerate(rows) if row[2] and len(row[2]) == query.nbytes]
        if keep:
            matrix = np.frombuffer(b"".join(rows[i][2] for i in keep), dtype=np.float32).reshape(len(keep), -1)
            lengths = np.linalg.norm(matrix, axis=1)
            out[keep] = (matrix @ query) / np.where(lengths > 0, lengths * norm, 1.0)
        return out

    def remember(self, escalation_id: int, question: str, vector: np.ndarray | None, browser: str,
                 department: str) -> None:
        blob = np.asarray(vector, dtype=np.float32).tobytes() if vector is not None else None
        with self._db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO escalation_fingerprints (escalation_id, created_at, browser, "
                         "department, norm, vector) VALUES (?, ?, ?, ?, ?, ?)",
                         (escalation_id, self._clock(), browser, department, normalise(question), blob))

    def add_repeat(self, escalation_id: int, browser: str, asker: str = "") -> Repeats:
        with self._db.write() as conn:
            conn.execute("INSERT INTO escalation_repeats (escalation_id, asked_at, browser, asker) VALUES (?, ?, ?, ?)",
                         (escalation_id, self._clock(), browser, asker))
        log.info("escalation #%d asked again", escalation_id)
        return self.repeats(escalation_id)

    def repeats(self, escalation_id: int) -> Repeats:
        with self._db.read() as conn:
            rows = conn.execute("SELECT asked_at FROM escalation_repeats WHERE escalation_id = ? ORDER BY asked_at",
                                (escalation_id,)).fetchall()
        times = tuple(datetime.fromtimestamp(r[0], UTC).isoformat(timespec="seconds") for r in rows)
        return Repeats(len(times), times)

    def repeat_counts(self) -> dict[int, int]:
        """Escalation id -> times asked again, for the coach's queue."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT escalation_id, COUNT(*) FROM escalation_repeats GROUP BY escalation_id")
            return {int(r[0]): int(r[1]) for r in rows}
