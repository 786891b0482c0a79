"""PDF manuals: text per page with pypdf, plus an optional sidecar `name.yml`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import LimitReachedError

from ingest.documents import MAX_FRONT_MATTER_CHARS, Document, LoadError, load_yaml

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20  # below this a page counts as image-only
# Decompressed page content (drawing and text operators) of the whole PDF. A dense text page is 10-50 kB; pypdf
# extracts about 0.3 MB/s, and pages may share one stream, so a 4 kB file could otherwise keep ingest busy for hours.
MAX_CONTENT_BYTES = 30_000_000
TOO_COMPLEX = ("De PDF is te groot of te ingewikkeld om veilig te lezen ({what}). Is het een gewone handleiding, "
               "exporteer hem dan opnieuw als PDF of splits hem op.")


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
    _check_content_size(reader)
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except LimitReachedError as exc:
            raise LoadError(TOO_COMPLEX.format(what=f"pagina {number}")) from exc
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
    meta: dict[str, Any] = {k: str(side[k]) for k in ("app", "owner", "version") if side.get(k) not in (None, "")}
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
    except LimitReachedError as exc:  # e.g. a page tree that expands to millions of pages
        raise LoadError(TOO_COMPLEX.format(what="te veel pagina's of objecten")) from exc
    except Exception as exc:  # pypdf raises many types on damaged files (AttributeError, …)
        raise LoadError("De PDF is beschadigd en kan niet gelezen worden. Exporteer hem opnieuw.") from exc


def _check_content_size(reader: PdfReader) -> None:
    """Refuse before extracting text when the pages together hold more content than any manual needs."""
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            contents = page.get_contents()
            total += len(contents.get_data()) if contents is not None else 0
        except LimitReachedError as exc:  # a decompression bomb: pypdf stops at its own output limit
            raise LoadError(TOO_COMPLEX.format(what=f"pagina {number}")) from exc
        except Exception:  # a damaged page: text extraction below decides, as before
            continue
        if total > MAX_CONTENT_BYTES:
            raise LoadError(TOO_COMPLEX.format(
                what=f"meer dan {MAX_CONTENT_BYTES // 1_000_000} MB aan pagina-inhoud na {number} pagina's"))


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
    if not side.is_file():
        side = path.with_suffix(".yaml")
    if not side.is_file():
        return {}
    if side.stat().st_size > MAX_FRONT_MATTER_CHARS:
        raise LoadError(f"Het begeleidende bestand {side.name} is te groot (maximum {MAX_FRONT_MATTER_CHARS} bytes).")
    try:
        raw = side.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"Het begeleidende bestand {side.name} is geen UTF-8-tekst.") from exc
    data = load_yaml(raw, f"Het begeleidende bestand {side.name}") or {}
    if not isinstance(data, dict):
        raise LoadError(f"Het begeleidende bestand {side.name} moet velden bevatten (title, app, owner, version).")
    return data
