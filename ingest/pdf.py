"""PDF manuals: text per page with pypdf, plus an optional sidecar `name.yml`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from ingest.loaders import Document, LoadError, load_yaml

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20  # below this a page counts as image-only


def load_pdf(path: Path, source: str, max_pages: int) -> Document:
    with path.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise LoadError("Dit is geen PDF-bestand (of het is beschadigd). Exporteer het opnieuw als PDF.")
    reader = _open(path)
    count = len(reader.pages)
    if count == 0:
        raise LoadError("De PDF bevat geen pagina's en is waarschijnlijk beschadigd. Exporteer hem opnieuw.")
    if count > max_pages:
        raise LoadError(f"De PDF heeft {count} pagina's; het maximum is {max_pages}. Splits de handleiding op.")
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # pypdf raises many types on broken content streams
            raise LoadError(f"Pagina {number} van de PDF is beschadigd en kan niet gelezen worden.") from exc
        text = text.replace("\x00", "").strip()
        if len(text) >= MIN_TEXT_CHARS:
            pages.append((number, text))
    if not pages:
        raise LoadError(
            "De PDF bevat geen tekst (waarschijnlijk een scan). Er is eerst tekstherkenning (OCR) nodig."
        )
    side = read_sidecar(path)
    info_title = _info_title(reader)
    title = str(side.get("title") or info_title or path.stem.replace("-", " ").replace("_", " "))
    meta = {k: str(side[k]) for k in ("app", "owner", "version") if side.get(k) not in (None, "")}
    if "owner" in meta:
        meta["author"] = meta["owner"]
    meta["status"] = "active"
    meta["page_count"] = count
    return Document(source=source, doc_type="handleiding", title=title.strip(), pages=tuple(pages), meta=meta)


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not _decrypts_without_password(reader):
            raise LoadError(
                "De PDF is beveiligd met een wachtwoord. Sla een versie zonder beveiliging op en probeer opnieuw."
            )
        _ = len(reader.pages)
        return reader
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files (AttributeError, LimitReachedError…)
        raise LoadError("De PDF is beschadigd en kan niet gelezen worden. Exporteer hem opnieuw.") from exc


def _decrypts_without_password(reader: PdfReader) -> bool:
    # Many PDFs only carry an owner password (printing restrictions); those open with "".
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def _info_title(reader: PdfReader) -> str:
    try:
        meta = reader.metadata
        return str(meta.title) if meta and meta.title else ""
    except Exception:
        return ""


def read_sidecar(path: Path) -> dict[str, Any]:
    side = path.with_suffix(".yml")
    if not side.exists():
        side = path.with_suffix(".yaml")
    if not side.exists():
        return {}
    try:
        raw = side.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"Het begeleidende bestand {side.name} is geen UTF-8-tekst.") from exc
    data = load_yaml(raw, f"Het begeleidende bestand {side.name}") or {}
    if not isinstance(data, dict):
        raise LoadError(f"Het begeleidende bestand {side.name} moet velden bevatten (title, app, owner, version).")
    return data
