"""The only module that writes the corpus and the escalation eval set, as `assistant.store` is the only one that
talks to Chroma: coach uploads, new tips, front-matter edits (retire, reviewed), a coach's edit of startcheck.yaml,
the files a tip batch publishes or rolls back, and the eval cases that answered escalations become.

Every write is checked with the ingest loaders first, happens under one lock, and lands atomically
(`assistant.atomic`). The tip-id index is the one ingest uses: every tip under tips/, subfolders included.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import stat
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from assistant.atomic import copy_atomic, write_atomic
from assistant.config import Settings
from assistant.errors import DigihulpError
from assistant.escalation import mask_pii
from assistant.startcheck import FILE_NAME as STARTCHECK_FILE
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
from ingest.pdf import load_pdf
from ingest.startcheck_files import check_text, retire_conflicts

log = logging.getLogger(__name__)

FOLDER_FOR = {".md": "tips", ".pdf": "handleidingen"}
_write_lock = threading.Lock()


class CorpusError(DigihulpError):
    """A Dutch message for the coach: what is wrong and how to fix it."""


@dataclass(frozen=True)
class TipDraft:
    title: str
    app: str
    tags: str  # comma separated, as typed
    department: str
    body: str
    origin: str = ""  # what the tip was written from ("vraag-12", "feedback-5"): saving it again updates it


@dataclass(frozen=True)
class SavedTip:
    rel: str  # tips/<slug>.md, in the corpus or in the batch folder it was written to
    updated: bool  # an earlier save of the same origin was replaced


class _PlainDumper(yaml.SafeDumper):
    """No anchors and aliases (`&id001`, `*id001`): PyYAML writes them for values used twice (created and
    reviewed are the same date), and a coach reading the front matter should see plain values."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


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


def inside_corpus(corpus: Path, rel: str) -> Path:
    root = corpus.resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or target == root:
        raise CorpusError("Deze bestandsnaam is niet toegelaten.")
    return target


def today() -> dt.date:
    return dt.date.today()


def today_iso() -> str:
    return today().isoformat()


# -- reading what the writes check against ---------------------------------------------------------------
def tip_ids(corpus: Path) -> dict[str, str]:
    """tip id -> corpus path of every tip ingest indexes (subfolders of tips/ too); the first one wins, as in
    ingest, which refuses the later duplicates."""
    found: dict[str, str] = {}
    for path in discover(corpus):
        rel = path.relative_to(corpus)
        if doc_type_for(rel) != "tip":
            continue
        try:
            front, _ = split_front_matter(read_text(path))
        except LoadError:
            front = {}  # ingest reports broken tips; here they can only be found by their file name
        found.setdefault(str(front.get("id") or path.stem), rel.as_posix())
    return found


def with_front_matter_field(text: str, key: str, value: str) -> str:
    """The file with `key: value` in its front matter (replacing the key's line, else added at the end); the rest
    of the file stays as it was, byte for byte. LoadError when the file has no front matter."""
    match = FRONT_MATTER.match(text)
    if not match or match.group(1) is None:
        raise LoadError(f"De tip heeft geen kop (front matter) om '{key}: {value}' in te zetten.")
    line = f"{key}: {value}"
    # Every line of the key: with a duplicate key YAML keeps the last one, so replacing only the first would not do.
    head, found = re.subn(rf"(?m)^{re.escape(key)}[ \t]*:.*$", lambda _: line, match.group(1))
    if not found:
        head = f"{head}\n{line}"
    return text[:match.start(1)] + head + text[match.end(1):]


# -- coach uploads and new tips ---------------------------------------------------------------------------
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
    dest = inside_corpus(settings.corpus_dir, rel)
    data = _read_upload(settings, Path(src))
    if dest.exists():
        raise CorpusError(f"Er bestaat al een bestand {rel}. Geef je bestand een andere naam.")
    try:
        doc = _validate_copy(settings, data, rel)
    except LoadError as exc:
        raise CorpusError(f"{name}: {exc}") from exc
    taken = tip_ids(settings.corpus_dir) if doc.doc_type == "tip" else {}
    if doc.doc_id in taken:
        raise CorpusError(f"Tip-id '{doc.doc_id}' bestaat al ({taken[doc.doc_id]}). Kies een ander id.")
    return rel, doc, data


def _write_new(dest: Path, data: bytes) -> None:
    try:
        write_atomic(dest, data, overwrite=False)
    except FileExistsError as exc:
        raise CorpusError(f"Er bestaat al een bestand {dest.name}.") from exc


