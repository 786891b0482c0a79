"""The SQLite database in the data dir: connections, transactions, Dutch errors and named schema migrations.

Every store that keeps tables here (assistant.records today; sessions, rate limits, consents, ... tomorrow) opens
a `Database` with its own list of migrations: (name, SQL) pairs. Each migration runs once, in one transaction,
and is recorded by name in `schema_migrations`, so lists from parallel branches merge in any order: a database
gets whichever of its stores' migrations it has not seen yet. Never edit or rename a migration once it has
shipped; add a new one. Statements in a migration are separated by ';' (no triggers with ';' inside).

Databases from before named migrations (PRAGMA user_version = 1, no `schema_migrations` table) hold the tables of
the migrations that LEGACY lists for their version: those are recorded as applied, not run again.
`PRAGMA user_version` stays at USER_VERSION; it is raised only for a change that older versions of digihulp must
not touch, and they refuse such a database (DatabaseTooNew).

One connection per call, because Gradio workers are threads and sqlite3 connections must not be shared.
WAL lets readers run next to a writer; synchronous=FULL makes a committed write survive a kill.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from assistant.errors import DatabaseTooNew, StorageError, explain, explain_database, translated

log = logging.getLogger(__name__)

Migration = tuple[str, str]  # (name, SQL); the name is the migration's identity, forever
USER_VERSION = 1
LEGACY: dict[int, tuple[str, ...]] = {1: ("records-initial-tables",)}  # user_version -> migrations it implies
_LEDGER = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """Thread-safe: every read and write opens its own connection."""

    def __init__(self, path: Path, migrations: Sequence[Migration], timeout: float = 30.0,
                 synchronous: Literal["FULL", "NORMAL"] = "FULL", keep_open: bool = False) -> None:
        """For a store on the hot path: `keep_open` keeps one connection per thread instead of one per call
        (closing the last connection checkpoints the WAL: ~30 ms per write on a busy disk), and
        `synchronous="NORMAL"` skips the fsync per commit (a power cut may lose the last commits, a crash loses
        nothing): for counters and caches, never for records."""
        names = [name for name, _ in migrations]
        if len(set(names)) != len(names):
            raise ValueError(f"Migration names must be unique: {names}")  # a programming error, caught by tests
        self.path = Path(path)
        self.timeout = timeout
        self.synchronous = synchronous
        self._local = threading.local() if keep_open else None
        with self._translated("Openen van de database"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as conn:
                # Persistent in the file, and it cannot be switched inside a transaction, so set it once here.
                conn.execute("PRAGMA journal_mode=WAL")
        self._migrate(migrations)

    def _translated(self, action: str) -> AbstractContextManager[None]:
        """sqlite3 and OS errors become a StorageError that says what to do (full disk, read-only, damaged)."""

        def storage_error(exc: Exception) -> StorageError:
            log.error("Database %s: %s failed: %s: %s", self.path, action, type(exc).__name__, exc)
            detail = explain(exc) if isinstance(exc, OSError) else explain_database(exc)
            return StorageError(f"{action} {self.path} lukt niet: {detail}")

        return translated(storage_error, catch=(sqlite3.Error, OSError))

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves so every write is one explicit transaction.
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA synchronous={self.synchronous}")  # per connection, not stored in the file
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._local is None:
            with closing(self._connect()) as conn:
                yield conn
            return
        conn = getattr(self._local, "conn", None) or self._connect()
        self._local.conn = conn
        try:
            yield conn
        except sqlite3.Error:  # a broken connection is not kept: the next call opens a fresh one
            self._local.conn = None
            with suppress(sqlite3.Error):
                conn.close()
            raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._translated("Lezen uit de database"), self._connection() as conn:
            yield conn

    @contextmanager
    def write(self, action: str = "Opslaan in de database") -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self._translated(action), self._connection() as conn:
            # IMMEDIATE takes the write lock up front, so concurrent writers wait instead of deadlocking.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with suppress(sqlite3.Error):  # a failed write may already have ended the transaction
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def applied(self) -> set[str]:
        """Names of the migrations this database has had (from any store)."""
        with self.read() as conn:
            return {row["name"] for row in conn.execute("SELECT name FROM schema_migrations")}

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        with self.write("Bijwerken van de database") as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > USER_VERSION:
                raise DatabaseTooNew(f"De database {self.path} is gemaakt door een nieuwere versie van digihulp "
                                     f"(schema version {version} is newer than {USER_VERSION}). Installeer die "
                                     "versie opnieuw of zet een back-up van de database terug.")
            has_ledger = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
            conn.execute(_LEDGER)
            if not has_ledger:
                for name in LEGACY.get(version, ()):
                    conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, now()))
            done = {row["name"] for row in conn.execute("SELECT name FROM schema_migrations")}
            for name, sql in migrations:
                if name in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, now()))
                log.info("%s: migration %s applied", self.path, name)
            if version < USER_VERSION:
                conn.execute(f"PRAGMA user_version = {USER_VERSION}")
