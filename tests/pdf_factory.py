"""Small PDF builders for the loader tests: valid, image-only, encrypted, corrupt and fake PDFs."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def _new_pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def text_pdf(path: Path, pages: list[str], title: str = "") -> Path:
    """One page per string, Helvetica, latin-1 text only. An optional document-info title."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_text_pdf_bytes(pages, title))
    return path


def image_only_pdf(path: Path) -> Path:
    """A page with only a drawn rectangle: what a scan without OCR looks like to a text extractor."""
    pdf = _new_pdf()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 170, 250, style="F")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def encrypted_pdf(path: Path, user_password: str = "geheim", text: str = "") -> Path:
    """A text PDF that needs `user_password` to open (empty password = owner-restricted only)."""
    plain = _text_pdf_bytes([text or "Deze handleiding is vertrouwelijk en beveiligd met een wachtwoord."])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=user_password, owner_password="eigenaar-" + (user_password or "leeg"),
                   algorithm="RC4-128")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def corrupt_pdf(path: Path) -> Path:
    """Starts like a PDF, then garbage."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\nthis is not a pdf body\n")
    return path


def zip_as_pdf(path: Path) -> Path:
    """A zip archive saved with a .pdf name (a classic upload mistake)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handleiding.txt", "Dit is eigenlijk een zip-bestand.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def _text_pdf_bytes(pages: list[str], title: str = "") -> bytes:
    pdf = _new_pdf()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def broken_trailer_pdf(path: Path) -> Path:
    """A valid text PDF with one damaged byte in the trailer keyword ('trailer+<<')."""
    raw = _text_pdf_bytes(["Deze pagina heeft genoeg tekst, maar het trailer-woord is beschadigd."])
    assert raw.count(b"trailer\n<<") == 1, "fpdf2 changed its output; update broken_trailer_pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw.replace(b"trailer\n<<", b"trailer+<<"))
    return path


def self_referencing_pdf(path: Path) -> Path:
    """A hand-written PDF whose page tree object is a reference to itself (`2 0 obj 2 0 R`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"2 0 R"]))
    return path


def raw_pdf(objects: list[bytes]) -> bytes:
    """Assemble numbered objects (1 0 obj, 2 0 obj, ...) with a correct xref table; object 1 is /Root."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out
