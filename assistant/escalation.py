"""Who answers a question the assistant cannot: coach directory, routing and PII masking.

The escalations themselves are stored by `assistant.records`; mail is `assistant.mail`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.errors import ConfigError

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
    answer_days: int | None = None  # "meestal binnen … werkdagen" for this coach; None = the directory's default

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
    aliases: tuple[str, ...] = ()  # other names colleagues search for it by ("OCMW", "sociaal huis", ...)


def expected_answer(days: int | None) -> str:
    """'meestal binnen 2 werkdagen' ('' when coaches.yaml sets no answer time)."""
    if not days:
        return ""
    return f"meestal binnen {days} werkdag" + ("" if days == 1 else "en")


@dataclass(frozen=True)
class Route:
    coach: Coach
    department: Department | None
    reason: RouteReason
    answer_days: int | None = None  # how soon this coach usually answers (per coach, else the default)

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
        when = expected_answer(self.answer_days)
        return (
            f"Je vraag ligt bij {self.coach.name}, {role}. "
            f"Je krijgt een antwoord zodra {self.coach.first_name} je vraag bekeken heeft"
            + (f", {when}." if when else ".")
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
    return Coach(name=str(raw["name"]).strip(), email=email, phone=str(raw.get("phone") or "").strip(),
                 answer_days=_days(raw.get("answer_days"), f"{where}.answer_days", origin))


def _days(raw: Any, where: str, origin: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 30:
        raise CoachFileError(f"{origin}: {where} moet een aantal werkdagen van 1 tot 30 zijn, bv. 2 "
                             "(invalid answer_days)")
    return raw


def _aliases(raw: Any, where: str, origin: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(a, str | int) for a in raw):
        raise CoachFileError(f"{origin}: {where}.aliases moet een lijst met namen zijn, bv. [OCMW, sociaal huis] "
                             "(expected a list)")
    return tuple(dict.fromkeys(str(a).strip() for a in raw if str(a).strip()))


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
        aliases=_aliases(raw.get("aliases"), where, origin),
    )


class CoachDirectory:
    """The digicoaches per department plus the coordinator; immutable after loading."""

    def __init__(self, coordinator: Coach, departments: tuple[Department, ...],
                 answer_days: int | None = None) -> None:
        self.coordinator = coordinator
        self._departments = departments
        self.answer_days = answer_days  # the default "meestal binnen … werkdagen"

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
        return cls(_coach(data["coordinator"], "coordinator", origin), departments,
                   _days(data.get("answer_days"), "answer_days", origin))

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

    def days_for(self, coach: Coach | str) -> int | None:
        """How soon `coach` (or the coach of that name) usually answers: their own answer_days, else the default."""
        if isinstance(coach, str):
            coach = self.coach_named(coach) or Coach(coach, "-@-")
        return coach.answer_days or self.answer_days

    def coach_named(self, name: str) -> Coach | None:
        key = (name or "").strip().casefold()
        everyone = [self.coordinator] + [c for d in self._departments for c in (d.coach, d.backup) if c]
        # The same person may be listed in several departments; one who sets answer_days anywhere counts.
        found = sorted((c for c in everyone if c.name.casefold() == key), key=lambda c: c.answer_days is None)
        return found[0] if found else None

    def route(self, department: str | None) -> Route:
        dept = self.get(department)
        reason: RouteReason
        if dept is None:
            coach, reason = self.coordinator, "coordinator"
        elif not dept.coach_absent:
            coach, reason = dept.coach, "coach"
        elif dept.backup is not None:
            coach, reason = dept.backup, "backup"
        else:
            coach, reason = self.coordinator, "coordinator"
        return Route(coach, dept, reason, self.days_for(coach))


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
