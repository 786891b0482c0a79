"""Web-session helpers: login rate limiting, coach sessions, the app secret and signed answer links."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.atomic import write_atomic

log = logging.getLogger(__name__)

Clock = Callable[[], float]
COOKIE = "digihulp_session"


class LoginGuard:
    """After `max_failures` wrong passwords within `window` seconds a key is locked for `lock_seconds`.

    Keys are e.g. "account:an declercq" and "ip:10.0.0.5"; a login is refused while any of its keys is locked.
    """

    def __init__(self, max_failures: int = 5, lock_seconds: float = 300.0, window: float = 900.0,
                 clock: Clock = time.monotonic) -> None:
        self.max_failures, self.lock_seconds, self.window = max_failures, lock_seconds, window
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked_for(self, keys: Iterable[str]) -> float:
        """Seconds until all of `keys` are unlocked (0 = not locked)."""
        now = self._clock()
        with self._lock:
            return max([0.0, *(self._locked.get(k, 0.0) - now for k in keys)])

    def fail(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < self.window] + [now]
                if len(recent) >= self.max_failures:
                    self._locked[key] = now + self.lock_seconds
                    recent = []
                    log.warning("Login locked for %s for %.0f s", key, self.lock_seconds)
                self._failures[key] = recent
            self._prune(now)

    def success(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        if len(self._failures) + len(self._locked) < 10_000:
            return
        self._locked = {k: t for k, t in self._locked.items() if t > now}
        self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}


class SessionStore:
    """Opaque random tokens in memory; a session ends after `hours` (a restart logs everyone out)."""

    def __init__(self, hours: float, clock: Clock = time.time) -> None:
        self.seconds = hours * 3600
        self._clock = clock
        self._sessions: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def create(self, user: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._sessions = {t: s for t, s in self._sessions.items() if s[1] > now}
            self._sessions[token] = (user, now + self.seconds)
        return token

    def user(self, token: str | None) -> str | None:
        if not token:
            return None
        with self._lock:
            found = self._sessions.get(token)
            if found is None:
                return None
            if found[1] <= self._clock():
                del self._sessions[token]
                return None
            return found[0]

    def revoke(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

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
