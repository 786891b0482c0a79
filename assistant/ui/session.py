"""Web-session helpers: login backoff, coach sessions (in the SQLite database), the app secret and signed answer
links."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from assistant.atomic import write_atomic
from assistant.db import Database, Migration

log = logging.getLogger(__name__)

Clock = Callable[[], float]
COOKIE = "digihulp_session"


class LoginBackoff:
    """Per-client backoff for wrong passwords: after `free` failures within `window` seconds, each further attempt
    from that client waits 2, 4, 8, ... seconds (at most `max_wait`) after its last failure.

    Keyed by client (its address, behind the trusted-proxy setting), never by account: a colleague typing a
    coach's name with wrong passwords slows only their own device, and nobody can lock a coach out.
    """

    def __init__(self, free: int = 5, max_wait: float = 300.0, window: float = 900.0,
                 clock: Clock = time.monotonic) -> None:
        self.free, self.max_wait, self.window = free, max_wait, window
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> list[float]:
        return [t for t in self._failures.get(client, []) if now - t < self.window]

    def wait_for(self, client: str) -> float:
        """Seconds before `client` may try again (0 = now)."""
        now = self._clock()
        with self._lock:
            recent = self._recent(client, now)
        if len(recent) < self.free:
            return 0.0
        delay = min(self.max_wait, 2.0 ** (len(recent) - self.free + 1))
        return max(0.0, recent[-1] + delay - now)

    def fail(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            self._failures[client] = failures = [*self._recent(client, now), now][-64:]
            if len(self._failures) > 10_000:  # bounded memory under a scan from many addresses
                self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}
        if len(failures) >= self.free:
            log.warning("Login backoff for %s after %d failures", client, len(failures))

    def success(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


SESSION_MIGRATIONS: list[Migration] = [("coach-sessions", """
CREATE TABLE coach_sessions (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX coach_sessions_expiry ON coach_sessions (expires_at)
""")]


def _hash(token: str) -> str:
    # Only a hash is stored: a copy of the database does not give away live sessions.
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class SessionStore:
    """Opaque random tokens, kept (hashed) in the SQLite database: an app restart logs nobody out. A session
    ends after `hours`, or at logout."""

    def __init__(self, db_path: Path, hours: float, clock: Clock = time.time) -> None:
        self.seconds = hours * 3600
        self._clock = clock
        self._db = Database(Path(db_path), SESSION_MIGRATIONS)

    def create(self, user: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._db.write() as conn:
            conn.execute("DELETE FROM coach_sessions WHERE expires_at <= ?", (now,))
            conn.execute("INSERT INTO coach_sessions (token_hash, user, created_at, expires_at) VALUES (?, ?, ?, ?)",
                         (_hash(token), user, now, now + self.seconds))
        return token

    def user(self, token: str | None) -> str | None:
        if not token or len(token) > 200:
            return None
        with self._db.read() as conn:
            row = conn.execute("SELECT user, expires_at FROM coach_sessions WHERE token_hash = ?",
                               (_hash(token),)).fetchone()
        if row is None or row["expires_at"] <= self._clock():
            return None
        return str(row["user"])

    def revoke(self, token: str | None) -> None:
        if token:
            with self._db.write() as conn:
                conn.execute("DELETE FROM coach_sessions WHERE token_hash = ?", (_hash(token),))


def load_secret(data_dir: Path) -> str:
    """A random secret kept in data_dir (0600), so signed links and browser state survive a restart."""
    path = Path(data_dir) / "ui_secret"
    try:
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value
    except (OSError, UnicodeDecodeError):
        pass
    value = secrets.token_hex(32)
    write_atomic(path, value, mode=0o600)
    log.info("Created a new UI secret in %s", path)
    return value


def sign_id(secret: str, escalation_id: int) -> str:
    """`<id>.<mac>`: a link a colleague can keep, which nobody can guess for someone else's question."""
    mac = hmac.new(secret.encode(), f"vraag:{int(escalation_id)}".encode(), hashlib.sha256).hexdigest()[:20]
    return f"{int(escalation_id)}.{mac}"


def unsign_id(secret: str, token: str | None) -> int | None:
    token = (token or "").strip()
    raw = token.partition(".")[0]
    if not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw) if hmac.compare_digest(sign_id(secret, int(raw)), token) else None
