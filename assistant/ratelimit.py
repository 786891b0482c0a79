"""Per-client limits on new escalations, so one browser, script or stuck button cannot bury a coach's queue.

A client is its browser token (a cookie the chat page sets) and its address. Two sets of limits apply:
- per browser (or, for a client without a token, per address as if it were one browser): few, e.g. 5 per
  10 minutes and 20 per day;
- per address over all its browsers: more, because colleagues behind one proxy or terminal server share it.

Counters live in SQLite (table `escalation_events`, a named migration of this module), so limits survive a
restart and hold across worker processes. Taking a slot is one IMMEDIATE transaction: concurrent requests
cannot all see "4 of 5" and all pass. Only escalations count; answers are never limited.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.db import Database, Migration

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]
DAY = 86_400.0
MIGRATIONS: list[Migration] = [(
    "ratelimit-escalation-events",
    """
    CREATE TABLE escalation_events (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX escalation_events_key_at ON escalation_events (key, at)
    """,
)]


@dataclass(frozen=True)
class Client:
    """Who asks: `browser` is the chat page's browser token ('' for API clients without it), `address` the
    client's IP address ('' when unknown, e.g. the command line)."""

    browser: str = ""
    address: str = ""


@dataclass(frozen=True)
class Limit:
    count: int  # at most this many escalations ...
    seconds: float  # ... within this many seconds; count <= 0 switches the limit off

    def describe(self) -> str:
        """Dutch: 'de voorbije 10 minuten' / 'vandaag'."""
        if self.seconds >= DAY:
            return "vandaag" if self.seconds == DAY else f"de voorbije {self.seconds / DAY:g} dagen"
        minutes = self.seconds / 60
        return f"de voorbije {minutes:g} minuten" if minutes != 1 else "de voorbije minuut"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    slot: tuple[int, ...] = ()  # the event rows taken, for release() when the escalation is not stored
    limit: Limit | None = None  # the limit that refused
    retry_after: float = 0.0  # seconds until the refusing limit lets one through again


def keys_for(client: Client) -> tuple[str, str]:
    """(browser key, address key); a client without a token counts as one browser per address."""
    address = client.address.strip() or "?"
    browser = client.browser.strip()
    return (f"browser:{browser}" if browser else f"anon:{address}"), f"address:{address}"


class EscalationLimiter:
    """Thread- and process-safe: every call is one SQLite transaction."""

    def __init__(self, db_path: Path, browser_limits: Sequence[Limit], address_limits: Sequence[Limit],
                 clock: Clock = time.time) -> None:
        # Counters, not records: no fsync per escalation (a power cut forgets the last few counts at worst).
        self._db = Database(Path(db_path), MIGRATIONS, synchronous="NORMAL", keep_open=True)
        self.browser_limits = tuple(lim for lim in browser_limits if lim.count > 0)
        self.address_limits = tuple(lim for lim in address_limits if lim.count > 0)
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.time) -> EscalationLimiter:
        window = settings.escalation_window_minutes * 60
        return cls(
            settings.db_path,
            browser_limits=(Limit(settings.escalations_per_window, window),
                            Limit(settings.escalations_per_day, DAY)),
            address_limits=(Limit(settings.escalations_per_address_window, window),
                            Limit(settings.escalations_per_address_day, DAY)),
            clock=clock,
        )

    def take(self, client: Client) -> Verdict:
        """Count one escalation for `client` if every limit allows it; otherwise say which limit refused."""
        browser_key, address_key = keys_for(client)
        checks = [(browser_key, lim) for lim in self.browser_limits]
        checks += [(address_key, lim) for lim in self.address_limits]
        if not checks:
            return Verdict(True)
        now = self._clock()
        longest = max(lim.seconds for _, lim in checks)
        with self._db.write("Bijhouden van het aantal doorgegeven vragen") as conn:
            # Old events no longer count for any limit; pruning here keeps the table small without a job.
            conn.execute("DELETE FROM escalation_events WHERE at < ?", (now - max(longest, DAY),))
            for key, lim in checks:
                times = [row[0] for row in conn.execute(
                    "SELECT at FROM escalation_events WHERE key = ? AND at > ? ORDER BY at",
                    (key, now - lim.seconds))]
                if len(times) >= lim.count:
                    retry = times[len(times) - lim.count] + lim.seconds - now
                    log.warning("escalation limit %d per %.0f s reached for %s", lim.count, lim.seconds, key)
                    return Verdict(False, limit=lim, retry_after=max(retry, 0.0))
            slot = tuple(int(conn.execute("INSERT INTO escalation_events (key, at) VALUES (?, ?)",
                                          (key, now)).lastrowid or 0) for key in (browser_key, address_key))
        return Verdict(True, slot=slot)

    def release(self, verdict: Verdict) -> None:
        """Give a slot back: the escalation it was for was not stored."""
        if not verdict.slot:
            return
        marks = ", ".join("?" * len(verdict.slot))
        with self._db.write() as conn:
            conn.execute(f"DELETE FROM escalation_events WHERE id IN ({marks})", verdict.slot)
