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
from assistant.records import EscalationStore, LoggedQuestion
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
    return TipShelf(settings).tips()


def _tip(settings: Settings, path: Path) -> TipFreshness | None:
    try:
        front, _ = split_front_matter(read_text(path))
    except (LoadError, OSError):
        return None
    if str(front.get("status") or "active").strip().lower() != "active":
        return None
    app, author = str(front.get("app") or ""), str(front.get("author") or "")
    return TipFreshness(path.relative_to(settings.corpus_dir).as_posix(), str(front.get("title") or path.stem), app,
                        author, str(front.get("owner") or author), str(front.get("created") or ""),
                        str(front.get("reviewed") or ""), interval_for(settings, app, front))


class TipShelf:
    """The active tips' facts, kept per file and read again only when that file changed (a stat per tip):
    parsing every tip's front matter costs more than the rest of a view together."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._kept: dict[Path, tuple[tuple[int, int], TipFreshness | None]] = {}

    def tips(self) -> list[TipFreshness]:
        found: list[TipFreshness] = []
        with self._lock:
            seen = {}
            for path in discover(self.settings.corpus_dir):
                if doc_type_for(path.relative_to(self.settings.corpus_dir)) != "tip":
                    continue
                try:
                    info = path.stat()
                except OSError:
                    continue
                stamp = (info.st_mtime_ns, info.st_size)
                kept = self._kept.get(path)
                seen[path] = kept if kept is not None and kept[0] == stamp else (stamp, _tip(self.settings, path))
                if seen[path][1] is not None:
                    found.append(seen[path][1])  # type: ignore[arg-type]
            self._kept = seen
        return found


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
    """For the chat page: each cited tip's last review date and whether it is overdue (a stat per tip per answer;
    front matter is parsed again only for a changed file)."""

    def __init__(self, settings: Settings, clock: Any = dt.date.today) -> None:
        self.shelf, self.clock = TipShelf(settings), clock

    def lookup(self, sources: Iterable[str]) -> dict[str, tuple[dt.date | None, bool]]:
        tips = {t.source: t for t in self.shelf.tips()}
        today = self.clock()
        return {s: (tips[s].last_checked, tips[s].overdue(today)) for s in sources if s in tips}