def accept_upload(settings: Settings, src: Path, original_name: str) -> tuple[str, Document]:
    with _write_lock:
        rel, doc, data = _validated(settings, src, original_name)
        _write_new(inside_corpus(settings.corpus_dir, rel), data)
    log.info("Corpus upload accepted: %s", rel)
    return rel, doc


def tip_text(draft: TipDraft, slug: str, author: str, day: dt.date, created: dt.date | None = None) -> str:
    tags = [t.strip() for t in re.split(r"[,;]", draft.tags) if t.strip()]
    front: dict[str, Any] = {
        "id": slug, "title": " ".join(draft.title.split()), "app": " ".join(draft.app.split()), "tags": tags,
        "author": author, "department": draft.department.strip(), "created": created or day, "reviewed": day,
        "status": "active",
    }
    if draft.origin:
        front["origin"] = draft.origin
    head = yaml.dump(front, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, default_flow_style=None,
                     width=1000)
    return f"---\n{head}---\n{draft.body.strip()}\n"


def _tip_fronts(root: Path) -> dict[str, dict[str, Any]]:
    """corpus path -> front matter of every tip under `root` (a corpus or a batch folder)."""
    found: dict[str, dict[str, Any]] = {}
    for path in discover(root):
        rel = path.relative_to(root)
        if doc_type_for(rel) != "tip":
            continue
        try:
            found[rel.as_posix()] = split_front_matter(read_text(path))[0]
        except LoadError:
            found[rel.as_posix()] = {}
    return found


def _earlier(fronts: dict[str, dict[str, Any]], origin: str) -> tuple[str, dict[str, Any]] | None:
    return next(((rel, f) for rel, f in fronts.items() if origin and str(f.get("origin") or "") == origin), None)


def write_tip(settings: Settings, draft: TipDraft, author: str, batch_dir: Path | None = None) -> SavedTip:
    """Validate and save an active tip, in the corpus or (`batch_dir`) in a batch that the gate publishes.

    Idempotent per origin: a second save of a tip from the same question (a double click, or a correction)
    replaces the first one, in the corpus or in the batch, keeping its id; it never writes `<slug>-2.md`.
    """
    if not draft.title.strip() or not draft.app.strip() or not draft.body.strip():
        raise CorpusError("Vul minstens een titel, een app en de tekst van de tip in.")
    root = Path(batch_dir) if batch_dir is not None else settings.corpus_dir
    with _write_lock:
        live = _tip_fronts(settings.corpus_dir)
        staged = _tip_fronts(root) if batch_dir is not None else {}
        earlier = _earlier(staged, draft.origin) or _earlier(live, draft.origin)
        if earlier is not None:
            slug = str(earlier[1].get("id") or Path(earlier[0]).stem)
            rel = earlier[0] if (root / earlier[0]).is_file() else f"tips/{slug}.md"
            created = _date(earlier[1].get("created"))
        else:
            base = slugify(draft.title, 60) or "tip"
            taken = tip_ids(settings.corpus_dir) | ({} if batch_dir is None else tip_ids(root))
            slug = next(s for i in range(1, 1000) if (s := base if i == 1 else f"{base}-{i}") not in taken
                        and not (root / "tips" / f"{s}.md").exists())
            rel, created = f"tips/{slug}.md", None
        text = tip_text(draft, slug, author, today(), created)
        try:
            load_markdown(text, rel, "tip")
        except LoadError as exc:
            raise CorpusError(str(exc)) from exc
        dest = (root / rel) if batch_dir is not None else inside_corpus(settings.corpus_dir, rel)
        if dest.is_file():
            write_atomic(dest, text)
        else:
            _write_new(dest, text.encode("utf-8"))
    log.info("Tip %s %s by %s%s", rel, "updated" if earlier else "written", author,
             f" in batch {root}" if batch_dir is not None else "")
    return SavedTip(rel, earlier is not None)


def _date(value: Any) -> dt.date | None:
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def write_meeting_note(settings: Settings, day: dt.date, text: str) -> str:
    """Save the notes of a coming meeting (the agenda's skeleton) as overleg/<date>-digicoach-overleg.md."""
    rel = f"overleg/{day.isoformat()}-digicoach-overleg.md"
    try:
        load_markdown(text, rel, "overleg")
    except LoadError as exc:
        raise CorpusError(f"{rel}: {exc}") from exc
    with _write_lock:
        _write_new(inside_corpus(settings.corpus_dir, rel), text.encode("utf-8"))
    log.info("Meeting notes %s saved", rel)
    return rel


