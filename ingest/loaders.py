"""Read corpus files into validated documents. Every problem becomes a LoadError with a Dutch reason."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.types import DocType
from ingest.documents import MAX_FRONT_MATTER_CHARS, Document, LoadError, load_yaml
from ingest.pdf import load_pdf

log = logging.getLogger(__name__)

TIP_REQUIRED = ("title", "app", "author", "department", "created", "status")
STATUSES = ("active", "retired")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
SKIP_NAMES = {"coaches.yaml", "readme.md", "license.md"}


def discover(corpus: Path) -> list[Path]:
    """All candidate files under the corpus root, sorted for a stable order."""
    found = []
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.suffix.lower() in (".md", ".pdf") and path.name.lower() not in SKIP_NAMES:
            found.append(path)
    return found


def doc_type_for(rel: Path) -> DocType:
    top = rel.parts[0] if len(rel.parts) > 1 else ""
    if rel.suffix.lower() == ".pdf":
        return "handleiding"
    return {"tips": "tip", "overleg": "overleg"}.get(top, "document")  # type: ignore[return-value]


def load(path: Path, corpus: Path, max_bytes: int, max_pages: int) -> Document:
    rel = path.relative_to(corpus)
    size = path.stat().st_size
    if size == 0:
        raise LoadError("Het bestand is leeg.")
    if size > max_bytes:
        raise LoadError(
            f"Het bestand is te groot ({size / 1e6:.1f} MB; maximum {max_bytes / 1e6:g} MB). "
            "Splits het op of verklein het."
        )
    kind = doc_type_for(rel)
    if kind == "handleiding":
        return load_pdf(path, rel.as_posix(), max_pages)
    return load_markdown(read_text(path), rel.as_posix(), kind, fallback_title=path.stem)


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            "Het bestand is geen UTF-8-tekst (misschien opgeslagen als ANSI/Windows-1252). "
            "Sla het op als UTF-8 en probeer opnieuw."
        ) from exc
    if "\x00" in text:
        raise LoadError("Het bestand bevat binaire gegevens en is geen tekstbestand.")
    if not text.strip():
        raise LoadError("Het bestand bevat geen tekst.")
    return text


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body). A file starting with '---' must have a valid block."""
    if not text.startswith("---"):
        return {}, text
    match = FRONT_MATTER.match(text)
    if not match:
        raise LoadError("De kop (front matter) tussen '---' is niet afgesloten met een tweede '---'-regel.")
    if len(match.group(1) or "") > MAX_FRONT_MATTER_CHARS:
        raise LoadError(f"De kop (front matter) is te lang ({len(match.group(1))} tekens; maximum "
                        f"{MAX_FRONT_MATTER_CHARS}). Zet lange tekst onder de kop, niet erin.")
    data = load_yaml(match.group(1) or "", "De kop (front matter)") or {}
    if not isinstance(data, dict):
        raise LoadError("De kop (front matter) moet velden bevatten zoals 'title: ...'.")
    return data, text[match.end():]


def load_markdown(text: str, source: str, kind: DocType, fallback_title: str = "") -> Document:
    front, body = split_front_matter(text)
    if not body.strip():
        raise LoadError("Het document heeft geen inhoud onder de kop.")
    if kind == "tip":
        meta = validate_tip(front)
    elif kind == "overleg":
        meta = validate_meeting(front)
    else:
        meta = {k: _plain(v) for k, v in front.items()
                if k in ("app", "author", "date", "status", "tags") and v not in (None, "", [])}
    title = str(front.get("title") or first_heading(body) or fallback_title).strip()
    doc_id = str(front.get("id") or Path(source).stem) if kind == "tip" else ""
    return Document(source=source, doc_type=kind, title=title, text=body, meta=meta, doc_id=doc_id)


def first_heading(body: str) -> str:
    match = HEADING.search(body)
    return _strip_anchor(match.group(1)) if match else ""


def _strip_anchor(heading: str) -> str:
    # office-nl headings carry '<a name="..."></a>' anchors; they are not part of the title.
    return re.sub(r"<a\s+name=[^>]*>\s*</a>", "", heading).strip()


def validate_tip(front: dict[str, Any]) -> dict[str, Any]:
    missing = [key for key in TIP_REQUIRED if front.get(key) in (None, [], {}) or not str(front[key]).strip()]
    if missing:
        raise LoadError(f"Verplichte velden ontbreken in de kop: {', '.join(missing)}.")
    status = str(front["status"]).strip().lower()
    if status not in STATUSES:
        raise LoadError(f"Ongeldige status '{front['status']}': gebruik 'active' of 'retired'.")
    tags = front.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    if not isinstance(tags, list):
        raise LoadError("Het veld 'tags' moet een lijst zijn, bv. tags: [teams, vergaderen].")
    meta = {
        "app": str(front["app"]), "author": str(front["author"]), "department": str(front["department"]),
        "created": parse_date(front["created"], "created"), "status": status,
        "tags": [str(t) for t in tags if t not in (None, "")],
    }
    if front.get("reviewed") not in (None, ""):
        meta["reviewed"] = parse_date(front["reviewed"], "reviewed")
    return meta


def validate_meeting(front: dict[str, Any]) -> dict[str, Any]:
    if front.get("date") in (None, ""):
        raise LoadError("Verplicht veld 'date' ontbreekt in de kop van het overleg.")
    present = front.get("present") or []
    if not isinstance(present, list):
        raise LoadError("Het veld 'present' moet een lijst met namen zijn.")
    return {"date": parse_date(front["date"], "date"), "present": [str(p) for p in present], "status": "active"}


def parse_date(value: Any, name: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError as exc:
        raise LoadError(f"Ongeldige datum in '{name}': '{value}'. Gebruik JJJJ-MM-DD, bv. 2026-03-14.") from exc


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return value if isinstance(value, str | int | float | bool) else str(value)


def iter_documents(
    corpus: Path, max_bytes: int, max_pages: int
) -> Iterator[tuple[str, Document | None, str]]:
    """Yield (source, document or None, Dutch reason when it failed). Duplicate tip ids fail."""
    seen_ids: dict[str, str] = {}
    for path in discover(corpus):
        source = path.relative_to(corpus).as_posix()
        try:
            doc = load(path, corpus, max_bytes, max_pages)
        except LoadError as exc:
            yield source, None, str(exc)
            continue
        except Exception as exc:  # one bad file never stops the batch
            log.exception("Unexpected error reading %s", source)
            yield source, None, f"Onverwachte fout bij het lezen: {type(exc).__name__}: {exc}"
            continue
        if doc.doc_type == "tip":
            if doc.doc_id in seen_ids:
                yield source, None, f"Tip-id '{doc.doc_id}' komt al voor in {seen_ids[doc.doc_id]}."
                continue
            seen_ids[doc.doc_id] = source
        yield source, doc, ""
