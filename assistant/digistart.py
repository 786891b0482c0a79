"""When is the next Digistart session? Read from what coaches already write: the Digistart tip's rule ("elke eerste
dinsdag van de maand, van 9u tot 11u") and meeting notes that name dates, move a session or cancel a month.

A date a meeting note names in a Digistart sentence replaces the rule's date of that month; a month with "geen
Digistart", or whose session "schuift op", loses the rule's date. Dates after "omdat" are reasons, not sessions.
Pure text functions plus `next_session(texts, today)`; the web page hands in the corpus texts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "laatste": -1}
_MONTH = "|".join(MONTHS)
DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
RULE = re.compile(rf"\b({'|'.join(ORDINALS)})\s+({'|'.join(WEEKDAYS)})\s+van\s+de\s+maand", re.IGNORECASE)
TIME = re.compile(r"\b(\d{1,2}u(?:\d{2})?)\s*(?:tot|-|–)\s*(\d{1,2}u(?:\d{2})?)", re.IGNORECASE)
PLACE = re.compile(r"\b((?:vergader)?zaal\s+[A-Z]?\d[\w.]*\d)", re.IGNORECASE)
CANCELLED = re.compile(rf"(?:\bin\s+({_MONTH})\b[^.;]*\bgeen\s+digistart|\bgeen\s+digistart\b[^.;]*\bin\s+({_MONTH})"
                       rf"|\bdigistart\s+van\s+({_MONTH})\s+(?:schuift|verschuift|wordt\s+verplaatst|vervalt|"
                       r"gaat\s+niet\s+door))", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.;!?])\s+")


@dataclass(frozen=True)
class Source:
    """A corpus text: `kind` is 'tip' or 'overleg'; `day` is a meeting note's date (None for a tip)."""

    path: str
    kind: str
    title: str
    text: str
    day: dt.date | None = None


@dataclass(frozen=True)
class Session:
    day: dt.date
    source: str  # the corpus path that names it (a meeting note for a date, the tip for the rule)
    source_title: str
    time: str = ""  # "9u tot 11u"
    place: str = ""  # "zaal 2.04"


@dataclass(frozen=True)
class _Rule:
    ordinal: int
    weekday: int
    source: Source
    time: str
    place: str


def _plain(text: str) -> str:
    return text.replace("**", "").replace("__", "")


def _year_for(month: int, day: int, year: str | None, written: dt.date) -> dt.date | None:
    try:
        found = dt.date(int(year) if year else written.year, month, day)
    except ValueError:
        return None
    if not year and found < written - dt.timedelta(days=60):  # "12 januari" in a November note: next year
        found = found.replace(year=found.year + 1)
    return found


def _month_of(name: str, written: dt.date) -> tuple[int, int]:
    month = MONTHS.index(name.lower()) + 1
    return (written.year + 1, month) if month < written.month - 1 else (written.year, month)


def _note_facts(note: Source) -> tuple[list[Session], set[tuple[int, int]]]:
    """Sessions a meeting note names, and the (year, month)s it cancels."""
    sessions: list[Session] = []
    cancelled: set[tuple[int, int]] = set()
    written = note.day or dt.date.min
    for line in _plain(note.text).splitlines():
        if "digistart" not in line.lower():
            continue
        for match in CANCELLED.finditer(line):
            cancelled.add(_month_of(next(g for g in match.groups() if g), written))
        for sentence in SENTENCE.split(line):
            sentence = re.split(r"\bomdat\b|\bwant\b", sentence, maxsplit=1, flags=re.IGNORECASE)[0]
            if re.search(r"\bgeen\s+digistart\b", sentence, re.IGNORECASE) and not DATE.search(sentence):
                continue
            time, place = TIME.search(sentence), PLACE.search(sentence)
            hours = f"{time.group(1)} tot {time.group(2)}" if time else ""
            for day, month, year in DATE.findall(sentence):
                found = _year_for(MONTHS.index(month.lower()) + 1, int(day), year, written)
                if found is not None:
                    sessions.append(Session(found, note.path, note.title, hours, place.group(1) if place else ""))
    return sessions, cancelled


def _rule(source: Source) -> _Rule | None:
    text = _plain(source.text)
    lines = text.splitlines() if source.kind == "overleg" else [text]
    for line in lines:
        if source.kind == "overleg" and "digistart" not in line.lower():
            continue
        match = RULE.search(line)
        if match:
            time, place = TIME.search(line), PLACE.search(line)
            return _Rule(ORDINALS[match.group(1).lower()], WEEKDAYS.index(match.group(2).lower()), source,
                         f"{time.group(1)} tot {time.group(2)}" if time else "", place.group(1) if place else "")
    return None


def _nth_weekday(year: int, month: int, ordinal: int, weekday: int) -> dt.date:
    if ordinal > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def next_session(sources: Iterable[Source], today: dt.date) -> Session | None:
    """The first Digistart session on or after `today`, with the text that names it; None if nothing does."""
    sources = [s for s in sources if "digistart" in s.text.lower() or "digistart" in s.title.lower()]
    named: list[Session] = []
    cancelled: set[tuple[int, int]] = set()
    for note in (s for s in sources if s.kind == "overleg"):
        found, gone = _note_facts(note)
        named += found
        cancelled |= gone
    # The tip is the reference; a note's rule only when no tip has one (latest note first).
    ordered = [s for s in sources if s.kind == "tip" and "digistart" in s.title.lower()]
    ordered += sorted((s for s in sources if s.kind == "overleg"), key=lambda s: s.day or dt.date.min, reverse=True)
    rule = next((r for r in map(_rule, ordered) if r is not None), None)
    explicit_months = {(s.day.year, s.day.month) for s in named}
    candidates = [s for s in named if s.day >= today]
    if rule is not None:
        for offset in range(13):
            year, month = today.year + (today.month - 1 + offset) // 12, (today.month - 1 + offset) % 12 + 1
            if (year, month) in cancelled or (year, month) in explicit_months:
                continue
            day = _nth_weekday(year, month, rule.ordinal, rule.weekday)
            if day >= today:
                candidates.append(Session(day, rule.source.path, rule.source.title, rule.time, rule.place))
    if not candidates:
        return None
    first = min(candidates, key=lambda s: (s.day, s.source))
    if rule is not None and (not first.time or not first.place):  # the tip says where and when on the day
        first = Session(first.day, first.source, first.source_title, first.time or rule.time,
                        first.place or rule.place)
    return first
