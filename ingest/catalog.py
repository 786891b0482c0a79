"""The corpus as the coach workspace lists it: one row per file, from its front matter or PDF sidecar only (fast)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from ingest.corpus_files import today
from ingest.loaders import LoadError, discover, doc_type_for, read_text, split_front_matter
from ingest.pdf import read_sidecar

STALE_DAYS = 365


@dataclass(frozen=True)
class DocRow:
    source: str
    doc_type: str
    title: str
    app: str
    status: str
    reviewed: str
    author: str
    stale: bool
    error: str = ""


def describe(settings: Settings, path: Path) -> DocRow | None:
    """One row of the corpus list; None if `path` is not a corpus file."""
    try:
        path.resolve().relative_to(settings.corpus_dir.resolve())
    except ValueError:
        return None
    return _row(settings, path) if path.is_file() else None


def _row(settings: Settings, path: Path) -> DocRow:
    rel = path.relative_to(settings.corpus_dir).as_posix()
    kind = doc_type_for(Path(rel))
    try:
        front = read_sidecar(path) if kind == "handleiding" else split_front_matter(read_text(path))[0]
    except LoadError as exc:
        return DocRow(rel, kind, path.stem, "", "fout", "", "", False, str(exc))
    reviewed = str(front.get("reviewed") or front.get("date") or front.get("created") or "")
    status = str(front.get("status") or "active")
    try:
        old = dt.date.fromisoformat(reviewed[:10]) < today() - dt.timedelta(days=STALE_DAYS)
    except ValueError:
        old = kind == "tip"
    return DocRow(rel, kind, str(front.get("title") or path.stem), str(front.get("app") or ""), status, reviewed,
                  str(front.get("author") or front.get("owner") or ""), kind == "tip" and status == "active" and old)


def list_documents(settings: Settings) -> list[DocRow]:
    rows = [_row(settings, p) for p in discover(settings.corpus_dir)]
    return sorted(rows, key=lambda r: (r.doc_type, r.app.casefold(), r.title.casefold()))
