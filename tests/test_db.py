"""The SQLite database's named migrations (assistant/db.py): applied once each, mergeable in any order, and
databases from before them (user_version 1) carried over. Real SQLite in tmp_path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.db import Database
from assistant.errors import StorageError
from assistant.escalation import Coach, Route
from assistant.records import _SCHEMA_V1, MIGRATIONS, EscalationStore


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_version_1_database_is_carried_over(tmp_path: Path) -> None:
    """A database as the version before named migrations left it: its rows stay, nothing is created twice."""
    path = tmp_path / "digihulp.sqlite3"
    with sqlite3.connect(path) as conn:
        for statement in filter(str.strip, _SCHEMA_V1.split(";")):
            conn.execute(statement)
        conn.execute("INSERT INTO escalations (created_at, updated_at, question, coach_name, coach_email, "
                     "route_reason) VALUES ('2026-01-05T10:00:00+00:00', '2026-01-05T10:00:00+00:00', "
                     "'Hoe print ik?', 'An Declercq', 'an@waregem.example', 'coach')")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    store = EscalationStore(path)
    old = store.get(1)
    assert old is not None and old.question == "Hoe print ik?" and old.status == "open"
    new = store.create("Nog een vraag", "ict", Route(Coach("An Declercq", "an@waregem.example"), None, "coordinator"),
                       [], "", 0.1)
    assert new == 2 and [e.id for e in store.escalations()] == [1, 2]
    assert old.close_note == ""  # columns added by a later migration get their defaults on old rows
    # the initial tables are recorded as applied (not created twice); later records migrations ran on top
    assert Database(path, []).applied() == {name for name, _ in MIGRATIONS} >= {"records-initial-tables"}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_migrations_run_once_each_in_any_merge_order(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    a = ("sessions-table", "CREATE TABLE sessions (token TEXT PRIMARY KEY); INSERT INTO sessions VALUES ('s1')")
    b = ("sessions-expiry", "ALTER TABLE sessions ADD COLUMN expires TEXT")
    c = ("limits-table", "CREATE TABLE limits (key TEXT PRIMARY KEY)")
    Database(path, [a, b])
    Database(path, [a, c, b])  # another branch's migration, merged in between: only it runs
    Database(path, [c, a, b])
    Database(path, [("consents-table", "CREATE TABLE consents (id INTEGER)")])  # a second store on the same file
    assert Database(path, []).applied() == {"sessions-table", "sessions-expiry", "limits-table", "consents-table"}
    assert {"sessions", "limits", "consents"} <= _tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1  # the INSERT ran once
    conn.close()


def test_a_failing_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    broken = ("half", "CREATE TABLE half (id INTEGER); CREATE TABLE broken (")
    with pytest.raises(StorageError, match="Bijwerken van de database"):
        Database(path, [broken])
    assert "half" not in _tables(path)
    assert Database(path, []).applied() == set()


def test_migration_names_must_be_unique(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        Database(tmp_path / "x.sqlite3", [("a", "SELECT 1"), ("a", "SELECT 2")])
