"""Corpus file operations for the coach workspace: list, upload, new tip, retire. Never writes outside the corpus.

Every write is validated with the ingest loaders first and lands atomically (temp file + rename/link).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import stat
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from assistant.config import Settings
from assistant.escalation import mask_pii
from assistant.records import Escalation
from ingest.loaders import (
    FRONT_MATTER,
    Document,
    LoadError,
    discover,
    doc_type_for,
    load_markdown,
    read_text,
    split_front_matter,
)
from ingest.pdf import load_pdf, read_sidecar

log = logging.getLogger(__name__)

FOLDER_FOR = {".md": "tips", ".pdf": "handleidingen"}
STALE_DAYS = 365
_write_lock = threading.Lock()


class CorpusError(ValueError):
    """A Dutch message for the coach: what is wrong and how to fix it."""


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


@dataclass(frozen=True)
class TipDraft:
    title: str
    app: str
    tags: str  # comma separated, as typed
    department: str
    body: str


def slugify(text: str, max_len: int = 70) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:max_len].strip("-")


def safe_filename(name: str) -> str:
    """Refuse folders and '..'; keep ascii letters/digits/dashes and the extension .md or .pdf (lower case)."""
    raw = str(name)
    if any(bad in raw for bad in ("/", "\\", "..", "\x00")) or raw.startswith("."):
        raise CorpusError("Deze bestandsnaam is niet toegelaten: gebruik geen mappen, '..' of een punt vooraan.")
    base = PurePosixPath(raw).name
    stem, dot, ext = base.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext not in FOLDER_FOR:
        raise CorpusError("Alleen .pdf-bestanden (handleidingen) en .md-bestanden (tips) zijn toegelaten.")
    clean = slugify(stem)
    if not clean:
        raise CorpusError("De bestandsnaam moet letters of cijfers bevatten.")
    return clean + ext


def inside_corpus(settings: Settings, rel: str) -> Path:
    root = settings.corpus_dir.resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or target == root:
        raise CorpusError("Deze bestandsnaam is niet toegelaten.")
    return target


def _today() -> dt.date:
    return dt.date.today()


def today_iso() -> str:
    return _today().isoformat()


def _tip_ids(settings: Settings) -> dict[str, str]:
    ids: dict[str, str] = {}
    for path in sorted((settings.corpus_dir / "tips").glob("*.md")):
        try:
            front, _ = split_front_matter(read_text(path))
        except LoadError:
            front = {}
        ids[str(front.get("id") or path.stem)] = path.name
    return ids


def _validate_copy(settings: Settings, data: bytes, rel: str) -> Document:
    with tempfile.TemporaryDirectory(prefix="digihulp-upload-") as tmp:
        copy = Path(tmp) / rel
        copy.parent.mkdir(parents=True)
        copy.write_bytes(data)
        if copy.suffix == ".pdf":
            return load_pdf(copy, rel, settings.max_pdf_pages)
        return load_markdown(read_text(copy), rel, "tip", fallback_title=copy.stem)


def _too_big(size: int, settings: Settings) -> CorpusError:
    return CorpusError(f"Het bestand is te groot ({size / 1e6:.1f} MB; maximum {settings.max_file_mb:g} MB).")


def _read_upload(settings: Settings, src: Path) -> bytes:
    """The uploaded bytes, read once, so what was validated is what gets written. Only a regular file is
    accepted: a symbolic link could point anywhere on the server (and a FIFO would block the worker)."""
    try:
        fd = os.open(src, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if Path(src).is_symlink():
            raise CorpusError("Dit is een snelkoppeling (symbolische link), geen bestand. Kies het bestand zelf.") \
                from exc
        raise CorpusError("Het bestand kan niet gelezen worden. Kies het opnieuw.") from exc
    limit = int(settings.max_file_mb * 1_000_000)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise CorpusError("Dit is geen gewoon bestand. Kies een .pdf- of .md-bestand.")
    with os.fdopen(fd, "rb") as fh:
        if info.st_size > limit:
            raise _too_big(info.st_size, settings)
        data = fh.read(limit + 1)
    if not data:
        raise CorpusError("Het bestand is leeg.")
    if len(data) > limit:
        raise _too_big(len(data), settings)
    return data


def _validated(settings: Settings, src: Path, original_name: str) -> tuple[str, Document, bytes]:
    name = safe_filename(original_name)
    rel = f"{FOLDER_FOR[Path(name).suffix]}/{name}"
    dest = inside_corpus(settings, rel)
    data = _read_upload(settings, Path(src))
    if dest.exists():
        raise CorpusError(f"Er bestaat al een bestand {rel}. Geef je bestand een andere naam.")
    try:
        doc = _validate_copy(settings, data, rel)
    except LoadError as exc:
        raise CorpusError(f"{name}: {exc}") from exc
    if doc.doc_type == "tip" and doc.doc_id in _tip_ids(settings):
        raise CorpusError(f"Tip-id '{doc.doc_id}' bestaat al ({_tip_ids(settings)[doc.doc_id]}). Kies een ander id.")
    return rel, doc, data


def validate_upload(settings: Settings, src: Path, original_name: str) -> tuple[str, Document]:
    rel, doc, _ = _validated(settings, src, original_name)
    return rel, doc


def _write_new(dest: Path, data: bytes) -> None:
    """Write atomically and never overwrite: temp file in the same folder, then a hard link."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.link(tmp, dest)
    except FileExistsError as exc:
        raise CorpusError(f"Er bestaat al een bestand {dest.name}.") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _replace(dest: Path, text: str) -> None:
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, dest)


