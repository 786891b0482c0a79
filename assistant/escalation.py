"""Who answers a question the assistant cannot: coach directory, routing, PII masking and mail.

The escalations themselves are stored by `assistant.records`.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.types import Escalation

logger = logging.getLogger(__name__)

RouteReason = Literal["coach", "backup", "coordinator"]
SITES = ("stadhuis", "welzijnshuis")


class CoachFileError(ConfigError, ValueError):
    """coaches.yaml is unreadable or incomplete; a ConfigError so entry points exit with code 2."""


@dataclass(frozen=True)
class Coach:
    name: str
    email: str
    phone: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.name


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    site: str
    location: str
    coach: Coach
    backup: Coach | None
    coach_absent: bool = False


@dataclass(frozen=True)
class Route:
    coach: Coach
    department: Department | None
    reason: RouteReason

    def message(self) -> str:
        """The Dutch sentence telling the colleague who will look at the question."""
        dept = self.department
        if self.reason == "coach" and dept is not None:
            role = f"de digicoach van {dept.name}"
        elif self.reason == "backup" and dept is not None:
            role = f"de back-up-digicoach van {dept.name} ({dept.coach.first_name} is afwezig)"
        elif dept is not None:
            # Known department whose coach is away without a backup: the coordinator steps in.
            role = f"de coördinator van de digicoaches, omdat de digicoach van {dept.name} afwezig is"
        else:
            role = "de coördinator van de digicoaches, omdat we je dienst niet kennen"
        return (
            f"Je vraag ligt bij {self.coach.name}, {role}. "
            f"Je krijgt een antwoord zodra {self.coach.first_name} je vraag bekeken heeft."
        )


def _coach(raw: Any, where: str, origin: str) -> Coach:
    if not isinstance(raw, Mapping):
        raise CoachFileError(
            f"{origin}: {where} moet een blok met name/email/phone zijn (expected a mapping)"
        )
    for key in ("name", "email"):
        if not str(raw.get(key) or "").strip():
            raise CoachFileError(f"{origin}: {where} mist veld '{key}' (missing field)")
    email = str(raw["email"]).strip()
    if "@" not in email:
        raise CoachFileError(f"{origin}: {where}.email '{email}' is geen e-mailadres (invalid e-mail)")
    return Coach(name=str(raw["name"]).strip(), email=email, phone=str(raw.get("phone") or "").strip())


def _department(raw: Any, index: int, origin: str) -> Department:
    where = f"departments[{index}]"
    if not isinstance(raw, Mapping):
        raise CoachFileError(f"{origin}: {where} moet een blok zijn (expected a mapping)")
    for key in ("id", "name", "coach"):
        if not raw.get(key):
            raise CoachFileError(f"{origin}: {where} mist veld '{key}' (missing field)")
    site = str(raw.get("site") or "").strip().lower()
    if site not in SITES:
        raise CoachFileError(
            f"{origin}: {where}.site '{site}' moet stadhuis of welzijnshuis zijn (invalid site)"
        )
    backup, absent = raw.get("backup"), raw.get("coach_absent", False)
    if not isinstance(absent, bool):  # a quoted "false" would otherwise count as absent
        raise CoachFileError(f"{origin}: {where}.coach_absent moet true of false zijn (not a boolean)")
    return Department(
        id=str(raw["id"]).strip(),
        name=str(raw["name"]).strip(),
        site=site,
        location=str(raw.get("location") or "").strip(),
        coach=_coach(raw["coach"], f"{where}.coach", origin),
        backup=_coach(backup, f"{where}.backup", origin) if backup else None,
        coach_absent=absent,
    )


class CoachDirectory:
    """The digicoaches per department plus the coordinator; immutable after loading."""

    def __init__(self, coordinator: Coach, departments: tuple[Department, ...]) -> None:
        self.coordinator = coordinator
        self._departments = departments

    @classmethod
    def load(cls, path: Path) -> CoachDirectory:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CoachFileError(f"{path}: kan het bestand niet lezen (cannot read file): {exc}") from exc
        except yaml.YAMLError as exc:
            raise CoachFileError(f"{path}: ongeldige YAML (invalid YAML): {exc}") from exc
        return cls.from_mapping(data, origin=str(path))

    @classmethod
    def from_mapping(cls, data: Any, origin: str = "coaches") -> CoachDirectory:
        if not isinstance(data, Mapping):
            raise CoachFileError(f"{origin}: verwacht 'coordinator' en 'departments' (expected a mapping)")
        if "coordinator" not in data:
            raise CoachFileError(f"{origin}: mist veld 'coordinator' (missing field)")
        raw_depts = data.get("departments")
        if not isinstance(raw_depts, list):
            raise CoachFileError(f"{origin}: 'departments' moet een lijst zijn (missing or not a list)")
        departments = tuple(_department(raw, i, origin) for i, raw in enumerate(raw_depts))
        seen: set[str] = set()
        for dept in departments:
            # Duplicate ids would make routing depend on file order.
            if dept.id.lower() in seen:
                raise CoachFileError(f"{origin}: dienst '{dept.id}' staat er dubbel in (duplicate id)")
            seen.add(dept.id.lower())
        return cls(_coach(data["coordinator"], "coordinator", origin), departments)

    def departments(self) -> list[Department]:
        return list(self._departments)

    def get(self, dept_id_or_name: str | None) -> Department | None:
        key = (dept_id_or_name or "").strip().casefold()
        if not key:
            return None
        for dept in self._departments:
            if key in (dept.id.casefold(), dept.name.casefold()):
                return dept
        return None

    def route(self, department: str | None) -> Route:
        dept = self.get(department)
        if dept is None:
            return Route(self.coordinator, None, "coordinator")
        if not dept.coach_absent:
            return Route(dept.coach, dept, "coach")
        if dept.backup is not None:
            return Route(dept.backup, dept, "backup")
        return Route(self.coordinator, dept, "coordinator")


# --- PII masking -------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Formatted (85.01.01-123.45, 850101-123-45) or bare 11 digits; the lookarounds keep it off longer numbers.
_RRN_RE = re.compile(r"(?<![\w.+/-])\d{2}\.?\d{2}\.?\d{2}[-\s.]?\d{3}[-\s.]?\d{2}(?![\w-])(?![./]\d)")
_SEP = r"(?:\s?[./-]\s?|\s)?"
# Belgian numbers: 0 + 8 digits (landline), 04 + 8 digits (mobile), or +32/0032 instead of the leading 0.
_PHONE_RE = re.compile(
    rf"(?<![\w+])(?<!\d[./:-])(?:(?:\+|00)32\s?(?:\(0\)\s?)?|0)"
    rf"(?:4\d(?:{_SEP}\d){{7}}|[1-9](?:{_SEP}\d){{7}})(?![\w:])(?![./-]\d)"
)
# A run like 04.02.2026 9 has the digits of a phone number but is a date (and time).
_DATE_RE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}")


def _phone_or_keep(match: re.Match[str]) -> str:
    return match.group(0) if _DATE_RE.search(match.group(0)) else "[telefoon]"


def mask_pii(text: str) -> str:
    """Mask e-mail addresses, Belgian phone numbers and national register numbers."""
    text = _EMAIL_RE.sub("[e-mail]", text)
    text = _RRN_RE.sub("[rijksregisternummer]", text)
    return _PHONE_RE.sub(_phone_or_keep, text)


# --- Mail --------------------------------------------------------------------------------------------------


class Mailer:
    """Sends escalation mails; a mail that cannot be sent is logged, never raised."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password = user, password
        self.starttls, self.timeout = starttls, timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        if not settings.smtp_host.strip():
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    def build_message(self, escalation: Escalation) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = f"Nieuwe vraag voor de digicoach (#{escalation.id})"
        msg["From"] = self.sender
        msg["To"] = escalation.coach_email
        msg.set_content(escalation_body(escalation))
        return msg

    def send_escalation(self, escalation: Escalation) -> bool:
        if not escalation.coach_email:
            logger.warning("escalation #%s has no coach e-mail; no mail sent", escalation.id)
            return False
        return self.send(self.build_message(escalation), f"escalation #{escalation.id}")

    def send(self, msg: EmailMessage, what: str) -> bool:
        """Deliver one message; False (logged) when the server refuses or cannot be reached."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(msg)
        except Exception as exc:  # the question is already stored; a mail failure must not lose it
            logger.warning("mail for %s to %s failed: %s", what, msg["To"], exc)
            return False
        logger.info("mail for %s sent to %s", what, msg["To"])
        return True


def escalation_body(escalation: Escalation) -> str:
    """Plain-text mail body in Dutch for the coach."""
    first = escalation.coach_name.split()[0] if escalation.coach_name.strip() else ""
    lines = [
        f"Dag {first}," if first else "Dag,",
        "",
        "digihulp kon deze vraag niet met zekerheid beantwoorden:",
        "",
        f"  {escalation.question}",
        "",
        f"Dienst: {escalation.department or 'onbekend'}",
        f"Zekerheid: {escalation.confidence:.0%}",
    ]
    if escalation.asker_name or escalation.asker_contact:
        lines.append(f"Gesteld door: {' – '.join(x for x in (escalation.asker_name, escalation.asker_contact) if x)}")
    lines += ["", "Gevonden bronnen:"]
    for i, src in enumerate(escalation.sources, start=1):
        title = src.get("title") or src.get("source") or "?"
        where = f" ({src['source']})" if src.get("source") and src.get("source") != title else ""
        lines.append(f"  [{src.get('n', i)}] {title}{where}")
    if not escalation.sources:
        lines.append("  (geen)")
    lines += ["", "Ontwerp van antwoord:", "", escalation.draft_answer or "(geen)", ""]
    lines.append(f"Beantwoord de vraag in digihulp (vraag #{escalation.id}).")
    return "\n".join(lines) + "\n"