def set_front_matter(settings: Settings, rel: str, key: str, value: str) -> Document:
    """Set one front-matter field of a tip (e.g. status: retired), keeping the rest of the file as it is."""
    if not re.fullmatch(r"tips/(?:[a-z0-9][a-z0-9._-]*/)*[a-z0-9][a-z0-9._-]*\.md", rel or ""):
        raise CorpusError("Kies een tip uit de lijst.")
    path = inside_corpus(settings.corpus_dir, rel)
    with _write_lock:
        try:
            text = read_text(path)
        except (OSError, LoadError) as exc:
            raise CorpusError(f"De tip {rel} kan niet gelezen worden.") from exc
        try:
            new = with_front_matter_field(text, key, value)
        except LoadError as exc:
            raise CorpusError(f"De tip {rel} heeft geen geldige kop (front matter).") from exc
        try:
            doc = load_markdown(new, rel, "tip")
        except LoadError as exc:
            raise CorpusError(f"{rel}: {exc}") from exc
        needed = retire_conflicts(settings.corpus_dir, [rel], {}) if not doc.active else {}
        if needed:  # as the tip-batch gate: a start-check path would lose the tip
            raise CorpusError(next(iter(needed.values())))
        write_atomic(path, new)
    log.info("%s: %s set to %s", rel, key, value)
    return doc


def write_startcheck(settings: Settings, text: str, coach: str) -> int:
    """A coach's edit of startcheck.yaml, written only when it is valid (StartcheckError lists every problem in
    Dutch); the number of questions. /start shows the new version on its next page view."""
    text = text.replace("\r\n", "\n")
    with _write_lock:
        check = check_text(settings.corpus_dir, text)
        write_atomic(settings.corpus_dir / STARTCHECK_FILE, text.encode("utf-8"))
    log.info("%s saved by %s", STARTCHECK_FILE, coach)
    return len(check.items) + sum(1 for area in check.areas if area.question)


# -- tip batches: publish and roll back ------------------------------------------------------------------
def put_file(corpus: Path, rel: str, source: Path) -> None:
    """Place a (checked) batch file at `rel` in the corpus, replacing what is there in one step."""
    with _write_lock:
        copy_atomic(source, inside_corpus(corpus, rel))


def remove_file(corpus: Path, rel: str) -> None:
    """Take a file a batch had added out of the corpus again (rollback)."""
    with _write_lock:
        inside_corpus(corpus, rel).unlink(missing_ok=True)


# -- the escalation eval set ------------------------------------------------------------------------------
def add_escalation_case(path: Path, escalation_id: int | str, question: str, tip_source: str,
                        department: str | None, coach: str = "", prefix: str = "esc") -> bool:
    """Add an answered escalation (prefix 'esc') or a 👎 answer a coach turned into a tip ('fb') to the eval set the
    batch gate runs, once per case (False when it is already there). Personal data in the question is masked, as
    in every other record of a question."""
    origin = "escalation" if prefix == "esc" else "feedback"
    record = {"id": f"{prefix}-{escalation_id}", "question": question, "expected_sources": [tip_source],
              "answerable": True, "department": department or None,
              "notes": f"from {origin} {escalation_id}" + (f"; tip by {coach}" if coach else "")}
    return add_eval_cases(path, [record]) == 1


def add_eval_cases(path: Path, records: list[dict[str, Any]]) -> int:
    """Add eval cases ({"id", "question", "expected_sources", ...}) whose id is not in the set yet, questions
    PII-masked; returns how many were added. Gap cards add their questions here once their tip is live."""
    cases = []
    for record in records:
        question, sources = str(record.get("question") or "").strip(), [str(s).strip() for s in
                                                                         record.get("expected_sources") or []]
        if not question or not any(sources):
            raise CorpusError("Een evalvraag heeft een vraag en de tip met het juiste antwoord nodig.")
        cases.append({**record, "question": mask_pii(question), "expected_sources": sources})
    path = Path(path)
    with _write_lock:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        taken = _dataset_ids(text)
        new = [c for c in cases if str(c["id"]) not in taken]
        if new:
            lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in new)
            write_atomic(path, text + ("\n" if text and not text.endswith("\n") else "") + lines)
    return len(new)


def _dataset_ids(text: str) -> set[str]:
    ids = set()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the gate's dataset check reports broken lines; here they only cannot match
        if isinstance(record, dict):
            ids.add(str(record.get("id")))
    return ids