def accept_upload(settings: Settings, src: Path, original_name: str) -> tuple[str, Document]:
    with _write_lock:
        rel, doc, data = _validated(settings, src, original_name)
        _write_new(inside_corpus(settings, rel), data)
    log.info("Corpus upload accepted: %s", rel)
    return rel, doc


def tip_text(draft: TipDraft, slug: str, author: str, today: dt.date) -> str:
    tags = [t.strip() for t in re.split(r"[,;]", draft.tags) if t.strip()]
    front: dict[str, Any] = {
        "id": slug, "title": " ".join(draft.title.split()), "app": " ".join(draft.app.split()), "tags": tags,
        "author": author, "department": draft.department.strip(), "created": today, "reviewed": today,
        "status": "active",
    }
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return f"---\n{head}---\n{draft.body.strip()}\n"


def write_tip(settings: Settings, draft: TipDraft, author: str) -> str:
    """Validate and save a new active tip; returns its source path (tips/<slug>.md)."""
    if not draft.title.strip() or not draft.app.strip() or not draft.body.strip():
        raise CorpusError("Vul minstens een titel, een app en de tekst van de tip in.")
    base = slugify(draft.title, 60) or "tip"
    with _write_lock:
        taken = _tip_ids(settings)
        slug = next(s for i in range(1, 1000) if (s := base if i == 1 else f"{base}-{i}") not in taken
                    and not (settings.corpus_dir / "tips" / f"{s}.md").exists())
        rel = f"tips/{slug}.md"
        text = tip_text(draft, slug, author, _today())
        try:
            load_markdown(text, rel, "tip")
        except LoadError as exc:
            raise CorpusError(str(exc)) from exc
        _write_new(inside_corpus(settings, rel), text.encode("utf-8"))
    log.info("Tip %s written by %s", rel, author)
    return rel


def write_meeting_note(settings: Settings, day: dt.date, text: str) -> str:
    """Save the notes of a coming meeting (the agenda skeleton) as overleg/<date>-digicoach-overleg.md."""
    rel = f"overleg/{day.isoformat()}-digicoach-overleg.md"
    try:
        load_markdown(text, rel, "overleg")
    except LoadError as exc:
        raise CorpusError(f"{rel}: {exc}") from exc
    with _write_lock:
        _write_new(inside_corpus(settings, rel), text.encode("utf-8"))
    log.info("Meeting notes %s saved", rel)
    return rel


def set_front_matter(settings: Settings, rel: str, key: str, value: str) -> Document:
    """Set one front-matter field of a tip (e.g. status: retired), keeping the rest of the file as it is."""
    if not re.fullmatch(r"tips/[a-z0-9][a-z0-9._-]*\.md", rel or ""):
        raise CorpusError("Kies een tip uit de lijst.")
    path = inside_corpus(settings, rel)
    with _write_lock:
        try:
            text = read_text(path)
        except (OSError, LoadError) as exc:
            raise CorpusError(f"De tip {rel} kan niet gelezen worden.") from exc
        match = FRONT_MATTER.match(text)
        if not match:
            raise CorpusError(f"De tip {rel} heeft geen geldige kop (front matter).")
        block, count = re.subn(rf"(?m)^{key}\s*:.*$", f"{key}: {value}", match.group(1))
        block = block if count else f"{block}\n{key}: {value}"
        new = text[: match.start(1)] + block + text[match.end(1):]
        try:
            doc = load_markdown(new, rel, "tip")
        except LoadError as exc:
            raise CorpusError(f"{rel}: {exc}") from exc
        _replace(path, new)
    log.info("%s: %s set to %s", rel, key, value)
    return doc


def describe(settings: Settings, path: Path) -> DocRow | None:
    """One row of the corpus list (front matter or PDF sidecar only: fast); None if not a corpus file."""
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
        old = dt.date.fromisoformat(reviewed[:10]) < _today() - dt.timedelta(days=STALE_DAYS)
    except ValueError:
        old = kind == "tip"
    return DocRow(rel, kind, str(front.get("title") or path.stem), str(front.get("app") or ""), status, reviewed,
                  str(front.get("author") or front.get("owner") or ""), kind == "tip" and status == "active" and old)


def list_documents(settings: Settings) -> list[DocRow]:
    rows = [_row(settings, p) for p in discover(settings.corpus_dir)]
    return sorted(rows, key=lambda r: (r.doc_type, r.app.casefold(), r.title.casefold()))


def append_eval(path: Path, esc: Escalation, rel: str, coach: str) -> bool:
    """Add the escalated question to the eval set (once per escalation); False if it was already there."""
    entry = {"id": f"esc-{esc.id}", "question": esc.question, "expected_sources": [rel], "answerable": True,
             "department": esc.department, "notes": f"Tip van {coach} uit escalatie #{esc.id}."}
    return append_eval_cases(path, [entry]) == 1


def append_eval_cases(path: Path, entries: list[dict[str, Any]]) -> int:
    """Add eval cases (questions PII-masked here) whose id is not in the set yet; returns how many were added."""
    with _write_lock:
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        taken = {json.loads(line).get("id") for line in existing.splitlines() if line.strip()}
        new = [{**e, "question": mask_pii(str(e["question"]))} for e in entries if e["id"] not in taken]
        if not new:
            return 0
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            if existing and not existing.endswith("\n"):
                fh.write("\n")
            fh.writelines(json.dumps(entry, ensure_ascii=False) + "\n" for entry in new)
    return len(new)
