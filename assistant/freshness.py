"""Tip freshness: who owns a tip, when it is due for review, which overdue tips matter most.

A tip's owner is `owner` in its front matter, else its author. It is due `review_days` (front matter), else
the interval of its app (Settings.review_interval_by_app), else Settings.review_interval_days after `reviewed`
(or `created` when it was never reviewed). Importance = how often answers cited it in the question log over the
last Settings.citation_window_days. Only front matter is read, never the index, so a "Nagekeken" shows at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.records import EscalationStore
from ingest.loaders import LoadError, discover, doc_type_for, read_text, split_front_matter

log = logging.getLogger(__name__)


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


def read_tips(settings: Settings) -> list[TipFreshness]:
    """The corpus's active tips (front matter only; a tip that cannot be read is left to ingest to report)."""
    tips = []
    for path in discover(settings.corpus_dir):
        rel = path.relative_to(settings.corpus_dir)
        if doc_type_for(rel) != "tip":
            continue
        try:
            front, _ = split_front_matter(read_text(path))
        except (LoadError, OSError):
            continue
        if str(front.get("status") or "active").strip().lower() != "active":
            continue
        app, author = str(front.get("app") or ""), str(front.get("author") or "")
        tips.append(TipFreshness(rel.as_posix(), str(front.get("title") or path.stem), app, author,
                                 str(front.get("owner") or author), str(front.get("created") or ""),
                                 str(front.get("reviewed") or ""), interval_for(settings, app, front)))
    return tips


def citation_counts(records: EscalationStore, today: dt.date, days: int) -> Counter[str]:
    """How often each source was cited in an answer, over the last `days` days."""
    since = (today - dt.timedelta(days=days)).isoformat()
    return Counter(src for q in records.questions_between(since) for src in dict.fromkeys(q.cited))


def freshness_rows(tips: Iterable[TipFreshness], citations: Counter[str], coach_names: set[str],
                   today: dt.date) -> list[FreshnessRow]:
    """Overdue tips and tips whose owner is no longer a coach, most cited first (then longest overdue)."""
    known = {n.casefold() for n in coach_names}
    rows = [FreshnessRow(t, citations.get(t.source, 0), t.overdue(today), t.owner.casefold() in known) for t in tips]
    rows = [r for r in rows if r.overdue or not r.owner_known]
    return sorted(rows, key=lambda r: (-r.citations, r.tip.due or dt.date.min, r.tip.source))


class FreshnessMarks:
    """For the chat page: each cited tip's last review date and whether it is overdue. The tips' front matter
    is read again only when a tip file changed (one stat per tip per answer)."""

    def __init__(self, settings: Settings, clock: Any = dt.date.today) -> None:
        self.settings, self.clock = settings, clock
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int], ...] = ()
        self._tips: dict[str, TipFreshness] = {}

    def _signature(self) -> tuple[tuple[str, int], ...]:
        tips = Path(self.settings.corpus_dir) / "tips"
        try:
            return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in tips.rglob("*.md")))
        except OSError:
            return ()

    def lookup(self, sources: Iterable[str]) -> dict[str, tuple[dt.date | None, bool]]:
        signature = self._signature()
        with self._lock:
            if signature != self._stamp:
                self._tips = {t.source: t for t in read_tips(self.settings)}
                self._stamp = signature
            tips = self._tips
        today = self.clock()
        return {s: (tips[s].last_checked, tips[s].overdue(today)) for s in sources if s in tips}
