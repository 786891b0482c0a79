"""Tip freshness: who owns a tip, when it is due for review, which overdue tips matter most.

A tip's owner is `owner` in its front matter, else its author. It is due `review_days` (front matter), else
the interval of its app (Settings.review_interval_by_app), else Settings.review_interval_days after `reviewed`
(or `created` when it was never reviewed). Importance = how often answers cited it in the question log over the
last Settings.citation_window_days. The facts come from the tips' front matter (ingest.tip_facts reads it), never
from the index, so a "Nagekeken" shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from assistant.records import EscalationStore, LoggedQuestion


@dataclass(frozen=True)
class TipFreshness:
    source: str
    title: str
    app: str
    author: str
    owner: str
    created: str
    reviewed: str  # '' when never reviewed
    interval_days: int

    @property
    def last_checked(self) -> dt.date | None:
        return _date(self.reviewed) or _date(self.created)

    @property
    def due(self) -> dt.date | None:
        checked = self.last_checked
        return checked + dt.timedelta(days=self.interval_days) if checked else None

    def overdue(self, today: dt.date) -> bool:
        due = self.due
        return due is None or due < today


@dataclass(frozen=True)
class FreshnessRow:
    tip: TipFreshness
    citations: int
    overdue: bool
    owner_known: bool


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def interval_for(settings: Settings, app: str, front: dict[str, Any]) -> int:
    try:
        own = int(front.get("review_days") or 0)
    except (TypeError, ValueError):
        own = 0
    by_app = {k.casefold(): v for k, v in settings.review_interval_by_app.items()}
    return own if own > 0 else int(by_app.get(app.casefold(), settings.review_interval_days))


def citation_counts(records: EscalationStore, today: dt.date, days: int) -> Counter[str]:
    """How often each source was cited in an answer, over the last `days` days."""
    return count_citations(records.questions_between((today - dt.timedelta(days=days)).isoformat()))


def count_citations(questions: Iterable[LoggedQuestion]) -> Counter[str]:
    """Answers that cited each source (a source cited twice in one answer counts once)."""
    return Counter(src for q in questions for src in dict.fromkeys(q.cited))


def freshness_rows(tips: Iterable[TipFreshness], citations: Counter[str], coach_names: set[str],
                   today: dt.date) -> list[FreshnessRow]:
    """Overdue tips and tips whose owner is no longer a coach, most cited first (then longest overdue)."""
    known = {n.casefold() for n in coach_names}
    rows = [FreshnessRow(t, citations.get(t.source, 0), t.overdue(today), t.owner.casefold() in known) for t in tips]
    rows = [r for r in rows if r.overdue or not r.owner_known]
    return sorted(rows, key=lambda r: (-r.citations, r.tip.due or dt.date.min, r.tip.source))


class FreshnessMarks:
    """For the chat page: each cited tip's last review date and whether it is overdue. `tips` gives the tips'
    current facts (ingest.tip_facts.TipShelf: a stat per tip, front matter parsed again only for a changed file)."""

    def __init__(self, tips: Callable[[], Sequence[TipFreshness]], clock: Callable[[], dt.date] = dt.date.today
                 ) -> None:
        self.tips, self.clock = tips, clock

    def lookup(self, sources: Iterable[str]) -> dict[str, tuple[dt.date | None, bool]]:
        tips = {t.source: t for t in self.tips()}
        today = self.clock()
        return {s: (tips[s].last_checked, tips[s].overdue(today)) for s in sources if s in tips}
