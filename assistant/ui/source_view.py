"""The readable source view: /bron?pad=tips/x.md shows a whole tip, meeting note or manual page as a page anyone
can read, on a phone too. A citation's link adds the quoted passage (`citaat`), which is marked and scrolled to
(`#citaat`), and for a manual its page (`pagina`), with the PDF itself at that page one click away (/bron/pdf).
A retired tip's page says so, and names the tip that replaced it (`replaced_by` in its front matter).

Markdown is rendered with raw HTML switched off, so a tip's text can never run script; only the .md and .pdf files
inside the corpus that ingest reads are served (no hidden folders, no README or LICENSE).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from markdown_it import MarkdownIt

from assistant.ui.plain_page import HEADERS, page
from assistant.ui.render import esc, nl_date
from assistant.ui.source_links import ANCHOR, PDF_ROUTE, ROUTE, local_back, pdf_href, source_href
from assistant.ui.source_quote import markdown_marked, text_marked
from ingest.documents import Document
from ingest.loaders import SKIP_NAMES, LoadError, load, read_text, split_front_matter

log = logging.getLogger(__name__)

__all__ = ["SourceView", "local_back", "source_href"]  # the links live in source_links; pages import them here too
SUFFIXES = (".md", ".pdf")  # what ingest reads: tips, meeting notes and other documents; manuals
KINDS = {"tips": "Tip", "overleg": "Verslag van het digicoach-overleg", "handleidingen": "Handleiding"}
NOT_FOUND = ("We vinden deze tip, handleiding of dit verslag niet (meer). Misschien is hij hernoemd. Stel je vraag "
             "aan digihulp of aan je digicoach.")


class SourceView:
    def __init__(self, corpus_dir: Path, max_bytes: int = 2_000_000, max_pages: int = 400) -> None:
        self.corpus = Path(corpus_dir)
        self.max_bytes, self.max_pages = max_bytes, max_pages
        self.markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
        # A manual's pages, read once per version of the file (pypdf reads ~0.3 MB/s).
        self._manual = lru_cache(maxsize=8)(self._read_manual)

    def install(self, app: FastAPI) -> None:
        app.add_api_route(ROUTE, self.show, methods=["GET"], include_in_schema=False)
        app.add_api_route(PDF_ROUTE, self.pdf, methods=["GET"], include_in_schema=False)

    def resolve(self, source: str) -> Path | None:
        """The corpus file for a source path, or None when it is not one this view serves."""
        parts = Path(source.replace("\\", "/")).parts
        if not parts or any(p.startswith(".") or p in ("/", "\\") for p in parts) or ":" in source:
            return None
        if not source.lower().endswith(SUFFIXES) or parts[-1].lower() in SKIP_NAMES:
            return None
        path = self.corpus / Path(*parts)
        try:
            resolved, root = path.resolve(strict=True), self.corpus.resolve()
        except OSError:
            return None
        inside = resolved.is_relative_to(root)
        return path if inside and resolved.is_file() and resolved.stat().st_size <= self.max_bytes else None

    def show(self, pad: str = "", terug: str = "", pagina: int = 0, citaat: str = "") -> HTMLResponse:
        back = local_back(terug)
        back_link = f'<a class="terug" href="{esc(back)}">← Terug</a>' if back else \
            '<a class="terug" href="/">← Naar digihulp</a>'
        path = self.resolve(pad)
        if path is None:
            return page("Niet gevonden", f'{back_link}<h1>Deze bron bestaat niet</h1><div class="melding let-op"><p>'
                        f"{esc(NOT_FOUND)}</p></div>", page_id="bron", status=404, script=False)
        try:
            if path.suffix.lower() == ".pdf":
                title, body = self._manual_page(pad, path, pagina, citaat)
            else:
                front, text = split_front_matter(read_text(path))
                title, body = str(front.get("title") or path.stem), self._article(pad, front, text, citaat)
        except (LoadError, OSError) as exc:
            log.warning("Source view cannot read %s: %s", pad, exc)
            return page("Niet leesbaar", f'{back_link}<h1>Deze bron is nu niet leesbaar</h1><div class="melding '
                        'let-op"><p>De digicoaches zijn dit bestand aan het aanpassen. Probeer het later opnieuw.'
                        "</p></div>", page_id="bron", status=503, script=False)
        return page(title, back_link + body, page_id="bron", script=False)

    def pdf(self, pad: str = "") -> Response:
        path = self.resolve(pad)
        if path is None or path.suffix.lower() != ".pdf":
            return page("Niet gevonden", f'<h1>Deze handleiding bestaat niet</h1><div class="melding let-op"><p>'
                        f"{esc(NOT_FOUND)}</p></div>", page_id="bron", status=404, script=False)
        headers = {k: v for k, v in HEADERS.items() if k != "Content-Security-Policy"}
        return FileResponse(path, media_type="application/pdf", filename=path.name, content_disposition_type="inline",
                            headers=headers)

    # -- tips and meeting notes ---------------------------------------------------------------------------------
    def _article(self, source: str, front: dict[str, object], body: str, passage: str) -> str:
        title = str(front.get("title") or Path(source).stem)
        kind = KINDS.get(source.split("/", 1)[0], "Document")
        facts = [kind] + [str(front[k]) for k in ("app",) if front.get(k)]
        if front.get("author"):
            facts.append(f"door {front['author']}")
        day = front.get("reviewed") or front.get("date") or front.get("created")
        if day:
            facts.append(("nagekeken op " if front.get("reviewed") else "") + nl_date(str(day)))
        text, found = markdown_marked(self.markdown, body, passage)
        head = (f'<header class="bron-kop"><h1>{esc(title)}</h1><p class="meta">{esc(" · ".join(facts))}</p>'
                "</header>")
        if str(front.get("status") or "").lower() == "retired":
            return (f"<article>{head}{self._retired(front)}<details class=\"oude-tekst\"><summary>Toon de oude "
                    f'tekst (niet meer geldig)</summary><div class="bron-tekst">{text}</div></details></article>')
        return f'<article>{head}{quote_note(passage, found)}<div class="bron-tekst">{text}</div></article>'

    def _retired(self, front: dict[str, object]) -> str:
        successor = self._successor(str(front.get("replaced_by") or ""))
        if successor is None:
            return ('<div class="melding let-op" role="note"><p><strong>Deze tip is ingetrokken:</strong> hij klopt '
                    "niet meer. Vraag je digicoach naar de nieuwe werkwijze, of stel je vraag opnieuw in digihulp."
                    "</p></div>")
        source, title = successor
        return (f'<div class="melding let-op" role="note"><p><strong>Deze tip is vervangen door <a '
                f'href="{esc(source_href(source))}">{esc(title)}</a>.</strong> Wat hieronder staat, klopt niet '
                "meer.</p></div>")

    def _successor(self, tip_id: str) -> tuple[str, str] | None:
        """(source, title) of the active tip with this id (or file name), if there is one."""
        if not tip_id.strip():
            return None
        for path in sorted((self.corpus / "tips").glob("*.md")):
            try:
                front, _ = split_front_matter(read_text(path))
            except (LoadError, OSError):
                continue
            if tip_id in (str(front.get("id") or ""), path.stem) and str(front.get("status")) != "retired":
                return f"tips/{path.name}", str(front.get("title") or path.stem)
        return None

    # -- manuals --------------------------------------------------------------------------------------------
    def _read_manual(self, path: Path, stamp: tuple[int, int]) -> Document:
        return load(path, self.corpus, self.max_bytes, self.max_pages)

    def _manual_page(self, source: str, path: Path, number: int, passage: str) -> tuple[str, str]:
        info = path.stat()
        manual = self._manual(path, (info.st_mtime_ns, info.st_size))
        pages = dict(manual.pages)
        total = int(manual.meta.get("page_count") or max(pages, default=1))
        number = number if number in pages else min(pages, default=1)
        text, found = text_marked(pages.get(number, ""), passage)
        facts = ["Handleiding", *(str(manual.meta[k]) for k in ("app",) if manual.meta.get(k))]
        if manual.meta.get("author"):
            facts.append(f"door {manual.meta['author']}")
        nav = [f'<a href="{esc(source_href(source, page=n))}">{label}</a>'
               for n, label in ((number - 1, "← Vorige pagina"), (number + 1, "Volgende pagina →")) if n in pages]
        body = (f'<article><header class="bron-kop"><h1>{esc(manual.title)}</h1><p class="meta">'
                f"{esc(' · '.join(facts))}</p></header>"
                f'<p class="pdf-knop"><a class="knop" href="{esc(pdf_href(source, number))}">Open de PDF op pagina '
                f"{number}</a></p>{quote_note(passage, found)}"
                f'<section class="pdf-pagina" aria-labelledby="pagina-kop"><h2 id="pagina-kop">Pagina {number} van '
                f'{total}</h2><div class="bron-tekst pdf-tekst">{text}</div></section>'
                f'<nav class="pagina-nav" aria-label="Andere pagina\'s">{" ".join(nav)}</nav></article>')
        return f"{manual.title}, pagina {number}", body


def quote_note(passage: str, found: bool) -> str:
    """Tell where the quoted passage is (and a skip link to it), or that it changed since."""
    if not passage.strip():
        return ""
    if found:
        return (f'<p class="melding info">De passage uit het antwoord is <a href="#{ANCHOR}">geel gemarkeerd</a>.'
                "</p>")
    return ('<p class="melding let-op">De passage uit het antwoord staat hier niet meer letterlijk: de bron is '
            "intussen aangepast. Lees hieronder de huidige versie.</p>")
