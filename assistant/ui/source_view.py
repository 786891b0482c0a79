"""The readable source view: /bron?pad=tips/x.md shows a whole tip (or meeting note) as a page anyone can read.

Minimal on purpose, in its own module so it can grow (manual pages, highlighting the quoted passage, retired tips
pointing to their successor). Markdown is rendered with raw HTML switched off, so a tip's text can never run script;
only .md files under tips/ and overleg/ inside the corpus are served.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from assistant.ui.plain_page import page
from assistant.ui.render import esc, nl_date
from ingest.loaders import LoadError, read_text, split_front_matter

log = logging.getLogger(__name__)

ROUTE = "/bron"
FOLDERS = ("tips", "overleg")
KINDS = {"tips": "Tip", "overleg": "Verslag van het digicoach-overleg"}


def source_href(source: str, back: str = "") -> str:
    """The link to a source's readable view; `back` is a local page to return to (e.g. the tip path)."""
    return f"{ROUTE}?pad={quote(source, safe='')}" + (f"&terug={quote(back, safe='')}" if back else "")


def local_back(back: str) -> str:
    """Only a path on this server ("/…", not "//host") may be the back link."""
    back = (back or "").strip()
    return back if back.startswith("/") and not back.startswith(("//", "/\\")) and len(back) < 7000 else ""


class SourceView:
    def __init__(self, corpus_dir: Path, max_bytes: int = 2_000_000) -> None:
        self.corpus = Path(corpus_dir)
        self.max_bytes = max_bytes
        self.markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

    def install(self, app: FastAPI) -> None:
        app.add_api_route(ROUTE, self.show, methods=["GET"], include_in_schema=False)

    def resolve(self, source: str) -> Path | None:
        """The corpus file for a source path, or None when it is not one this view serves."""
        parts = Path(source.replace("\\", "/")).parts
        if len(parts) < 2 or parts[0] not in FOLDERS or not source.endswith(".md") or ".." in parts:
            return None
        path = self.corpus / Path(*parts)
        try:
            resolved, root = path.resolve(strict=True), self.corpus.resolve()
        except OSError:
            return None
        inside = resolved.is_relative_to(root / parts[0])
        return path if inside and resolved.is_file() and resolved.stat().st_size <= self.max_bytes else None

    def show(self, pad: str = "", terug: str = "") -> HTMLResponse:
        back = local_back(terug)
        back_link = f'<a class="terug" href="{esc(back)}">← Terug</a>' if back else \
            '<a class="terug" href="/">← Naar digihulp</a>'
        path = self.resolve(pad)
        if path is None:
            return page("Niet gevonden", f'{back_link}<h1>Deze bron bestaat niet</h1><div class="melding let-op"><p>'
                        "We vinden deze tip of dit verslag niet (meer). Misschien is hij hernoemd. Stel je vraag aan "
                        'digihulp of aan je digicoach.</p></div>', page_id="bron", status=404, script=False)
        try:
            front, body = split_front_matter(read_text(path))
        except (LoadError, OSError) as exc:
            log.warning("Source view cannot read %s: %s", pad, exc)
            return page("Niet leesbaar", f'{back_link}<h1>Deze bron is nu niet leesbaar</h1><div class="melding '
                        'let-op"><p>De digicoaches zijn dit bestand aan het aanpassen. Probeer het later opnieuw.'
                        "</p></div>", page_id="bron", status=503, script=False)
        return page(str(front.get("title") or path.stem), back_link + self._article(pad, front, body),
                    page_id="bron", script=False)

    def _article(self, source: str, front: dict[str, object], body: str) -> str:
        title = str(front.get("title") or Path(source).stem)
        kind = KINDS.get(source.split("/", 1)[0], "Bron")
        facts = [kind] + [str(front[k]) for k in ("app",) if front.get(k)]
        if front.get("author"):
            facts.append(f"door {front['author']}")
        day = front.get("reviewed") or front.get("date") or front.get("created")
        if day:
            facts.append(("nagekeken op " if front.get("reviewed") else "") + nl_date(str(day)))
        retired = str(front.get("status") or "").lower() == "retired"
        warning = ('<div class="melding let-op" role="note"><p>Deze tip is ingetrokken: hij klopt misschien niet meer. '
                   "Vraag je digicoach naar de nieuwe werkwijze.</p></div>" if retired else "")
        return (f'<article><header class="bron-kop"><h1>{esc(title)}</h1><p class="meta">{esc(" · ".join(facts))}'
                f'</p></header>{warning}<div class="bron-tekst">{self.markdown.render(body)}</div></article>')
