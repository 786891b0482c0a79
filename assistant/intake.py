"""What happens to a question that goes to a digicoach: merged into an open duplicate, refused over the
client's limit, or stored, fingerprinted and mailed (throttled). The Assistant turns the outcome into words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from assistant.duplicates import DuplicateFinder, Repeats
from assistant.errors import StorageError
from assistant.escalation import Coach, CoachDirectory, Route
from assistant.mail import Mailer
from assistant.maildigest import MailThrottle
from assistant.ratelimit import Client, Clock, EscalationLimiter, Verdict
from assistant.records import EscalationStore
from assistant.types import Escalation

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """One question to pass on: what the colleague asked and what digihulp found for it."""

    question: str
    department: str | None
    sources: Sequence[Mapping[str, Any]]
    draft: str
    confidence: float
    asker_name: str = ""
    asker_contact: str = ""
    vector: np.ndarray | None = None
    client: Client | None = None  # None: not from the web (the command line), so never limited
    shown_unsure: bool = False  # asked from an answer shown under "niet zeker"; draft is what was shown


@dataclass(frozen=True)
class Outcome:
    route: Route
    escalation_id: int | None = None  # the new one, or the one merged into
    merged: Escalation | None = None  # set when the question repeated an open escalation
    repeats: Repeats | None = None
    refused: Verdict | None = None  # set when the client is over a limit


class Intake:
    def __init__(self, directory: CoachDirectory, records: EscalationStore, limiter: EscalationLimiter | None = None,
                 duplicates: DuplicateFinder | None = None, mailer: Mailer | None = None,
                 throttle: MailThrottle | None = None) -> None:
        self.directory, self.records = directory, records
        self.limiter, self.duplicates = limiter, duplicates
        self.mailer, self.throttle = mailer, throttle

    @classmethod
    def from_settings(cls, settings: Settings, directory: CoachDirectory, records: EscalationStore,
                      mailer: Mailer | None, clock: Clock = time.time) -> Intake:
        """Limits, duplicate merging and (with a mailer) mail throttling, all on the one SQLite database."""
        db = settings.db_path
        throttle = (MailThrottle(mailer, records.get, db, settings.mail_throttle_minutes, clock)
                    if mailer is not None else None)
        duplicates = (DuplicateFinder(db, settings.duplicate_similarity, settings.duplicate_hours, clock)
                      if settings.merge_duplicates else None)
        return cls(directory, records, EscalationLimiter.from_settings(settings, clock), duplicates, mailer, throttle)

    def pass_on(self, req: Request) -> Outcome:
        """Raises StorageError when the escalation could not be stored (nothing is acknowledged then)."""
        route = self.directory.route(req.department)
        dept = route.department.id if route.department is not None else (req.department or "").strip()
        browser = req.client.browser if req.client is not None else ""
        merged = self._merge(req, dept, browser)
        if merged is not None:
            return Outcome(route, merged[0].id, merged=merged[0], repeats=merged[1])
        verdict = self.limiter.take(req.client) if self.limiter is not None and req.client is not None else None
        if verdict is not None and not verdict.allowed:
            return Outcome(route, refused=verdict)
        try:
            escalation_id = self.records.create(
                question=req.question, department=req.department or "", route=route, sources=req.sources,
                draft=req.draft, confidence=req.confidence, asker_name=req.asker_name, asker_contact=req.asker_contact,
                shown_unsure=req.shown_unsure)
        except StorageError:
            if verdict is not None and self.limiter is not None:
                self.limiter.release(verdict)
            raise
        self._fingerprint(escalation_id, req, browser, dept)
        self.mail(escalation_id)
        return Outcome(route, escalation_id)

    def _merge(self, req: Request, dept: str, browser: str) -> tuple[Escalation, Repeats] | None:
        if self.duplicates is None:
            return None
        try:
            match = self.duplicates.find(req.question, req.vector, browser, dept, self._is_open)
            if match is None:
                return None
            existing = self.records.get(match.escalation_id)
            if existing is None:
                return None
            asker = " – ".join(x for x in (req.asker_name, req.asker_contact) if x)
            repeats = self.duplicates.add_repeat(match.escalation_id, browser, asker)
        except StorageError as exc:  # a missed merge costs a duplicate, not the question
            log.warning("Duplicate check skipped: %s", exc)
            return None
        log.info("question merged into escalation #%d (%s, %.3f)", match.escalation_id, match.how, match.similarity)
        return existing, repeats

    def _is_open(self, escalation_id: int) -> bool:
        found = self.records.get(escalation_id)
        return found is not None and found.status == "open"

    def _fingerprint(self, escalation_id: int, req: Request, browser: str, dept: str) -> None:
        if self.duplicates is None:
            return
        try:
            self.duplicates.remember(escalation_id, req.question, req.vector, browser, dept)
        except StorageError as exc:  # the escalation is stored; only its later duplicates would be missed
            log.warning("Fingerprint of escalation #%d not stored: %s", escalation_id, exc)

    def mail(self, escalation_id: int) -> None:
        """Tell the coach of a stored escalation (now, or in the next digest); also for questions a coach forwards."""
        if self.mailer is None:
            return
        escalation = self.records.get(escalation_id)
        if escalation is None:
            return
        try:
            if self.throttle is not None:
                self.throttle.notify(escalation)
            else:
                self.mailer.send_escalation(escalation)
        except StorageError as exc:  # the question is stored and in the queue; the mail is a courtesy
            log.warning("Mail for escalation #%d not handled: %s", escalation_id, exc)


STATUS_NL = {"open": "nog open", "answered": "beantwoord", "closed": "gesloten"}


def merged_notice(existing: Escalation, repeats: Repeats | None) -> str:
    """Dutch: the question is already with a coach; it was noted that it came again."""
    first = existing.coach_name.split()[0] if existing.coach_name.strip() else "de digicoach"
    times = f" (nu {repeats.count + 1} keer gesteld)" if repeats is not None else ""
    return (f"Deze vraag ligt al bij {existing.coach_name} als vraag #{existing.id} "
            f"({STATUS_NL.get(existing.status, existing.status)}, gesteld op {_when(existing.created_at)}). "
            f"We noteerden dat ze nog eens gevraagd werd{times}; een nieuwe vraag is niet nodig. "
            f"Je ziet het antwoord hier zodra {first} ze bekeken heeft.")


def over_limit_notice(coach: Coach, verdict: Verdict | None) -> str:
    """Dutch: no new escalation now, and how to reach the coach directly."""
    limit = verdict.limit if verdict is not None else None
    how_many = f"{limit.describe()} al {limit.count} vragen" if limit is not None else "al veel vragen"
    wait = ""
    if verdict is not None and verdict.retry_after > 0:
        minutes = max(1, round(verdict.retry_after / 60))
        wait = f" over {minutes} minuut" if minutes == 1 else f" over {minutes} minuten"
        if minutes >= 120:
            wait = f" over {round(minutes / 60)} uur"
    phone = f" of bel {coach.phone}" if coach.phone else ""
    return (f"Vanaf deze computer werden {how_many} aan de digicoaches doorgegeven. Nieuwe vragen doorgeven kan "
            f"pas weer{wait}, zodat de digicoach de vragen die er al zijn eerst kan bekijken. Is het dringend? "
            f"Contacteer je digicoach {coach.name} rechtstreeks: mail naar {coach.email}{phone}.")


def _when(iso: str) -> str:
    """'30/11 om 23:40', Belgian time."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso or "eerder"
    with suppress(Exception):  # no tz database: show UTC
        moment = moment.astimezone(ZoneInfo("Europe/Brussels"))
    return f"{moment:%d/%m} om {moment:%H:%M}"
