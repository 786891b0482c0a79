"""What the start pages read from the corpus: the start check, its tips and the Digistart texts, re-read only when a
file changed (a coach's edit shows on the next page view; a broken file gives a notice, never an error page)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from assistant.digistart import Session, Source, next_session
from assistant.startcheck import FILE_NAME, StartCheck, StartcheckError
from ingest.loaders import LoadError, read_text, split_front_matter
from ingest.startcheck_files import load_startcheck, tip_catalog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    check: StartCheck | None  # None: no start check (see `problems` and `missing`)
    problems: tuple[str, ...] = ()
    missing: bool = False  # the corpus has no startcheck.yaml at all
    digistart: tuple[Source, ...] = field(default_factory=tuple)

    def next_digistart(self, today: dt.date) -> Session | None:
        return next_session(self.digistart, today)


class StartContent:
    def __init__(self, corpus_dir: Path) -> None:
        self.corpus = Path(corpus_dir)
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._snapshot = Snapshot(None, missing=True)

    def _signature(self) -> tuple[object, ...]:
        stamps: list[object] = []
        for path in [self.corpus / FILE_NAME, *sorted(self.corpus.glob("tips/**/*.md")),
                     *sorted(self.corpus.glob("overleg/**/*.md"))]:
            try:
                info = path.stat()
                stamps.append((path.name, info.st_mtime_ns, info.st_size))
            except OSError:
                stamps.append((path.name, None))
        return tuple(stamps)

    def current(self) -> Snapshot:
        key = self._signature()
        with self._lock:
            if key != self._key:
                self._snapshot, self._key = self._load(), key
            return self._snapshot

    def _load(self) -> Snapshot:
        texts = tuple(self._digistart_sources())
        try:
            check = load_startcheck(self.corpus, tip_catalog(self.corpus))
        except StartcheckError as exc:
            log.warning("The start check is unavailable: %s", exc)
            return Snapshot(None, tuple(exc.problems), digistart=texts)
        except Exception as exc:  # never an error page for a colleague: a notice, and the log has the rest
            log.exception("Could not read %s", FILE_NAME)
            return Snapshot(None, (f"Onverwachte fout bij het lezen: {type(exc).__name__}.",), digistart=texts)
        return Snapshot(check, missing=check is None, digistart=texts)

    def _digistart_sources(self) -> list[Source]:
        found = []
        for kind, folder in (("tip", "tips"), ("overleg", "overleg")):
            for path in sorted((self.corpus / folder).rglob("*.md")):
                try:
                    front, body = split_front_matter(read_text(path))
                except (LoadError, OSError):
                    continue
                if "digistart" not in body.lower() or str(front.get("status") or "active").lower() != "active":
                    continue
                try:
                    day = dt.date.fromisoformat(str(front.get("date"))[:10]) if kind == "overleg" else None
                except ValueError:
                    continue
                found.append(Source(path.relative_to(self.corpus).as_posix(), kind, str(front.get("title") or ""),
                                    body, day))
        return found
