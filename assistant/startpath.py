"""From a colleague's start-check answers to their personal tip path.

Areas rated lowest come first (ties: a missed knowledge question first, then the file's order); within an area the
items and their tips keep the file's order, which coaches write basics first. The path starts with the check's
`start_tips`, ends with its `end_tips` (the colleague's digicoach follows on the page) and never holds more than
`max_tips` tips; what does not fit is kept for the re-check. Pure functions: the web page, the tests and the path
benchmark all call `build_path`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.startcheck import Item, StartCheck

START, END = "_start", "_einde"  # section names no area id can take (ids have no underscore)
RECHECK_MONTHS = 3


@dataclass(frozen=True)
class Answers:
    ratings: Mapping[str, int]  # item id -> index in check.answers (0 = lowest)
    knowledge: Mapping[str, int]  # area id -> chosen option of its knowledge question

    def missing(self, check: StartCheck) -> list[str]:
        """Ids of the items and areas (knowledge question) without a valid answer, in page order."""
        gaps = []
        for area in check.areas:
            gaps += [i.id for i in area.items if not 0 <= self.ratings.get(i.id, -1) < len(check.answers)]
            if area.question and not 0 <= self.knowledge.get(area.id, -1) < len(area.question.options):
                gaps.append(area.id)
        return gaps


@dataclass(frozen=True)
class AreaLevel:
    area: str
    score: float  # mean self-rating, 0 .. len(answers) - 1
    knowledge_ok: bool | None = None  # None: the area has no knowledge question


@dataclass(frozen=True)
class Section:
    area: str  # an area id, START or END
    tips: tuple[str, ...]


@dataclass(frozen=True)
class TipPath:
    sections: tuple[Section, ...]
    levels: tuple[AreaLevel, ...]  # lowest first: the order of the path
    cut: tuple[str, ...] = ()  # tips that did not fit under max_tips

    @property
    def tips(self) -> list[str]:
        return [tip for section in self.sections for tip in section.tips]


def area_levels(check: StartCheck, answers: Answers) -> list[AreaLevel]:
    """Every area's level, lowest first."""
    levels = []
    for area in check.areas:
        ratings = [answers.ratings.get(item.id, 0) for item in area.items]
        score = round(sum(ratings) / len(ratings), 2) if ratings else 0.0
        ok = None if area.question is None else answers.knowledge.get(area.id) == area.question.correct
        levels.append(AreaLevel(area.id, score, ok))
    order = {area.id: i for i, area in enumerate(check.areas)}
    return sorted(levels, key=lambda lv: (lv.score, lv.knowledge_ok is not False, order[lv.area]))


def _item_tips(check: StartCheck, item: Item, rating: int) -> tuple[str, ...]:
    rule = check.answers[max(0, min(rating, len(check.answers) - 1))].path
    return item.tips if rule == "all" else item.tips[:1] if rule == "first" else ()


def build_path(check: StartCheck, answers: Answers) -> TipPath:
    levels = area_levels(check, answers)
    reserved = set(check.start_tips) | set(check.end_tips)
    budget = check.max_tips - len(check.start_tips) - len(check.end_tips)
    sections, seen, cut = [Section(START, check.start_tips)], set(reserved), []
    for level in levels:
        area = check.area(level.area)
        if area is None:
            continue
        wanted = [t for item in area.items for t in _item_tips(check, item, answers.ratings.get(item.id, 0))]
        if area.question is not None and level.knowledge_ok is False:
            wanted.append(area.question.tip)
        fresh = [t for t in dict.fromkeys(wanted) if t not in seen]
        seen.update(fresh)
        take, rest = fresh[:max(budget, 0)], fresh[max(budget, 0):]
        budget -= len(take)
        cut += rest
        if take:
            sections.append(Section(area.id, tuple(take)))
    sections.append(Section(END, check.end_tips))
    return TipPath(tuple(s for s in sections if s.tips), tuple(levels), tuple(cut))


def level_label(check: StartCheck, score: float) -> str:
    """The answer nearest to a mean score, e.g. 1.5 -> 'zelfstandig' (halves round up)."""
    if not check.answers:
        return ""
    return check.answers[max(0, min(int(score + 0.5), len(check.answers) - 1))].label


def recheck_due(checked_on: dt.date) -> dt.date:
    """Three months after a check (the last day of a shorter month when the day does not exist)."""
    month = checked_on.month - 1 + RECHECK_MONTHS
    year, month = checked_on.year + month // 12, month % 12 + 1
    for day in range(checked_on.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(checked_on.day, 28))
