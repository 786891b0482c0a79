"""Mail throttling: at most one new-escalation mail per coach per `mail_throttle_minutes`, then a digest.

The first escalation for a coach is mailed at once. Escalations that come in within the following window are
queued (table `mail_pending`); when the window is up, `flush_due()` (run every minute by the web app's
`DigestFlusher`, and on every new escalation) sends them as one digest. A mail that cannot be sent stays queued
for the next window, so nothing is lost to a short SMTP outage. Only new-escalation mails pass here: any other
mail (an answer to a colleague) goes straight through `Mailer.send` and is never throttled.

State is in SQLite (named migration), so a restart neither loses the queue nor resets the window.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from assistant.db import Database, Migration
from assistant.mail import Mailer
from assistant.types import Escalation

log = logging.getLogger(__name__)

Clock = Callable[[], float]
MIGRATIONS: list[Migration] = [(
    "maildigest-pending-and-last-sent",
    """
    CREATE TABLE mail_pending (escalation_id INTEGER PRIMARY KEY, coach_email TEXT NOT NULL, queued_at REAL NOT NULL);
    CREATE TABLE mail_last_sent (coach_email TEXT PRIMARY KEY, sent_at REAL NOT NULL)
    """,
)]


class MailThrottle:
    """Wraps a Mailer for new-escalation mails; `lookup` reads an escalation (the escalation store's `get`)."""

    def __init__(self, mailer: Mailer, lookup: Callable[[int], Escalation | None], db_path: Path, minutes: float,
                 clock: Clock = time.time) -> None:
        self.mailer, self.lookup, self.window, self._clock = mailer, lookup, minutes * 60, clock
        self._db = Database(Path(db_path), MIGRATIONS, keep_open=True)

    def notify(self, escalation: Escalation) -> str:
        """'sent' (now, with anything still queued for this coach), 'queued' (in the next digest) or 'failed'."""
        if not escalation.coach_email:
            log.warning("escalation #%s has no coach e-mail; no mail sent", escalation.id)
            return "failed"
        now, coach = self._clock(), escalation.coach_email
        with self._db.write("Bijhouden van de mails aan digicoaches") as conn:
            conn.execute("INSERT OR REPLACE INTO mail_pending (escalation_id, coach_email, queued_at) VALUES (?, ?, ?)",
                         (escalation.id, coach, now))
            row = conn.execute("SELECT sent_at FROM mail_last_sent WHERE coach_email = ?", (coach,)).fetchone()
            if self.window > 0 and row is not None and now - row[0] < self.window:
                return "queued"
            ids = self._take(conn, coach, now)
        self.flush_due()  # other coaches whose window ended meanwhile
        return "sent" if self._send(coach, ids) else "failed"

    def flush_due(self) -> int:
        """Send the digest of every coach whose window is up; returns the number of mails sent."""
        now, sent = self._clock(), 0
        with self._db.read() as conn:
            coaches = [r[0] for r in conn.execute(
                "SELECT DISTINCT p.coach_email FROM mail_pending p LEFT JOIN mail_last_sent l "
                "ON l.coach_email = p.coach_email WHERE l.sent_at IS NULL OR l.sent_at <= ?", (now - self.window,))]
        for coach in coaches:
            with self._db.write() as conn:
                row = conn.execute("SELECT sent_at FROM mail_last_sent WHERE coach_email = ?", (coach,)).fetchone()
                if row is not None and now - row[0] < self.window:
                    continue  # another worker sent it meanwhile
                ids = self._take(conn, coach, now)
            sent += bool(ids) and self._send(coach, ids)
        return sent

    @staticmethod
    def _take(conn: object, coach: str, now: float) -> list[int]:
        """Claim this coach's queue and start a new window (inside the caller's transaction)."""
        execute = conn.execute  # type: ignore[attr-defined]
        ids = [int(r[0]) for r in execute("SELECT escalation_id FROM mail_pending WHERE coach_email = ? "
                                          "ORDER BY escalation_id", (coach,))]
        execute("DELETE FROM mail_pending WHERE coach_email = ?", (coach,))
        execute("INSERT OR REPLACE INTO mail_last_sent (coach_email, sent_at) VALUES (?, ?)", (coach, now))
        return ids

    def _send(self, coach: str, ids: list[int]) -> bool:
        # Questions closed (or marked spam) while they waited are not worth a coach's attention any more.
        found = [e for e in map(self.lookup, ids) if e is not None and e.status == "open"]
        if not found:
            return True
        msg = self.mailer.build_message(found[0]) if len(found) == 1 else digest_message(self.mailer.sender, found)
        what = f"escalation #{found[0].id}" if len(found) == 1 else f"digest of {len(found)} escalations"
        if self.mailer.send(msg, what):
            return True
        with self._db.write() as conn:  # try again with the next window's digest
            conn.executemany("INSERT OR IGNORE INTO mail_pending (escalation_id, coach_email, queued_at) "
                             "VALUES (?, ?, ?)", [(e.id, coach, self._clock()) for e in found])
        return False


def digest_message(sender: str, escalations: list[Escalation]) -> EmailMessage:
    msg = EmailMessage()
    numbers = ", ".join(f"#{e.id}" for e in escalations)
    msg["Subject"] = f"{len(escalations)} nieuwe vragen voor de digicoach ({numbers})"
    msg["From"] = sender
    msg["To"] = escalations[0].coach_email
    msg.set_content(digest_body(escalations))
    return msg


def digest_body(escalations: list[Escalation]) -> str:
    """Plain-text Dutch digest: one block per question, oldest first."""
    name = escalations[0].coach_name.strip()
    lines = [f"Dag {name.split()[0]}," if name else "Dag,", "",
             f"Sinds de vorige mail kwamen er {len(escalations)} nieuwe vragen voor je binnen in digihulp:", ""]
    for e in escalations:
        asker = " – ".join(x for x in (e.asker_name, e.asker_contact) if x)
        lines += [f"#{e.id} · {e.created_at[:16].replace('T', ' ')} UTC · dienst {e.department or 'onbekend'} · "
                  f"zekerheid {e.confidence:.0%}" + (f" · gesteld door {asker}" if asker else ""),
                  f"  {e.question}", ""]
    lines.append("Beantwoord ze in digihulp (werkruimte digicoaches, tab Escalaties).")
    return "\n".join(lines) + "\n"


class DigestFlusher:
    """A daemon thread that sends due digests every `every` seconds while the web app runs."""

    def __init__(self, throttle: MailThrottle, every: float = 60.0) -> None:
        self.throttle, self.every = throttle, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="digihulp-mail-digest", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.throttle.flush_due()
            except Exception:  # a bad minute (database busy, SMTP down) must not end the thread
                log.exception("Sending mail digests failed")
