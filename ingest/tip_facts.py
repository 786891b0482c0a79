"""What the freshness view, the chat page's "nagekeken op" and the meeting agenda need from the corpus files:
the active tips' front matter, the meeting dates in overleg/ and the manuals' apps. Front matter only, never the
index (so a "Nagekeken" shows at once); a file that cannot be read is left to ingest to report."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from assistant.agenda.build import CorpusFacts
from assistant.config import Settings
from assistant.freshness import TipFreshness, interval_for
from ingest.loaders import LoadError, discover, doc_type_for, read_text, split_front_matter
from ingest.pdf import read_sidecar


def read_tip(settings: Settings, path: Path) -> TipFreshness | None:
    """An active tip's facts (None: retired, or not readable)."""
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
            seen: dict[Path, tuple[tuple[int, int], TipFreshness | None]] = {}
            for path in discover(self.settings.corpus_dir):
                if doc_type_for(path.relative_to(self.settings.corpus_dir)) != "tip":
                    continue
                try:
                    info = path.stat()
                except OSError:
                    continue
                stamp = (info.st_mtime_ns, info.st_size)
                kept = self._kept.get(path)
                seen[path] = kept if kept is not None and kept[0] == stamp else (stamp, read_tip(self.settings, path))
                tip = seen[path][1]
                if tip is not None:
                    found.append(tip)
            self._kept = seen
        return found


def read_tips(settings: Settings) -> list[TipFreshness]:
    return TipShelf(settings).tips()


def meeting_dates(corpus: Path) -> list[dt.date]:
    """Dates of every meeting note in the corpus (front matter `date`), oldest first."""
    dates = set()
    for path in discover(corpus):
        if doc_type_for(path.relative_to(corpus)) != "overleg":
            continue
        try:
            front, _ = split_front_matter(read_text(path))
            dates.add(dt.date.fromisoformat(str(front.get("date"))[:10]))
        except (LoadError, OSError, ValueError):
            continue
    return sorted(dates)


def manual_apps(corpus: Path) -> dict[str, str]:
    """The app of every manual (its sidecar), by corpus source."""
    found = {}
    for path in sorted((corpus / "handleidingen").rglob("*.pdf")):
        try:
            app = str(read_sidecar(path).get("app") or "")
        except LoadError:
            continue
        if app:
            found[path.relative_to(corpus).as_posix()] = app
    return found


def corpus_facts(settings: Settings, shelf: TipShelf | None = None) -> CorpusFacts:
    """Everything the agenda reads from the corpus, in one go."""
    tips = (shelf or TipShelf(settings)).tips()
    return CorpusFacts(tips, meeting_dates(settings.corpus_dir), manual_apps(settings.corpus_dir))
